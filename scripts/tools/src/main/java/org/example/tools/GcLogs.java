package org.example.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The heap after each collection, from the GC logs that {@code scripts/cluster.sh} has its members
 * write ({@code -Xlog:gc:file=...:time}), for the benchmark's soak: with bounded outputs it must not
 * grow however long the job runs.
 */
final class GcLogs {

    /** One collection: when it ended, and the heap it left, in MB. */
    record Point(long timeMs, long heapAfterMb) {
    }

    /** One stop-the-world pause: when it ended, and how long it took. */
    record Pause(long timeMs, double durationMs) {
    }

    // [2026-12-01T10:00:00.123+0000] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 300M->120M(1024M) 5.1ms
    private static final Pattern LINE = Pattern.compile("^\\[([^\\]]+)\\].*GC\\(\\d+\\).* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    // The same line as a pause: G1 and Parallel log one per pause, its duration last. (ZGC's pauses,
    // well under a millisecond by design, are not in this log: its lines are whole concurrent cycles.)
    private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\].*GC\\(\\d+\\) Pause .* (\\d+(?:\\.\\d+)?)ms$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /** Where scripts/cluster.sh has its members write their logs, from the repository's root. */
    private static final Path MEMBER_LOG_DIR = Path.of(".run/logs");

    private GcLogs() {
    }

    /** The GC log of every member of scripts/cluster.sh. */
    static List<Path> memberLogs() throws IOException {
        if (!Files.isDirectory(MEMBER_LOG_DIR)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(MEMBER_LOG_DIR)) {
            return files.filter(f -> f.getFileName().toString().matches("member-\\d+-gc\\.log")).sorted().toList();
        }
    }

    /** The collections logged between {@code fromMs} and {@code toMs}. */
    static List<Point> heapAfterGc(Path log, long fromMs, long toMs) throws IOException {
        return collections(log, fromMs, toMs, line -> true);
    }

    /**
     * The full collections logged between {@code fromMs} and {@code toMs}: what they leave is the
     * live heap. A young collection's "after" also holds old garbage that no marking cycle has
     * reclaimed yet, so it climbs for minutes on a healthy member and says nothing about a leak.
     */
    static List<Point> fullCollections(Path log, long fromMs, long toMs) throws IOException {
        return collections(log, fromMs, toMs, line -> line.contains("Pause Full"));
    }

    /** The pauses logged between {@code fromMs} and {@code toMs}: what GC stopped the member for. */
    static List<Pause> pauses(Path log, long fromMs, long toMs) throws IOException {
        return logged(log, PAUSE, fromMs, toMs, line -> true, (time, m) -> new Pause(time, Double.parseDouble(m.group(2))));
    }

    private static List<Point> collections(Path log, long fromMs, long toMs, Predicate<String> kind) throws IOException {
        return logged(log, LINE, fromMs, toMs, kind, (time, m) -> new Point(time, Long.parseLong(m.group(3))));
    }

    /** Every line of the log that matches {@code pattern} and {@code kind}, logged within the span, as {@code entry} reads it. */
    private static <T> List<T> logged(Path log, Pattern pattern, long fromMs, long toMs, Predicate<String> kind,
                                      BiFunction<Long, Matcher, T> entry) throws IOException {
        List<T> found = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = pattern.matcher(line);
            if (m.find() && kind.test(line)) {
                long time = timeMs(m.group(1));
                if (time >= fromMs && time <= toMs) {
                    found.add(entry.apply(time, m));
                }
            }
        }
        return found;
    }

    private static long timeMs(String logTime) {
        return OffsetDateTime.parse(logTime, TIME).toInstant().toEpochMilli();
    }
}
