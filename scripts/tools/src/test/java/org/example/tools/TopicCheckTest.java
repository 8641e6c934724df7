package org.example.tools;

import org.example.TestData;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.Decision;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.Reason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.prediction;

class TopicCheckTest {

    private static final Reason A_REASON = new Reason("txn_count_24h", 7, 1.2, "7 transactions in 24 h");

    /** A decision as the job writes it: a flagged one with its reasons. */
    private static String decision(String id, long offset, boolean flagged) {
        TestData.PredictionBuilder prediction = prediction(id).offset(offset).flagged(flagged);
        return Json.toJson(Decision.of((flagged ? prediction.band("DECLINE", A_REASON) : prediction).build()));
    }

    private static String deadLetter(long offset) {
        return Json.toJson(DeadLetter.of("INGEST", DeadLetterReason.MALFORMED_JSON, "not JSON", "{oops", "", "tok",
                new KafkaOrigin(TestData.TOPIC, 0, offset, 1), 2));
    }

    @Test
    void shouldPassWhenEachInputAppearsOnceAsADecisionOrADeadLetter() {
        TopicCheck.Tally tally = new TopicCheck.Tally();

        tally.add(decision("T1", 1, false));
        tally.add(decision("T2", 2, true));
        tally.add(deadLetter(3));

        assertThat(tally.problems(3)).isEmpty();
        assertThat(tally.distinctTransactionIds()).isEqualTo(2);
        assertThat(tally.byDecision()).containsEntry("APPROVE", 1L).containsEntry("DECLINE", 1L)
                .containsEntry("dead letter: MALFORMED_JSON", 1L);
        assertThat(tally.byBand()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("APPROVE", 1L, "DECLINE", 1L));
    }

    @Test
    void shouldReportAnInputSeenTwiceByItsPosition() {
        TopicCheck.Tally tally = new TopicCheck.Tally();

        tally.add(decision("T1", 1, false));
        tally.add(decision("T1", 1, false));

        assertThat(tally.problems(1)).singleElement().asString()
                .contains("1 records seen twice", KafkaOrigin.key(TestData.TOPIC, 0, 1) + " (T1)");
    }

    @Test
    void shouldReportAFlaggedDecisionWithoutReasonsAndNotAnApprovalWithout() {
        TopicCheck.Tally tally = new TopicCheck.Tally();

        tally.add(decision("T1", 1, false));
        tally.add(Json.toJson(Decision.of(prediction("T2").offset(2).band("REVIEW").build())));

        assertThat(tally.flaggedWithoutReasons()).containsExactly(KafkaOrigin.key(TestData.TOPIC, 0, 2) + " (T2, REVIEW)");
        assertThat(tally.problems(2)).singleElement().asString().startsWith("1 flagged decisions without reasons");
    }

    @Test
    void shouldReportAMissingInput() {
        TopicCheck.Tally tally = new TopicCheck.Tally();

        tally.add(decision("T1", 1, false));

        assertThat(tally.problems(2)).containsExactly("1 distinct inputs, expected 2");
    }

    @Test
    void shouldReportARecordThatIsNeitherADecisionNorADeadLetter() {
        TopicCheck.Tally tally = new TopicCheck.Tally();

        tally.add("{\"hello\": 1}");
        tally.add("not json");

        assertThat(tally.problems(0)).containsExactly("2 records that are neither a decision nor a dead letter");
    }

    @Test
    void shouldRefuseToRunWithoutTheExpectedCount() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = TopicCheck.run(new String[0], new PrintStream(out), new PrintStream(err));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--expected=<expected>'");
    }
}
