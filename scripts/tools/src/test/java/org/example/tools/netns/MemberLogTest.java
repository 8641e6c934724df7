package org.example.tools.netns;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A member's log, as the lab's members write it, read into the events the drills time. */
class MemberLogTest {

    private static final String PREFIX = " [10.250.0.3]:5701 [fraud-detection] [5.6.0] ";

    @Test
    void shouldTimeAMembersBlockByTheLineBeforeIt() {
        List<MemberLog.Event> events = parse(
                "2026-12-06 20:53:46.425 INFO [com.hazelcast.internal.cluster.ClusterService]" + PREFIX,
                "",
                "Members {size:1, ver:4} [",
                "\tMember [10.250.0.3]:5701 - fabf3d89-b273-4060-ad37-64cc4a34a2f5 this",
                "]");

        assertThat(events).containsExactly(event("20:53:46.425", MemberLog.Kind.CLUSTER_SIZE, "", 1, ""));
    }

    @Test
    void shouldCountASuspicionOnceThoughTwoLinesMentionIt() {
        List<MemberLog.Event> events = parse(
                "2026-12-06 20:53:44.970 WARNING [com.hazelcast.internal.cluster.impl.ClusterHeartbeatManager]" + PREFIX
                        + "Suspecting Member [10.250.0.2]:5701 - 8f19ce00-6742-410a-814f-07fa0c2ade2c because it has not sent any heartbeat",
                "2026-12-06 20:53:44.971 WARNING [com.hazelcast.internal.cluster.impl.MembershipManager]" + PREFIX
                        + "Member [10.250.0.2]:5701 - 8f19ce00-6742-410a-814f-07fa0c2ade2c is suspected to be dead for reason:"
                        + " Suspecting Member [10.250.0.2]:5701 - 8f19ce00-6742-410a-814f-07fa0c2ade2c because it has not sent any heartbeat");

        assertThat(events).containsExactly(event("20:53:44.970", MemberLog.Kind.SUSPECTED, "", -1, "10.250.0.2"));
    }

    @Test
    void shouldReadWhatTheCoordinatorDecidesAboutTheJob() {
        List<MemberLog.Event> events = parse(
                "2026-12-06 20:53:51.192 FINE [com.hazelcast.jet.impl.MasterJobContext]" + PREFIX
                        + "Rescheduling restart of 'fraud-detection': quorum size 2 is not met",
                "2026-12-06 20:54:00.882 FINE [com.hazelcast.jet.impl.MasterJobContext]" + PREFIX
                        + "Rescheduling restart of 'fraud-detection-supervisor': cluster is not safe",
                "2026-12-06 20:54:03.943 INFO [com.hazelcast.internal.partition.impl.MigrationManagerImpl]" + PREFIX
                        + "All migration tasks have been completed. (repartitionTime=Sun Dec 06 20:53:46 UTC 2026, plannedMigrations=182)",
                "2026-12-06 20:54:05.987 INFO [com.hazelcast.jet.impl.MasterJobContext]" + PREFIX
                        + "About to restore the state of job 'fraud-detection', execution 1067-8736-4c83-0001 from snapshot 0,"
                        + " mapName = __jet.snapshot.1067-8730-1bc0-0003.0",
                "2026-12-06 20:54:22.803 INFO [com.hazelcast.jet.impl.MasterContext]" + PREFIX
                        + "Requested restart of job 'fraud-detection', execution 1067-8736-4c82-0001 to make use of added member(s)."
                        + " Job was running on 2 members, cluster now has 3 data members with assigned partitions");

        assertThat(events).containsExactly(
                event("20:53:51.192", MemberLog.Kind.QUORUM_ABSENT, "fraud-detection", 2, ""),
                event("20:54:00.882", MemberLog.Kind.NOT_SAFE, "fraud-detection-supervisor", -1, ""),
                event("20:54:03.943", MemberLog.Kind.MIGRATIONS_DONE, "", -1, ""),
                event("20:54:05.987", MemberLog.Kind.RESTORING, "fraud-detection", 0, ""),
                event("20:54:22.803", MemberLog.Kind.SCALE_UP, "fraud-detection", -1, ""));
    }

    @Test
    void shouldReadMergesExecutionsAndTheSupervisor() {
        List<MemberLog.Event> events = parse(
                "2026-12-06 20:54:07.615 WARNING [com.hazelcast.internal.cluster.impl.operations.MergeClustersOp]" + PREFIX
                        + "[10.250.0.3]:5701 is merging to [10.250.0.1]:5701, because: instructed by master [10.250.0.3]:5701",
                "2026-12-06 20:54:42.390 INFO [com.hazelcast.jet.impl.JobExecutionService]" + PREFIX
                        + "Start execution of job 'fraud-detection', execution 1067-8736-4c85-0001 from coordinator [10.250.0.1]:5701",
                "2026-12-06 20:55:01.000 WARNING [org.example.JobSupervisor]" + PREFIX
                        + "Job 'fraud-detection' was suspended by a failure (1 of at most 5 in a row with this cause):"
                        + " PythonService broke down. Resuming it in 5000 ms",
                "2026-12-06 20:55:06.000 INFO [org.example.JobSupervisor]" + PREFIX
                        + "Resumed job 'fraud-detection' from its last snapshot",
                "2026-12-06 20:55:07.000 INFO [com.hazelcast.internal.diagnostics.HealthMonitor]" + PREFIX + "processors=2");

        assertThat(events).containsExactly(
                event("20:54:07.615", MemberLog.Kind.MERGING, "", -1, "10.250.0.1"),
                event("20:54:42.390", MemberLog.Kind.EXECUTION_STARTED, "fraud-detection", -1, "1067-8736-4c85-0001"),
                event("20:55:01.000", MemberLog.Kind.SUSPENDED, "fraud-detection", -1, "PythonService broke down. Resuming it in 5000 ms"),
                event("20:55:06.000", MemberLog.Kind.RESUMED, "fraud-detection", -1, ""));
    }

    private static List<MemberLog.Event> parse(String... lines) {
        return MemberLog.parse(List.of(lines), 3, 1, ZoneOffset.UTC);
    }

    private static MemberLog.Event event(String time, MemberLog.Kind kind, String job, int size, String detail) {
        long ms = LocalDateTime.parse("2026-12-06T" + time).toInstant(ZoneOffset.UTC).toEpochMilli();
        return new MemberLog.Event(ms, 3, 1, kind, job, size, detail);
    }
}
