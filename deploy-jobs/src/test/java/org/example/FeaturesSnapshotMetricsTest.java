package org.example;

import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricTags;
import org.example.definition.Names;
import org.example.features.CardFeaturesP;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FEATURES says what writing its card histories into a snapshot cost (the stall the transactions
 * behind it wait out): the job's metrics carry it once the job has taken a snapshot, and not before.
 */
class FeaturesSnapshotMetricsTest {

    private final PipelineHarness harness = new PipelineHarness("features-snapshot-metrics");

    @BeforeEach
    void referenceData() {
        harness.member.getMap(Names.CUSTOMERS_MAP).put(TestData.token(TestData.CARD), TestData.customer(TestData.CARD));
        harness.member.getMap(Names.MERCHANTS_MAP).put(TestData.MERCHANT, TestData.merchant(TestData.MERCHANT));
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void shouldReportWhatWritingASnapshotCostFeatures() throws Exception {
        // Given: the pipeline without snapshots, its metrics collected after its first predictions
        harness.startEndless(PipelineHarness.settings(), 100);
        assertThat(harness.metric(FraudPipeline.PREDICTIONS_METRIC, 20)).as("predictions counted").isGreaterThanOrEqualTo(20);
        assertThat(featuresMeasurements(harness.job())).as("no snapshot, no cost").allSatisfy(m -> assertThat(m.value()).isZero());
        Job unsnapshotted = harness.job();
        unsnapshotted.cancel();
        while (!unsnapshotted.getStatus().isTerminal()) {
            Thread.sleep(50);
        }

        // When: the same pipeline snapshots every 100 ms
        Job job = harness.startEndless(PipelineHarness.settings(), new JobConfig()
                .setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE).setSnapshotIntervalMillis(100), 100);

        // Then: FEATURES reports the time one snapshot took it, the writing in it, and its longest call
        long snapshotUs = harness.metric(CardFeaturesP.SNAPSHOT_US_METRIC, 1);
        long workUs = harness.metric(CardFeaturesP.SNAPSHOT_WORK_US_METRIC, 1);
        long callUs = harness.metric(CardFeaturesP.SNAPSHOT_CALL_US_METRIC, 1);
        assertThat(snapshotUs).as("µs one snapshot kept FEATURES from its transactions").isPositive();
        assertThat(workUs).as("µs of it writing").isPositive();
        assertThat(callUs).as("its longest call, µs").isPositive();
        assertThat(featuresMeasurements(job)).as("one measurement per FEATURES processor")
                .allSatisfy(m -> assertThat(m.tag(MetricTags.VERTEX)).isEqualTo(Names.Stage.FEATURES));
    }

    /** FEATURES' snapshot metric of each processor, as the member last collected the job's metrics. */
    private static List<Measurement> featuresMeasurements(Job job) {
        List<Measurement> measurements = job.getMetrics().get(CardFeaturesP.SNAPSHOT_US_METRIC);
        assertThat(measurements).as("FEATURES' snapshot metric, collected with the others").isNotEmpty();
        return measurements;
    }
}
