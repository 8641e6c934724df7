package org.example.tools;

import org.example.records.CardFeatures;
import org.example.tools.netns.PredictionDigest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger of a long run's outcomes, fed as the drill reads them. */
class OutcomeLedgerTest {

    private static final long START = 1_000_000L;
    private final OutcomeLedger ledger = new OutcomeLedger(Map.of(
            "T1", new CardFeatures(1, 10.0, 1), "T2", new CardFeatures(2, 30.0, 2), "T3", new CardFeatures(1, 5.0, 3)), START);

    @Test
    void shouldAccountForEveryPositionWhenEachHasOneOutcome() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T2", 0, 1, 0.20, START + 1_500));
        ledger.recordDeadLetter(1, 0, "MALFORMED_JSON", START + 1_600);
        ledger.record(prediction("T3", 1, 1, 0.30, START + 1_700));

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 2L, 1, 2L), Map.of("1-0", "MALFORMED_JSON"));

        assertThat(verdict.ok()).as(verdict.problems().toString()).isTrue();
        assertThat(verdict.inputs()).isEqualTo(4);
        assertThat(verdict.predictions()).isEqualTo(3);
        assertThat(verdict.deadLettersByReason()).containsEntry("MALFORMED_JSON", 1L);
        assertThat(ledger.storesPerSecond()).startsWith(1, 2);
    }

    @Test
    void shouldCountAReplayThatWritesTheSameOutcomeAgainAsARewriteNotAProblem() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T1", 0, 0, 0.10, START + 9_000));

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 1L), Map.of());

        assertThat(verdict.ok()).isTrue();
        assertThat(verdict.rewrites()).isEqualTo(1);
    }

    @Test
    void shouldFailATransactionThatWasGivenTwoDifferentPredictions() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.record(prediction("T1", 0, 0, 0.90, START + 9_000));

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 1L), Map.of());

        assertThat(verdict.ok()).isFalse();
        assertThat(verdict.problems()).containsExactly("0-0 (T1): a prediction that differs from the one read before it");
    }

    @Test
    void shouldFailAnInputWithBothAPredictionAndADeadLetter() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordDeadLetter(0, 0, "LATE_EVENT", START + 700);

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems())
                .containsExactly("0-0 has a dead letter (LATE_EVENT) and a prediction");
    }

    @Test
    void shouldFailAMissingInputAndAHostileMessageWithTheWrongReason() {
        ledger.record(prediction("T1", 0, 0, 0.10, START + 500));
        ledger.recordDeadLetter(0, 1, "INVALID_FIELD", START + 700);

        OutcomeLedger.Verdict verdict = ledger.verdict(Map.of(0, 3L), Map.of("0-1", "MALFORMED_JSON"));

        assertThat(verdict.problems()).containsExactly(
                "0-1 has dead letter INVALID_FIELD, expected MALFORMED_JSON",
                "1 inputs have no outcome, e.g. [0-2]");
    }

    @Test
    void shouldFailFeaturesThatAreNotTheExactOnes() {
        ledger.record(new PredictionDigest("T2", 0, 0, START, 2, 31.0, 2, 0.2, false, "v1"));

        assertThat(ledger.verdict(Map.of(0, 1L), Map.of()).problems()).containsExactly(
                "T2: stored features CardFeatures[txnCount24h=2, amountSum24h=31.0, txnCount7d=2],"
                        + " expected CardFeatures[txnCount24h=2, amountSum24h=30.0, txnCount7d=2]");
    }

    private static PredictionDigest prediction(String id, int partition, long offset, double probability, long storedMs) {
        CardFeatures f = Map.of("T1", new CardFeatures(1, 10.0, 1), "T2", new CardFeatures(2, 30.0, 2),
                "T3", new CardFeatures(1, 5.0, 3)).get(id);
        return new PredictionDigest(id, partition, offset, storedMs, f.txnCount24h(), f.amountSum24h(), f.txnCount7d(),
                probability, probability > 0.5, "v1");
    }
}
