package org.example;

import org.example.definition.Names;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.JetService;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.JobStatusEvent;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.core.JobSuspensionCause;
import com.hazelcast.jet.pipeline.BatchSource;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.SourceBuilder.SourceBuffer;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.logging.ILogger;
import com.hazelcast.map.IMap;

import java.io.Serializable;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Heals the fraud-detection job without a human. A failure the job cannot contain (a Python worker
 * killed, a port taken from under it, a member lost mid-snapshot) suspends it with its last
 * snapshot ({@code JobConfig.setSuspendOnFailure}); this supervisor, a small job of its own on
 * the same cluster ({@value #SUFFIX} after the job's name), resumes it after a back-off that
 * doubles from {@link Policy#firstBackoffMs} to {@link Policy#maxBackoffMs}. A cause that comes back
 * {@link Policy#attempts} times in a row without the job staying up for
 * {@link Policy#healthyAfterMs} in between (a handler that cannot import, a model that cannot
 * load) is not transient: the supervisor stops resuming, logs why at SEVERE, and says so in the
 * map {@value Names#SUPERVISOR_MAP}. A job suspended by a user is left alone.
 *
 * <p>Its state lives in one source processor (a non-distributed source runs once on the cluster)
 * and is rebuilt from the job's status if that member is lost. It never ends on its own: the
 * watched job may be replaced under the same name at any time, and is watched by name.
 */
public final class JobSupervisor {

    /** The supervisor of job {@code x} is job {@code x-supervisor}. */
    public static final String SUFFIX = "-supervisor";

    /** How the supervisor decides; see the class comment. */
    public record Policy(int attempts, long firstBackoffMs, long maxBackoffMs, long healthyAfterMs, long checkEveryMs)
            implements Serializable {

        public static Policy of(JobSettings settings) {
            return new Policy(settings.resumeAttempts(), settings.resumeBackoffMs(), 300_000, 60_000, 500);
        }

        long backoffMs(int failures) {
            return Math.min(maxBackoffMs, firstBackoffMs << Math.min(20, failures - 1));
        }
    }

    /** What the supervisor last did, in map {@value Names#SUPERVISOR_MAP} under the job's name. */
    public record Report(String jobName, String state, int failures, String cause, long updatedMs) {

        /** The states of {@link #state}. */
        public static final String WATCHING = "WATCHING";
        public static final String RESUMING = "RESUMING";
        public static final String GAVE_UP = "GAVE_UP";
        public static final String LEFT_TO_USER = "SUSPENDED_BY_USER";
    }

    private JobSupervisor() {
    }

    /**
     * What failed, in one line: the root cause of the failure's stack trace (its last
     * "Caused by"), else its first line that says something.
     */
    public static String summary(String errorCause) {
        if (errorCause == null || errorCause.isBlank()) {
            return "(no cause given)";
        }
        List<String> lines = errorCause.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("at ") && !line.startsWith("...")
                        && !line.equals("Execution failure:"))
                .toList();
        String line = lines.stream().filter(l -> l.startsWith("Caused by: ")).reduce((first, last) -> last)
                .map(l -> l.substring("Caused by: ".length()))
                .orElse(lines.isEmpty() ? errorCause.strip() : lines.get(0));
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }

    /**
     * Two causes are the same fault when they differ only in their numbers and ids (a port, a
     * process, a processor's index, an execution id).
     */
    public static boolean sameFault(String a, String b) {
        return a != null && b != null && normalised(a).equals(normalised(b));
    }

    private static String normalised(String cause) {
        return cause.replaceAll("\\b[0-9a-f]{4}(-[0-9a-f]{4}){3}\\b", "#").replaceAll("\\d+", "#");
    }

    /** Starts the supervisor of {@code jobName} unless it runs already; returns it. */
    public static Job ensureRunning(HazelcastInstance hz, String jobName, Policy policy) {
        return hz.getJet().newJobIfAbsent(pipeline(jobName, policy), new JobConfig()
                .setName(jobName + SUFFIX)
                // Nothing to replay: the state is rebuilt from the job's status.
                .setProcessingGuarantee(ProcessingGuarantee.NONE)
                // Like the job it watches: not on the minority side of a network split, where it
                // would see that side's copy of the job and act on it.
                .setSplitBrainProtection(true));
    }

    static Pipeline pipeline(String jobName, Policy policy) {
        BatchSource<Object> watch = SourceBuilder.batch("supervise " + jobName,
                        ctx -> new Watch(ctx.hazelcastInstance(), ctx.logger(), jobName, policy))
                .fillBufferFn(Watch::check)
                .build();
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(watch).writeTo(Sinks.noop());
        return pipeline;
    }

    /** The supervisor's one processor: watches the job's status and acts on it. */
    static final class Watch {
        private final JetService jet;
        private final ILogger log;
        private final String jobName;
        private final Policy policy;
        private final IMap<String, Report> reports;
        /** Suspensions told by the job's status listener, for the next check to act on. */
        private final Queue<JobStatusEvent> events = new ConcurrentLinkedQueue<>();

        private long listenedJobId;
        private long runningSinceMs = -1;
        private int failures;
        private String lastCause;
        private long resumeAtMs = -1;
        private boolean gaveUp;
        private boolean sawSuspension;

        Watch(HazelcastInstance hz, ILogger log, String jobName, Policy policy) {
            this.jet = hz.getJet();
            this.log = log;
            this.jobName = jobName;
            this.policy = policy;
            this.reports = hz.getMap(Names.SUPERVISOR_MAP);
        }

        /** One look at the job; never throws, so that the supervisor itself cannot fail. */
        void check(SourceBuffer<Object> ignored) throws InterruptedException {
            try {
                look(System.currentTimeMillis());
            } catch (RuntimeException e) {
                log.warning("Could not check job '" + jobName + "' (will look again): " + e, e);
            }
            TimeUnit.MILLISECONDS.sleep(policy.checkEveryMs());
        }

        private void look(long now) {
            Job job = jet.getJob(jobName);
            if (job == null) {
                return;
            }
            listenTo(job);
            JobStatus status = job.getStatus();
            if (status == JobStatus.RUNNING) {
                whileRunning(now);
            } else if (status == JobStatus.SUSPENDED) {
                whileSuspended(job, now);
            }
        }

        private void listenTo(Job job) {
            if (job.getId() != listenedJobId) {
                listenedJobId = job.getId();
                job.addStatusListener(event -> {
                    if (event.getNewStatus() == JobStatus.SUSPENDED && !event.isUserRequested()) {
                        events.add(event);
                    }
                });
                // A new job of the name (a replacing submit) starts with a clean slate.
                failures = 0;
                gaveUp = false;
                resumeAtMs = -1;
                sawSuspension = false;
                report(Report.WATCHING, null, System.currentTimeMillis());
            }
        }

        private void whileRunning(long now) {
            events.clear();
            sawSuspension = false;
            if (runningSinceMs < 0) {
                runningSinceMs = now;
            }
            if (failures > 0 && now - runningSinceMs >= policy.healthyAfterMs()) {
                log.info("Job '" + jobName + "' has run for " + (now - runningSinceMs) / 1000
                        + " s since it was resumed; the fault is behind it");
                failures = 0;
                lastCause = null;
                gaveUp = false;
                report(Report.WATCHING, null, now);
            }
        }

        private void whileSuspended(Job job, long now) {
            runningSinceMs = -1;
            JobSuspensionCause cause = job.getSuspensionCause();
            if (cause.requestedByUser()) {
                if (resumeAtMs >= 0 || !sawSuspension) {
                    log.info("Job '" + jobName + "' was suspended by a user; leaving it to them (hz-cli resume " + jobName + ")");
                    report(Report.LEFT_TO_USER, null, now);
                }
                resumeAtMs = -1;
                sawSuspension = true;
                return;
            }
            // A new suspension: told by the listener, or found on a first look (a supervisor restarted).
            boolean isNew = !events.isEmpty() || !sawSuspension;
            events.clear();
            sawSuspension = true;
            if (isNew && !gaveUp) {
                String text = summary(cause.errorCause());
                failures = sameFault(text, lastCause) ? failures + 1 : 1;
                lastCause = text;
                if (policy.attempts() <= 0 || failures > policy.attempts()) {
                    gaveUp = true;
                    resumeAtMs = -1;
                    log.severe("NOT resuming job '" + jobName + "': it failed " + failures + " times in a row with"
                            + " the same cause (resumed " + (failures - 1) + " times), so the cause is not transient: " + text
                            + ". Fix it, then run: hz-cli resume " + jobName + " (docs/DEPLOY.md, runbook)");
                    report(Report.GAVE_UP, text, now);
                    return;
                }
                long backoff = policy.backoffMs(failures);
                resumeAtMs = now + backoff;
                log.warning("Job '" + jobName + "' was suspended by a failure (" + failures + " of at most "
                        + policy.attempts() + " in a row with this cause): " + text + ". Resuming it in "
                        + backoff + " ms");
                report(Report.RESUMING, text, now);
            }
            if (resumeAtMs >= 0 && now >= resumeAtMs) {
                resumeAtMs = -1;
                job.resume();
                log.info("Resumed job '" + jobName + "' from its last snapshot");
            }
        }

        private void report(String state, String cause, long now) {
            reports.set(jobName, new Report(jobName, state, failures, cause == null ? "" : cause, now));
        }

    }
}
