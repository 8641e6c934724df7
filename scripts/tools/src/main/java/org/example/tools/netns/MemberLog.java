package org.example.tools.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a member's log says happened to the cluster and to the jobs, as timed events: the drills
 * build their timelines from these, so every time they report is the member's own record of it,
 * not a client's late view. Reads the format of {@code scripts/member-logging.properties}
 * ({@code 2026-12-06 20:35:13.725 INFO [logger] message}); a {@code Members {size:N ...}} block has
 * no time of its own and takes the one of the line before it.
 */
public final class MemberLog {

    /** What happened. */
    public enum Kind {
        /** The member's view of the cluster changed; {@code size} members now. */
        CLUSTER_SIZE,
        /** The member stopped hearing from another one ({@code detail}: its address). */
        SUSPECTED,
        /** The member leaves its side of a split to join the other ({@code detail}: whom it merges to). */
        MERGING,
        /** The member started running an execution of {@code job} ({@code detail}: execution id). */
        EXECUTION_STARTED,
        /** As the job's coordinator, the member restores {@code job} from snapshot {@code size}. */
        RESTORING,
        /** As a coordinator, the member will not start {@code job}: its side lacks the quorum ({@code size}). */
        QUORUM_ABSENT,
        /** As the coordinator, the member restarts {@code job} to use members that joined. */
        SCALE_UP,
        /** The job's supervisor found {@code job} suspended by a failure ({@code detail}: the cause). */
        SUSPENDED,
        /** The job's supervisor resumed {@code job}. */
        RESUMED,
        /** As a coordinator, the member will not start {@code job} yet: partitions are still moving. */
        NOT_SAFE,
        /** As the master, the member has finished moving partitions (backups made anew, members added). */
        MIGRATIONS_DONE
    }

    /**
     * One event of one member's log.
     *
     * @param member      the member's number (1 = {@code m1})
     * @param incarnation which start of that member (1, then 2 after a restart, ...)
     */
    public record Event(long timeMs, int member, int incarnation, Kind kind, String job, int size, String detail) {
        @Override
        public String toString() {
            return "m" + member + " " + kind + (job.isEmpty() ? "" : " '" + job + "'") + (size >= 0 ? " " + size : "")
                    + (detail.isEmpty() ? "" : " " + detail);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final Pattern LINE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) \\w+ \\[[^\\]]+\\] (.*)$");
    private static final Pattern MEMBERS = Pattern.compile("^Members \\{size:(\\d+), ver:\\d+\\} \\[");
    // Only the heartbeat manager's own line; the membership manager repeats it inside another.
    private static final Pattern SUSPECTING = Pattern.compile("\\] Suspecting Member \\[([^\\]]+)\\]:\\d+");
    private static final Pattern MERGING = Pattern.compile(":\\d+ is merging to \\[([^\\]]+)\\]:\\d+");
    private static final Pattern EXECUTION = Pattern.compile("Start execution of job '([^']+)', execution (\\S+) from coordinator");
    private static final Pattern RESTORE = Pattern.compile("About to restore the state of job '([^']+)', execution \\S+ from snapshot (\\d+)");
    private static final Pattern QUORUM = Pattern.compile("Rescheduling restart of '([^']+)': quorum size (\\d+) is not met");
    private static final Pattern SCALE_UP = Pattern.compile("Requested restart of job '([^']+)', execution \\S+ to make use of added member");
    private static final Pattern SUSPENDED = Pattern.compile("Job '([^']+)' was suspended by a failure \\(.*?\\): (.*)$");
    private static final Pattern RESUMED = Pattern.compile("Resumed job '([^']+)' from its last snapshot");
    private static final Pattern NOT_SAFE = Pattern.compile("Rescheduling restart of '([^']+)': cluster is not safe");
    private static final Pattern MIGRATIONS_DONE = Pattern.compile("All migration tasks have been completed");

    private MemberLog() {
    }

    /** The events of a lab member's log, named {@code member-<n>.<incarnation>.log}. */
    public static List<Event> read(Path log) throws IOException {
        Matcher name = Pattern.compile("member-(\\d+)\\.(\\d+)\\.log").matcher(log.getFileName().toString());
        if (!name.matches()) {
            throw new IllegalArgumentException("not a lab member's log: " + log);
        }
        return parse(Files.readAllLines(log, StandardCharsets.UTF_8), Integer.parseInt(name.group(1)),
                Integer.parseInt(name.group(2)), ZoneId.systemDefault());
    }

    /** The events in {@code lines}, times read in {@code zone} (the members log in the machine's zone). */
    public static List<Event> parse(List<String> lines, int member, int incarnation, ZoneId zone) {
        List<Event> events = new ArrayList<>();
        long lastTime = -1;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                lastTime = LocalDateTime.parse(m.group(1), TIME).atZone(zone).toInstant().toEpochMilli();
                Event event = event(lastTime, member, incarnation, m.group(2));
                if (event != null) {
                    events.add(event);
                }
                continue;
            }
            Matcher members = MEMBERS.matcher(line);
            if (members.find() && lastTime >= 0) {
                events.add(new Event(lastTime, member, incarnation, Kind.CLUSTER_SIZE, "",
                        Integer.parseInt(members.group(1)), ""));
            }
        }
        return events;
    }

    private static Event event(long time, int member, int incarnation, String message) {
        Matcher m;
        if ((m = SUSPECTING.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.SUSPECTED, "", -1, m.group(1));
        }
        if ((m = MERGING.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.MERGING, "", -1, m.group(1));
        }
        if ((m = EXECUTION.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.EXECUTION_STARTED, m.group(1), -1, m.group(2));
        }
        if ((m = RESTORE.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.RESTORING, m.group(1), Integer.parseInt(m.group(2)), "");
        }
        if ((m = QUORUM.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.QUORUM_ABSENT, m.group(1), Integer.parseInt(m.group(2)), "");
        }
        if ((m = SCALE_UP.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.SCALE_UP, m.group(1), -1, "");
        }
        if ((m = SUSPENDED.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.SUSPENDED, m.group(1), -1, m.group(2));
        }
        if ((m = RESUMED.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.RESUMED, m.group(1), -1, "");
        }
        if ((m = NOT_SAFE.matcher(message)).find()) {
            return new Event(time, member, incarnation, Kind.NOT_SAFE, m.group(1), -1, "");
        }
        if (MIGRATIONS_DONE.matcher(message).find()) {
            return new Event(time, member, incarnation, Kind.MIGRATIONS_DONE, "", -1, "");
        }
        return null;
    }
}
