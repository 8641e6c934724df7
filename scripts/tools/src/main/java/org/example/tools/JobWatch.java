package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.example.JobSupervisor;
import org.example.definition.Names;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Watches a job while a run waits on it: says at once, with the cause, when the job leaves
 * RUNNING and when it comes back, and gives the run a reason to stop when the job will not come
 * back by itself: it ended, its supervisor gave up on it, or it has not run for longer than a
 * grace period. A job replaced under the same name is followed.
 */
final class JobWatch {

    /** Longer than the supervisor's first few back-offs and a restart from a snapshot. */
    static final Duration DEFAULT_GRACE = Duration.ofMinutes(3);

    private final HazelcastInstance hz;
    private final String jobName;
    private final PrintStream out;
    private final Duration grace;
    private long watchedJobId;
    private JobStatus lastStatus;
    private long notRunningSinceNanos = -1;

    JobWatch(HazelcastInstance hz, String jobName, PrintStream out, Duration grace) {
        this.hz = hz;
        this.jobName = jobName;
        this.out = out;
        this.grace = grace;
    }

    /**
     * Looks at the job and reports a change of its status; returns why the run should stop, or
     * {@code null} while the job runs or may still come back.
     */
    String problem() {
        Job job = hz.getJet().getJob(jobName);
        if (job == null) {
            return null;
        }
        if (job.getId() != watchedJobId) {
            watchedJobId = job.getId();
            lastStatus = null;
        }
        JobStatus status = job.getStatus();
        if (status != lastStatus) {
            out.printf(Locale.ROOT, "[job] '%s' is %s%s%n", jobName, status, why(job, status));
            lastStatus = status;
            notRunningSinceNanos = status == JobStatus.RUNNING ? -1 : System.nanoTime();
        }
        if (status == JobStatus.FAILED || status == JobStatus.COMPLETED) {
            return "job '" + jobName + "' is " + status + why(job, status);
        }
        JobSupervisor.Report report = hz.<String, JobSupervisor.Report>getMap(Names.SUPERVISOR_MAP).get(jobName);
        if (status == JobStatus.SUSPENDED && report != null && report.state().equals(JobSupervisor.Report.GAVE_UP)) {
            return "job '" + jobName + "' is SUSPENDED and its supervisor gave up resuming it: " + report.cause();
        }
        if (notRunningSinceNanos >= 0 && System.nanoTime() - notRunningSinceNanos > grace.toNanos()
                && status != JobStatus.NOT_RUNNING && status != JobStatus.STARTING) {
            return "job '" + jobName + "' has not been RUNNING for " + grace.toSeconds() + " s; it is " + status
                    + why(job, status);
        }
        return null;
    }

    private static String why(Job job, JobStatus status) {
        if (status == JobStatus.SUSPENDED) {
            var cause = job.getSuspensionCause();
            return cause.requestedByUser() ? " (by a user)" : ": " + JobSupervisor.summary(cause.errorCause());
        }
        if (status == JobStatus.FAILED) {
            try {
                job.getFuture().getNow(null);
            } catch (RuntimeException e) {
                return ": " + JobSupervisor.summary(String.valueOf(e.getCause() != null ? e.getCause() : e));
            }
        }
        return "";
    }
}
