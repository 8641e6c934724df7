package org.example;

import org.example.definition.Names;
import com.hazelcast.jet.core.JobStatus;
import org.example.PipelineHarness.Outcomes;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudPrediction;
import org.example.records.Hops;
import org.example.records.Json;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.time.Duration.ofHours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.PipelineHarness.features;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.OTHER_CARD;
import static org.example.TestData.at;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

/**
 * The whole pipeline on one embedded member, with no Kafka and no Python ({@link PipelineHarness}).
 * One stream walks every branch: valid transactions and one input for each reason an input can
 * fail for; each input must end as exactly one outcome, with the stage and reason it failed at.
 * The same pipeline with Kafka, the maps and the real model is {@code FraudPipelineIntegrationTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FraudPipelineTest {

    private static final String UNKNOWN_CARD = "4999999999999999";
    /** A card holder born after the transactions: the handler refuses to score, as the real one does. */
    private static final String YOUNG_CARD = "4000000000000003";
    private static final String CRYPTO_MERCHANT = "M00002";

    private PipelineHarness harness;
    private Outcomes outcomes;

    @BeforeAll
    void runThePipelineOnAKnownStream() throws Exception {
        harness = new PipelineHarness("pipeline-test");
        Customer young = customer(YOUNG_CARD, LocalDate.of(2026, 1, 20), TestData.NEW_YORK_LAT, TestData.NEW_YORK_LON);
        harness.member.getMap(Names.CUSTOMERS_MAP).putAll(Map.of(TestData.token(CARD), customer(CARD),
                TestData.token(OTHER_CARD), customer(OTHER_CARD), TestData.token(YOUNG_CARD), young));
        harness.member.getMap(Names.MERCHANTS_MAP).putAll(Map.of(MERCHANT, merchant(MERCHANT),
                CRYPTO_MERCHANT, new Merchant(CRYPTO_MERCHANT, "Coin Corner", "crypto_exchange", 40.7, -74.0)));

        // Given: a stream with valid transactions and one input for each way an input can fail
        KafkaMessage t1 = harness.send(0, txn("T1").card(CARD).amount(10).at(at(ofHours(0))));    // 0
        harness.send(0, txn("T2").card(CARD).amount(20).at(at(ofHours(1))));                     // 1
        harness.send(0, txn("T3").card(CARD).amount(30).at(at(ofHours(25))));                    // 2
        harness.send(1, txn("T4").card(OTHER_CARD).amount(5).at(at(ofHours(2))).location(34.05, -118.24)); // 3
        harness.sendRaw(0, CARD, "{\"transaction_id\": \"T5\", oops", at(ofHours(25)));                  // 4
        harness.sendRaw(0, CARD, "{\"transaction_id\": \"T6\", \"cc_num\": \"" + CARD + "\"}", at(ofHours(25))); // 5
        harness.send(2, txn("T7").card(UNKNOWN_CARD).at(at(ofHours(25))));                       // 6
        harness.send(0, txn("T8").card(CARD).merchant("M99999").at(at(ofHours(25))));            // 7
        harness.send(0, txn("T9").card(CARD).merchant(CRYPTO_MERCHANT).at(at(ofHours(26))));     // 8
        harness.send(0, txn("T10").card(CARD).at(at(ofHours(20))));                              // 9
        // Appended 27 hours before it claims to have happened.
        harness.sendRaw(1, OTHER_CARD, txn("T11").card(OTHER_CARD).at(at(ofHours(30))).json(),
                at(ofHours(3)));                                                                          // 10
        harness.sendRaw(0, CARD, new String(t1.value(), StandardCharsets.UTF_8), at(ofHours(26)));       // 11
        harness.send(0, txn("T2").card(CARD).amount(21).at(at(ofHours(1))));                     // 12
        harness.sendRaw(0, CARD, "{\"x\": \"" + "y".repeat(70_000) + "\"}", at(ofHours(26)));            // 13
        harness.send(2, txn("T14").card(YOUNG_CARD).at(at(ofHours(26))));                        // 14

        // When: the pipeline runs on them
        outcomes = harness.run(PipelineHarness.settings("--allowed-lag-ms", String.valueOf(ofHours(1).toMillis())));
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void shouldEndEveryInputAsExactlyOneOutcomeAndKeepRunning() {
        Set<String> seen = new HashSet<>();
        outcomes.predictions().forEach(p -> assertThat(seen.add(KafkaOrigin.key(TestData.TOPIC, p.originPartition(), p.originOffset())))
                .as("second outcome for %s", p.transactionId()).isTrue());
        outcomes.deadLetters().forEach(d -> assertThat(seen.add(d.key())).as("second outcome for %s", d.key()).isTrue());

        assertThat(seen).isEqualTo(harness.inputs.stream().map(m -> m.origin().key()).collect(Collectors.toSet()));
        assertThat(harness.job().getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldStoreTheScoredTransactionWithItsFeaturesAndTimings() {
        FraudPrediction t3 = outcomes.predictionsById().get("T3");
        KafkaMessage input = harness.inputs.get(2);

        // T2 happened exactly 24 h before T3: outside T3's 24-hour window, inside its 7-day one.
        assertThat(t3).isEqualTo(new FraudPrediction("T3", TestData.token(CARD), "400000", "0001", MERCHANT, "grocery_pos", 30.0, at(ofHours(25)),
                TestData.NEW_YORK_LAT, TestData.NEW_YORK_LON, 1, 30.0, 3, 0.0, 0.03, false,
                PipelineHarness.StubScorer.VERSION, null, null, "APPROVE", PipelineHarness.StubScorer.VERSION + "@1", List.of(), "",
                TestData.TOPIC, 0, input.origin().offset(), input.origin().appendTimeMs(),
                t3.storedTimeMs(), t3.hops()));
        assertThat(t3.storedTimeMs()).isGreaterThanOrEqualTo(input.origin().appendTimeMs());
        Map<String, FraudPrediction> byId = outcomes.predictionsById();
        assertThat(features(byId.get("T1"))).isEqualTo(new CardFeatures(1, 10.0, 1));
        assertThat(features(byId.get("T2"))).isEqualTo(new CardFeatures(2, 30.0, 2));
        assertThat(byId.get("T4").distanceKm()).isBetween(3930.0, 3945.0);
        assertThat(byId).containsOnlyKeys("T1", "T2", "T3", "T4");
    }

    @Test
    void shouldRecordEveryStageAPredictionPassedInTheOrderItPassedThem() {
        Hops hops = outcomes.predictionsById().get("T3").hops();
        long stored = outcomes.predictionsById().get("T3").storedTimeMs();

        // The test source hands messages to INGEST directly: no Kafka poll to record.
        assertThat(hops.ingestMs()).isPositive();
        assertThat(new long[] {hops.ingestMs(), hops.featuresMs(), hops.enrichMs(), hops.predictInMs(),
                hops.predictOutMs(), stored}).isSorted();
    }

    @Test
    void shouldDeadLetterEachKindOfBadInputWithItsStageAndReason() {
        Map<Long, DeadLetter> byOffset = outcomes.deadLettersByOffset();

        assertThat(byOffset).hasSize(11);
        assertThat(reasonAndStage(byOffset.get(4L))).isEqualTo("MALFORMED_JSON at INGEST");
        assertThat(byOffset.get(4L).payload()).isEqualTo("{\"transaction_id\": \"T5\", oops");
        assertThat(reasonAndStage(byOffset.get(5L))).isEqualTo("INVALID_FIELD at INGEST");
        assertThat(reasonAndStage(byOffset.get(6L))).isEqualTo("UNKNOWN_CARD at ENRICH");
        assertThat(reasonAndStage(byOffset.get(7L))).isEqualTo("UNKNOWN_MERCHANT at ENRICH");
        assertThat(reasonAndStage(byOffset.get(8L))).isEqualTo("INVALID_REFERENCE_DATA at ENRICH");
        assertThat(reasonAndStage(byOffset.get(9L))).isEqualTo("LATE_EVENT at FEATURES");
        assertThat(reasonAndStage(byOffset.get(10L))).isEqualTo("EVENT_TIME_IN_FUTURE at INGEST");
        assertThat(reasonAndStage(byOffset.get(11L))).isEqualTo("DUPLICATE_DELIVERY at FEATURES");
        assertThat(reasonAndStage(byOffset.get(12L))).isEqualTo("DUPLICATE_TRANSACTION_ID at FEATURES");
        assertThat(reasonAndStage(byOffset.get(13L))).isEqualTo("MESSAGE_TOO_LARGE at INGEST");
        assertThat(reasonAndStage(byOffset.get(14L))).isEqualTo("SCORING_ERROR at PREDICT");
        assertThat(byOffset.get(14L).detail()).isEqualTo("date_of_birth is after the transaction's date");
        // Not caused by an input: a bug (INTERNAL_ERROR), or the reference database not answering,
        // which there is none of here (ReadThroughIntegrationTest stops a real one).
        List<String> everyReasonAnInputCanCause = Arrays.stream(DeadLetterReason.values())
                .filter(r -> r != DeadLetterReason.INTERNAL_ERROR && r != DeadLetterReason.REFERENCE_DATA_UNAVAILABLE)
                .map(Enum::name).toList();
        assertThat(outcomes.deadLetters()).extracting(DeadLetter::reason)
                .containsExactlyInAnyOrderElementsOf(everyReasonAnInputCanCause);
    }

    @Test
    void shouldCountEveryDeadLetterInTheJobsMetrics() throws Exception {
        assertThat(harness.metric(FraudPipeline.DEAD_LETTERS_METRIC, 11)).isEqualTo(11);
        assertThat(harness.metric(FraudPipeline.PREDICTIONS_METRIC, 4)).isEqualTo(4);
        assertThat(harness.metric(FraudPipeline.INTERNAL_ERRORS_METRIC, 0)).isZero();
    }

    private static String reasonAndStage(DeadLetter deadLetter) {
        return deadLetter.reason() + " at " + deadLetter.stage();
    }
}
