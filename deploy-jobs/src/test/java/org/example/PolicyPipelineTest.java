package org.example;

import com.hazelcast.collection.IList;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.example.definition.Names;
import org.example.policy.PolicyRefused;
import org.example.policy.PolicyStore;
import org.example.records.FraudPrediction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.example.PipelineHarness.StubScorer.VERSION;

/**
 * The scoring policy of a running job: the whole pipeline ({@link PipelineHarness}) scores an
 * endless stream whose probabilities cycle through 0.10, 0.35, 0.55 and 0.85, and ACT bands each
 * by the policy of the moment. A change applies to later transactions within seconds, with no
 * restart, and each prediction records the policy it was decided under.
 */
class PolicyPipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private PipelineHarness harness;
    private PolicyStore policies;

    @BeforeEach
    void start() {
        harness = new PipelineHarness("policy-test");
        harness.member.getMap(Names.CUSTOMERS_MAP).put(TestData.token(TestData.CARD), TestData.customer(TestData.CARD));
        harness.member.getMap(Names.MERCHANTS_MAP).put(TestData.MERCHANT, TestData.merchant(TestData.MERCHANT));
        policies = new PolicyStore(harness.member);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void shouldDecideLaterTransactionsByAChangedPolicyWithoutARestart() throws Exception {
        // Given: a job deciding by the harness's policy for the stub (review from 0.3, decline from 0.5)
        Job job = harness.startEndless(PipelineHarness.settings(), 100, 350, 550, 850);
        long jobId = job.getId();
        awaitPrediction(p -> p.policyVersion().equals(VERSION + "@1"));

        // When: an operator raises both thresholds
        long changedAtMs = System.currentTimeMillis();
        policies.set(VERSION, 0.6, 0.8, "alice", changedAtMs);
        FraudPrediction firstUnderNew = awaitPrediction(p -> p.policyVersion().equals(VERSION + "@2"));

        // Then: within seconds each later prediction is banded by it, every earlier one by the old, and the job ran on
        assertThat(firstUnderNew.storedTimeMs() - changedAtMs).as("from the change to its first decision").isLessThan(5_000);
        List<FraudPrediction> all = predictions();
        Map<Double, String> oldBands = Map.of(0.1, "APPROVE", 0.35, "REVIEW", 0.55, "DECLINE", 0.85, "DECLINE");
        Map<Double, String> newBands = Map.of(0.1, "APPROVE", 0.35, "APPROVE", 0.55, "APPROVE", 0.85, "DECLINE");
        for (FraudPrediction p : all) {
            Map<Double, String> expected = p.policyVersion().equals(VERSION + "@1") ? oldBands : newBands;
            assertThat(p.band()).as("%s at %s under %s", p.transactionId(), p.fraudProbability(), p.policyVersion())
                    .isEqualTo(expected.get(p.fraudProbability()));
        }
        long lastOld = all.stream().filter(p -> p.policyVersion().endsWith("@1")).mapToLong(FraudPrediction::originOffset).max().orElseThrow();
        long firstNew = all.stream().filter(p -> p.policyVersion().endsWith("@2")).mapToLong(FraudPrediction::originOffset).min().orElseThrow();
        assertThat(lastOld).as("no old decision after the first new one (one member, one card)").isLessThan(firstNew);
        assertThat(all.stream().filter(p -> p.policyVersion().endsWith("@2")).map(FraudPrediction::band))
                .contains("APPROVE", "DECLINE").doesNotContain("REVIEW");
        assertThat(job.getId()).isEqualTo(jobId);
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldKeepDecidingByTheOldPolicyWhenANewOneIsRefused() throws Exception {
        Job job = harness.startEndless(PipelineHarness.settings(), 100, 350, 550, 850);
        awaitPrediction(p -> p.policyVersion().equals(VERSION + "@1"));

        assertThatThrownBy(() -> policies.set(VERSION, 0.9, 0.2, "mallory", System.currentTimeMillis()))
                .isInstanceOf(PolicyRefused.class)
                .hasMessageContaining("review-from 0.9 is above decline-from 0.2");
        long refusedAtMs = System.currentTimeMillis();
        awaitPrediction(p -> p.storedTimeMs() > refusedAtMs + 2_000);

        assertThat(predictions()).extracting(FraudPrediction::policyVersion).containsOnly(VERSION + "@1");
        assertThat(policies.history(VERSION)).hasSize(1);
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    private List<FraudPrediction> predictions() {
        IList<FraudPrediction> list = harness.member.getList("predictions");
        return List.copyOf(list);
    }

    private FraudPrediction awaitPrediction(Predicate<FraudPrediction> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            for (FraudPrediction p : predictions()) {
                if (wanted.test(p)) {
                    return p;
                }
            }
            assertThat(System.nanoTime()).as("a prediction as wanted within %s", TIMEOUT).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
