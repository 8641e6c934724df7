package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.impl.JobExecutionRecord;
import com.hazelcast.jet.impl.JobRepository;

import java.util.Optional;

/**
 * What Jet knows about a job's snapshots: which one it last completed and what that one cost.
 *
 * <p>A processor's snapshot metrics (snapshotKeys, snapshotBytes) change as soon as that processor
 * has written its share, long before the snapshot is complete: the barrier still has to pass
 * PREDICT's queues and the sinks, which takes seconds when the job has a backlog. A fault injected
 * in between finds no completed snapshot, and the job restarts from nothing. Only the job's
 * execution record says that a snapshot completed. Jet keeps it in an internal map that it does
 * not expose through its public API, so the tools (never the job) read it here, in one place.
 */
final class Snapshots {

    /** The last snapshot a job completed: id, how long it took, what it holds. */
    record Completed(long id, long durationMs, long bytes, long keys) {
    }

    private Snapshots() {
    }

    /** The job's last completed snapshot, or empty when the job is unknown or has completed none. */
    static Optional<Completed> lastCompleted(HazelcastInstance client, String jobName) {
        return executionRecord(client, jobName)
                .filter(record -> record.snapshotId() >= 0)
                .map(record -> {
                    JobExecutionRecord.SnapshotStats stats = record.snapshotStats();
                    return new Completed(record.snapshotId(), stats.duration(), stats.numBytes(), stats.numKeys());
                });
    }

    /** The id of the snapshot the job last started (completed or not), or -1. */
    static long lastStartedId(HazelcastInstance client, String jobName) {
        return executionRecord(client, jobName).map(JobExecutionRecord::ongoingSnapshotId).orElse(-1L);
    }

    private static Optional<JobExecutionRecord> executionRecord(HazelcastInstance client, String jobName) {
        Job job = client.getJet().getJob(jobName);
        if (job == null) {
            return Optional.empty();
        }
        Object value = client.getMap(JobRepository.JOB_EXECUTION_RECORDS_MAP_NAME).get(job.getId());
        return value instanceof JobExecutionRecord record ? Optional.of(record) : Optional.empty();
    }
}
