package org.example;

import org.example.definition.Names;
import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.core.JobStatus;
import org.example.PipelineHarness.Outcomes;
import org.example.records.CardFeatures;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.KafkaMessage;
import org.example.records.Traceable;
import com.hazelcast.function.SupplierEx;
import com.hazelcast.jet.core.Processor;
import org.example.definition.FeatureDefinition;
import org.example.features.CardFeaturesP;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.FraudPrediction;
import org.example.records.FraudRequest;
import org.example.records.ScoreReply;
import org.example.records.TransactionEvent;
import org.example.policy.PolicyFollower;
import org.example.stages.Ingest;
import org.example.stages.ReferenceCache;
import org.example.stages.Step;
import org.example.stages.Step.StageFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.PipelineHarness.features;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.at;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

/**
 * No exception on one item, in any stage, can fail the job: a probe throws in each stage in turn,
 * on a marked transaction, and each marked transaction must end as one {@code INTERNAL_ERROR} dead
 * letter naming its stage and the exception, while the job keeps running and scores every other
 * transaction of the same card with exact features.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FraudPipelineContainmentTest {

    private static final List<String> STAGES = List.of(Names.Stage.INGEST, Names.Stage.FEATURES, Names.Stage.ENRICH,
            Names.Stage.TRANSFORM, Names.Stage.PREDICT, Names.Stage.ACT);

    private PipelineHarness harness;
    private Outcomes outcomes;

    @BeforeAll
    void runWithAStageThatThrowsOnEachMarkedTransaction() throws Exception {
        harness = new PipelineHarness("containment-test");
        harness.member.getMap(Names.CUSTOMERS_MAP).put(TestData.token(CARD), customer(CARD));
        harness.member.getMap(Names.MERCHANTS_MAP).put(MERCHANT, merchant(MERCHANT));

        // Given: on one card, a valid transaction, then for each stage a marked one and a valid one
        int minute = 0;
        harness.send(0, txn("before").amount(1).at(at(ofMinutes(minute++))));
        for (String stage : STAGES) {
            harness.send(0, txn(marked(stage)).amount(10).at(at(ofMinutes(minute++))));
            harness.send(0, txn("after-" + stage).amount(1).at(at(ofMinutes(minute++))));
        }

        // When: each stage throws on its marked transaction
        JobSettings settings = PipelineHarness.settings();
        outcomes = harness.run((source, predictions, deadLetters) -> new ThrowOnMarked(settings)
                .assemble(source, PipelineHarness.StubScorer.scorer(ThrowOnMarked::score), predictions, deadLetters));
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void shouldDeadLetterEachMarkedTransactionAtItsStageWithTheException() {
        assertThat(outcomes.deadLetters()).hasSize(STAGES.size());
        for (String stage : STAGES) {
            DeadLetter deadLetter = outcomes.deadLetters().stream()
                    .filter(d -> d.detail().contains("boom in " + stage)).findFirst().orElseThrow();
            assertThat(deadLetter.stage()).isEqualTo(stage);
            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.INTERNAL_ERROR.name());
            assertThat(deadLetter.detail()).startsWith("unexpected java.lang.IllegalStateException: boom in " + stage);
            assertThat(deadLetter.payload()).contains(marked(stage));
            KafkaMessage input = harness.inputs.stream()
                    .filter(m -> new String(m.value(), StandardCharsets.UTF_8).contains(marked(stage)))
                    .findFirst().orElseThrow();
            assertThat(deadLetter.key()).as("the dead letter of %s is its input's", stage).isEqualTo(input.origin().key());
        }
    }

    @Test
    void shouldKeepRunningAndCountTheInternalErrors() throws Exception {
        assertThat(harness.job().getStatus()).isEqualTo(JobStatus.RUNNING);
        assertThat(harness.metric(FraudPipeline.INTERNAL_ERRORS_METRIC, STAGES.size())).isEqualTo(STAGES.size());
    }

    @Test
    void shouldScoreEveryOtherTransactionOfTheCardWithExactFeatures() {
        Map<String, CardFeatures> byId = outcomes.predictionsById().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> features(e.getValue())));

        // A transaction that failed in INGEST or FEATURES was never counted; one that failed later
        // had its features already, and counts in the windows of the card's next transactions.
        assertThat(byId).containsOnlyKeys("before", "after-INGEST", "after-FEATURES", "after-ENRICH",
                "after-TRANSFORM", "after-PREDICT", "after-ACT");
        assertThat(byId.get("before")).isEqualTo(new CardFeatures(1, 1.0, 1));
        assertThat(byId.get("after-INGEST")).isEqualTo(new CardFeatures(2, 2.0, 2));
        assertThat(byId.get("after-FEATURES")).isEqualTo(new CardFeatures(3, 3.0, 3));
        assertThat(byId.get("after-ENRICH")).isEqualTo(new CardFeatures(5, 14.0, 5));
        assertThat(byId.get("after-TRANSFORM")).isEqualTo(new CardFeatures(7, 25.0, 7));
        assertThat(byId.get("after-PREDICT")).isEqualTo(new CardFeatures(9, 36.0, 9));
        assertThat(byId.get("after-ACT")).isEqualTo(new CardFeatures(11, 47.0, 11));
    }

    private static String marked(String stage) {
        return "BOOM-" + stage;
    }

    /** Throws in a stage when it meets the transaction marked for that stage, whatever form it has there. */
    private static void throwIfMarked(String stage, Object input) {
        String text = input instanceof KafkaMessage message ? new String(message.value(), StandardCharsets.UTF_8)
                : input instanceof Traceable traced ? traced.transaction().transactionId()
                : String.valueOf(input);
        if (text.contains(marked(stage))) {
            throw new IllegalStateException("boom in " + stage);
        }
    }

    /**
     * The production pipeline with each stage's function wrapped to throw on the transaction marked
     * for it. Its lambdas use no instance state: they travel to the member.
     */
    private static final class ThrowOnMarked extends FraudPipeline {

        ThrowOnMarked(JobSettings settings) {
            super(settings, FeatureDefinition.load());
        }

        static <T, R> StageFunction<T, R> throwing(String stage, StageFunction<T, R> function) {
            return (input, nowMs) -> {
                throwIfMarked(stage, input);
                return function.apply(input, nowMs);
            };
        }

        static Step<ScoreReply> score(FraudRequest request, long nowMs) {
            throwIfMarked(Names.Stage.PREDICT, request);
            return PipelineHarness.StubScorer.score(request, nowMs);
        }

        @Override
        protected StageFunction<KafkaMessage, TransactionEvent> ingestion(Ingest.Limits limits) {
            return throwing(Names.Stage.INGEST, super.ingestion(limits));
        }

        @Override
        protected SupplierEx<Processor> featuresProcessor(FeatureDefinition windows, long allowedLagMs) {
            return throwingFeatures(windows, allowedLagMs);
        }

        private static SupplierEx<Processor> throwingFeatures(FeatureDefinition windows, long allowedLagMs) {
            return () -> new CardFeaturesP(windows, allowedLagMs) {
                @Override
                protected Step<FeaturedEvent> accept(TransactionEvent event, long nowMs) throws Exception {
                    throwIfMarked(Names.Stage.FEATURES, event);
                    return super.accept(event, nowMs);
                }
            };
        }

        @Override
        protected ReferenceCache.Lookup enrichment() {
            return throwingEnrichment(super.enrichment());
        }

        private static ReferenceCache.Lookup throwingEnrichment(ReferenceCache.Lookup lookup) {
            return (refs, event, nowMs) -> {
                throwIfMarked(Names.Stage.ENRICH, event);
                return lookup.apply(refs, event, nowMs);
            };
        }

        @Override
        protected StageFunction<EnrichedEvent, FraudRequest> transformation(double earthRadiusKm) {
            return throwing(Names.Stage.TRANSFORM, super.transformation(earthRadiusKm));
        }

        @Override
        protected FunctionEx<PolicyFollower, StageFunction<ScoreReply, FraudPrediction>> action() {
            FunctionEx<PolicyFollower, StageFunction<ScoreReply, FraudPrediction>> action = super.action();
            return policies -> throwing(Names.Stage.ACT, action.apply(policies));
        }
    }
}
