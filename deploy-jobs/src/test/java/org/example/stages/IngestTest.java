package org.example.stages;

import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
import org.example.model.Transaction;
import org.example.model.TransactionEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.NOW;
import static org.example.TestData.START;
import static org.example.TestData.message;

class IngestTest {

    private static final String VALID = """
            {"transaction_id": "T1", "cc_num": "%s", "merchant_code": "M00001", "amount": 42.5,
             "event_time_ms": %d, "latitude": 40.71, "longitude": -74.01}""".formatted(CARD, START);

    @Test
    void shouldParseAValidMessage() {
        Step<TransactionEvent> step = Ingest.parse(message(CARD, VALID, START + 1000), NOW);

        assertThat(step.value().transaction())
                .isEqualTo(new Transaction("T1", CARD, "M00001", 42.5, START, 40.71, -74.01));
        assertThat(step.value().origin().appendTimeMs()).isEqualTo(START + 1000);
    }

    @Test
    void shouldIgnoreFieldsItDoesNotKnow() {
        String withExtra = VALID.replace("{", "{\"currency\": \"USD\", ");

        assertThat(Ingest.parse(message(CARD, withExtra, START), NOW).isOk()).isTrue();
    }

    @Test
    void shouldDeadLetterSomethingThatIsNotJson() {
        DeadLetter dead = deadLetterOf(CARD, "not json at all");

        assertThat(dead.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON.name());
        assertThat(dead.detail()).startsWith("not valid JSON");
        assertThat(dead.payload()).isEqualTo("not json at all");
        assertThat(dead.stage()).isEqualTo("INGEST");
        assertThat(dead.key()).isEqualTo("1-42");
    }

    @Test
    void shouldDeadLetterAnEmptyMessage() {
        assertThat(deadLetterOf(CARD, "").detail()).isEqualTo("empty message");
    }

    @Test
    void shouldNameAMissingField() {
        DeadLetter dead = deadLetterOf(CARD, VALID.replace("\"amount\": 42.5,", ""));

        assertThat(dead.reason()).isEqualTo(DeadLetterReason.INVALID_FIELD.name());
        assertThat(dead.detail()).contains("amount");
    }

    @Test
    void shouldRejectANullAmountRatherThanReadItAsZero() {
        DeadLetter dead = deadLetterOf(CARD, VALID.replace("42.5", "null"));

        assertThat(dead.reason()).isEqualTo(DeadLetterReason.INVALID_FIELD.name());
        assertThat(dead.detail()).contains("amount");
    }

    @Test
    void shouldRejectATextWhereANumberBelongs() {
        assertThat(deadLetterOf(CARD, VALID.replace("42.5", "\"lots\"")).detail()).contains("amount");
    }

    @Test
    void shouldRejectANonPositiveAmount() {
        assertThat(deadLetterOf(CARD, VALID.replace("42.5", "-3")).detail())
                .isEqualTo("amount must be a positive number, was -3.0");
    }

    @Test
    void shouldRejectABlankCardNumber() {
        assertThat(deadLetterOf("", VALID.replace(CARD, " ")).detail()).isEqualTo("cc_num is blank");
    }

    @Test
    void shouldRejectAKeyThatIsNotTheCardNumber() {
        assertThat(deadLetterOf("someone-else", VALID).detail())
                .contains("differs from cc_num", "the key must be the card number");
    }

    @Test
    void shouldRejectAnImpossibleLatitude() {
        assertThat(deadLetterOf(CARD, VALID.replace("40.71", "91.0")).detail()).startsWith("latitude/longitude");
    }

    @Test
    void shouldRejectAnEventTimeFarAfterTheKafkaAppendTime() {
        long appendedTenMinutesBefore = START - 10 * 60_000;

        Step<TransactionEvent> step = Ingest.parse(message(CARD, VALID, appendedTenMinutesBefore), NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.EVENT_TIME_IN_FUTURE.name());
        assertThat(step.deadLetter().transactionId()).isEqualTo("T1");
    }

    @Test
    void shouldTolerateSmallClockSkew() {
        assertThat(Ingest.parse(message(CARD, VALID, START - 60_000), NOW).isOk()).isTrue();
    }

    @Test
    void shouldRouteEveryOutcomeByTheKafkaKeyItArrivedWith() {
        // FEATURES is reached over an edge partitioned by this key; it must not move a step to another member.
        assertThat(Ingest.cardKey(Ingest.parse(message(CARD, VALID, START), NOW))).isEqualTo(CARD);
        assertThat(Ingest.cardKey(Ingest.parse(message(CARD, "garbage", START), NOW))).isEqualTo(CARD);
        assertThat(Ingest.cardKey(Ingest.parse(message("other-key", VALID, START), NOW))).isEqualTo("other-key");
        assertThat(Ingest.cardKey(Ingest.parse(message(null, "garbage", START), NOW))).isEmpty();
    }

    private static DeadLetter deadLetterOf(String key, String json) {
        Step<TransactionEvent> step = Ingest.parse(message(key, json, START + 1000), NOW);
        assertThat(step.isOk()).as("expected a dead letter for %s", json).isFalse();
        return step.deadLetter();
    }
}
