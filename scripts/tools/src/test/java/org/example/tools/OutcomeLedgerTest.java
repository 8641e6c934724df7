package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.CardFeatures;
import org.example.records.Json;
import org.example.tools.netns.PredictionDigest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger of a long run's outcomes, fed as the drill reads them. */
class OutcomeLedgerTest {

    private static final long START = 1_000_000L;
    /** A read soon after the store: nothing seen late. */
    private static final long READ_SOON = START + 2_000;
    private final OutcomeLedger ledger = new OutcomeLedger(Map.of(
            "T1", new CardFeatures(1, 10.0, 1), "T2", new CardFeatures(2, 30.0, 2), "T3", new CardFeatures(1, 5.0, 3)), START);

    @Test
    void shouldAccountForEveryPositionWhenEachHasOneOutcome() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        stored(prediction("T2", 0, 1, 0.20, START + 1_500));
        ledger.recordDeadLetter(1, 0, "MALFORMED_JSON", START + 1_600);
        ledger.recordFromTopic(deadLetter(1, 0, "MALFORMED_JSON"));
        stored(prediction("T3", 1, 1, 0.30, START + 1_700));

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 2L, 1, 2L), Map.of("1-0", "MALFORMED_JSON"));

        assertThat(verdict.ok()).as(verdict.problems().toString()).isTrue();
        assertThat(verdict.inputs()).isEqualTo(4);
        assertThat(verdict.predictions()).isEqualTo(3);
        assertThat(verdict.deadLettersByReason()).containsEntry("MALFORMED_JSON", 1L);
        assertThat(ledger.storesPerSecond()).startsWith(1, 2);
        assertThat(ledger.outcomesOnTopics()).isEqualTo(4);
    }

    @Test
    void shouldFailAnInputOnTheTopicsTwice() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordFromTopic(decision(prediction("T1", 0, 0, 0.10, START + 500)));

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems()).containsExactly("0-0 is on the topics twice (APPROVE)");
        assertThat(ledger.outcomesOnTopics()).isEqualTo(1);
    }

    @Test
    void shouldFailAnInputStoredInTheMapButNeverDecidedOnTheTopic() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500), READ_SOON);

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems())
                .containsExactly("1 inputs have no outcome on the topics, e.g. [0-0]");
    }

    @Test
    void shouldFailADecisionOnTheTopicThatTheMapNeverShowedSayingWhenItWasDecided() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordFromTopic(decision(prediction("T2", 0, 1, 0.20, START + 65_000)));

        assertThat(ledger.verdict(Map.of(0, 2L), Map.of()).problems()).containsExactly(
                "1 decisions on the topic were never seen in predictionResult (decided from +01:05.0 to +01:05.0 into the run), e.g. [0-1]");
    }

    @Test
    void shouldFailAMapEntryThatScoresOtherwiseThanTheTopicsDecision() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500), READ_SOON);
        ledger.recordFromTopic(decision(prediction("T1", 0, 0, 0.11, START + 500)));

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems())
                .containsExactly("0-0: the decision topic and predictionResult give different scores");
    }

    @Test
    void shouldCountWhatBecameVisibleInTheMapLongAfterItWasStamped() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500), START + 1_500);
        ledger.record(prediction("T2", 0, 1, 0.20, START + 600), START + 45_600);
        ledger.record(prediction("T3", 0, 2, 0.30, START + 700), START + 90_700);
        // Read again later: a rewrite or a second read of the same entry is not a late first sight.
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500), START + 200_000);

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 3L), Map.of());

        assertThat(verdict.seenLate()).isEqualTo(2);
        assertThat(verdict.latestSeenMs()).isEqualTo(90_000);
    }

    @Test
    void shouldCountAReplayThatWritesTheSameOutcomeAgainAsARewriteNotAProblem() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500), READ_SOON);
        ledger.record(prediction("T1", 0, 0, 0.10, START + 9_000), READ_SOON);

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 1L), Map.of());

        assertThat(verdict.ok()).isTrue();
        assertThat(verdict.rewrites()).isEqualTo(1);
    }

    @Test
    void shouldFailATransactionThatWasGivenTwoDifferentPredictions() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T1", 0, 0, 0.90, START + 9_000), READ_SOON);

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 1L), Map.of());

        assertThat(verdict.ok()).isFalse();
        assertThat(verdict.problems()).containsExactly("0-0 (T1): a prediction that differs from the one read before it");
    }

    @Test
    void shouldFailAnInputWithBothAPredictionAndADeadLetter() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordDeadLetter(0, 0, "LATE_EVENT", START + 700);

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems())
                .containsExactly("0-0 has a dead letter (LATE_EVENT) and a prediction");
    }

    @Test
    void shouldFailAMissingInputAndAHostileMessageWithTheWrongReason() {
        stored(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordDeadLetter(0, 1, "INVALID_FIELD", START + 700);
        ledger.recordFromTopic(deadLetter(0, 1, "INVALID_FIELD"));

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 3L), Map.of("0-1", "MALFORMED_JSON"));

        assertThat(verdict.problems()).containsExactly(
                "0-1 has dead letter INVALID_FIELD, expected MALFORMED_JSON",
                "1 inputs have no outcome on the topics, e.g. [0-2]");
    }

    @Test
    void shouldFailFeaturesThatAreNotTheExactOnes() {
        stored(new PredictionDigest("T2", 0, 0, START, 2, 31.0, 2, 0.2, false, "v1"));

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems()).containsExactly(
                "T2: stored features CardFeatures[txnCount24h=2, amountSum24h=31.0, txnCount7d=2],"
                        + " expected CardFeatures[txnCount24h=2, amountSum24h=30.0, txnCount7d=2]");
    }

    /** A prediction as ACT writes it: into the map and, as its decision, onto the topic. */
    private void stored(PredictionDigest p) {
        ledger.record(p, p.storedTimeMs() + 1_000);
        ledger.recordFromTopic(decision(p));
    }

    private static JsonNode decision(PredictionDigest p) {
        return Json.MAPPER.valueToTree(Map.of("transaction_id", p.transactionId(), "decision", p.fraud() ? "DECLINE" : "APPROVE",
                "fraud_probability", p.fraudProbability(), "model_version", p.modelVersion(), "decision_time_ms", p.storedTimeMs(),
                "origin_topic", "transactions", "origin_partition", p.originPartition(), "origin_offset", p.originOffset()));
    }

    private static JsonNode deadLetter(int partition, long offset, String reason) {
        return Json.MAPPER.valueToTree(Map.of("reason", reason, "recorded_time_ms", START,
                "origin_topic", "transactions", "origin_partition", partition, "origin_offset", offset));
    }

    private static PredictionDigest prediction(String id, int partition, long offset, double probability, long storedMs) {
        CardFeatures f = Map.of("T1", new CardFeatures(1, 10.0, 1), "T2", new CardFeatures(2, 30.0, 2),
                "T3", new CardFeatures(1, 5.0, 3)).get(id);
        return new PredictionDigest(id, partition, offset, storedMs, f.txnCount24h(), f.amountSum24h(), f.txnCount7d(),
                probability, probability > 0.5, "v1");
    }
}
