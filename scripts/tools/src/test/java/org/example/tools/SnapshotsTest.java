package org.example.tools;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads a real job's execution record through a client, as the tools do against the cluster. */
class SnapshotsTest {

    private static HazelcastInstance member;
    private static HazelcastInstance client;

    @BeforeAll
    static void start() {
        Config config = new Config().setClusterName("snapshots-test");
        config.getJetConfig().setEnabled(true);
        config.getNetworkConfig().setPort(5801).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
        ClientConfig clientConfig = new ClientConfig().setClusterName("snapshots-test");
        clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort());
        client = HazelcastClient.newHazelcastClient(clientConfig);
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        member.shutdown();
    }

    @Test
    void shouldReportTheLastCompletedSnapshotOfARunningJob() throws InterruptedException {
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(TestSources.itemStream(50)).withoutTimestamps()
                .groupingKey(event -> event.sequence() % 10)
                .mapStateful(() -> new long[1], (count, key, event) -> ++count[0])
                .writeTo(Sinks.noop());
        client.getJet().newJob(pipeline, new JobConfig().setName("counting")
                .setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE).setSnapshotIntervalMillis(200));

        Optional<Snapshots.Completed> completed = awaitCompleted("counting", Duration.ofSeconds(60));

        assertThat(completed).isPresent();
        assertThat(completed.get().id()).isNotNegative();
        assertThat(completed.get().keys()).as("the ten counters").isGreaterThanOrEqualTo(10);
        assertThat(completed.get().bytes()).isPositive();
        assertThat(Snapshots.lastStartedId(client, "counting")).isGreaterThanOrEqualTo(completed.get().id());
    }

    @Test
    void shouldReportNothingForAJobItDoesNotKnow() {
        assertThat(Snapshots.lastCompleted(client, "no-such-job")).isEmpty();
        assertThat(Snapshots.lastStartedId(client, "no-such-job")).isEqualTo(-1);
    }

    private static Optional<Snapshots.Completed> awaitCompleted(String jobName, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Snapshots.Completed> completed;
        while ((completed = Snapshots.lastCompleted(client, jobName)).isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return completed;
    }
}
