package org.example.stages;

import org.example.TestData;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.Json;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.NOW;
import static org.example.TestData.START;
import static org.example.TestData.message;

class IngestTest {

    private static final Ingest.Limits LIMITS = Ingest.Limits.of(1_000_000);
    private static final String VALID = """
            {"transaction_id": "T1", "cc_num": "%s", "merchant_code": "M00001", "amount": 42.5,
             "event_time_ms": %d, "latitude": 40.71, "longitude": -74.01}""".formatted(CARD, START);

    @Test
    void shouldParseAValidMessage() {
        KafkaMessage message = message(CARD, VALID, START + 1000);

        Step<TransactionEvent> step = Ingest.parse(message, LIMITS, NOW);

        assertThat(step.value()).isEqualTo(new TransactionEvent(
                new Transaction("T1", TestData.token(CARD), "400000", "0001", "M00001", 42.5, START, 40.71, -74.01),
                message.origin()));
        assertThat(Json.toJson(step.value())).as("nothing downstream holds the card number").doesNotContain(CARD);
    }

    @Test
    void shouldIgnoreFieldsItDoesNotKnow() {
        String withExtra = VALID.replace("{", "{\"currency\": \"USD\", \"tags\": [1, {\"a\": null}], ");

        assertThat(Ingest.parse(message(CARD, withExtra, START), LIMITS, NOW).isOk()).isTrue();
    }

    @Test
    void shouldTakeAWholeNumberAsAnAmount() {
        assertThat(Ingest.parse(message(CARD, VALID.replace("42.5", "42"), START + 1000), LIMITS, NOW)
                .value().transaction().amount()).isEqualTo(42.0);
    }

    @Test
    void shouldDeadLetterSomethingThatIsNotJsonWithTheWholeMessage() {
        KafkaMessage message = message(CARD, "not json at all", START + 1000);

        DeadLetter dead = Ingest.parse(message, LIMITS, NOW).deadLetter();

        assertThat(dead).isEqualTo(new DeadLetter("INGEST", "MALFORMED_JSON", dead.detail(), "not json at all", "",
                TestData.token(CARD), TestData.TOPIC, 1, 42, START + 1000, NOW));
        assertThat(dead.detail()).startsWith("not valid JSON: Unrecognized token 'not'");
    }

    @Test
    void shouldDeadLetterAnEmptyMessage() {
        assertThat(deadLetterOf(CARD, "")).isEqualTo("MALFORMED_JSON: empty message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "42", "\"T1\"", "true", "[{\"transaction_id\": \"T1\"}]"})
    void shouldDeadLetterJsonThatIsNotAnObjectAsMalformed(String json) {
        assertThat(deadLetterOf(CARD, json)).startsWith("MALFORMED_JSON: not a ");
    }

    @ParameterizedTest
    @ValueSource(strings = {" }}garbage", " {}", " 42", "x", ",", "\u0000"})
    void shouldDeadLetterAnythingAfterTheObjectAsMalformed(String trailing) {
        assertThat(deadLetterOf(CARD, VALID + trailing)).startsWith("MALFORMED_JSON: ");
    }

    @Test
    void shouldDeadLetterBytesThatAreNotUtf8AsMalformedWhereverTheyAre() {
        byte[] value = VALID.getBytes(StandardCharsets.UTF_8);
        value[VALID.indexOf("T1")] = (byte) 0xa7;

        Step<TransactionEvent> step = Ingest.parse(new KafkaMessage(new KafkaOrigin(TestData.TOPIC, 1, 42, START), CARD,
                TestData.token(CARD), value), LIMITS, NOW);

        assertThat(step.deadLetter().reason() + ": " + step.deadLetter().detail())
                .isEqualTo("MALFORMED_JSON: not valid JSON: Invalid UTF-8 start byte 0xa7");
    }

    @Test
    void shouldCallAMessageMalformedWhenBrokenBytesFollowAFieldOfTheWrongType() {
        String json = VALID.replace("\"" + CARD + "\"", "[4000\"").replace("-74.01}", "-74.01");

        assertThat(deadLetterOf(CARD, json)).startsWith("MALFORMED_JSON: not valid JSON: ");
    }

    @Test
    void shouldDeadLetterAFieldGivenTwice() {
        String twice = VALID.replace("{", "{\"amount\": 1.0, ");

        assertThat(deadLetterOf(CARD, twice)).isEqualTo("MALFORMED_JSON: not valid JSON: Duplicate field 'amount'");
    }

    @Test
    void shouldDeadLetterNestingDeeperThanTheLimit() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);

        assertThat(deadLetterOf(CARD, VALID.replace("{", "{\"x\": " + deep + ", "))).startsWith("MALFORMED_JSON: ");
    }

    @Test
    void shouldDeadLetterAMessageLargerThanTheLimitKeepingItsStart() {
        String huge = VALID.replace("{", "{\"padding\": \"" + "x".repeat(Ingest.MAX_MESSAGE_BYTES) + "\", ");

        DeadLetter dead = Ingest.parse(message(CARD, huge, START + 1000), LIMITS, NOW).deadLetter();

        assertThat(dead.reason()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(dead.detail()).startsWith("the message has " + huge.length() + " bytes; at most 65536");
        assertThat(dead.payload()).hasSize(Ingest.MAX_MESSAGE_BYTES).startsWith("{\"padding\"");
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource(delimiter = '|', value = {
            // in the valid message | replaced by | the detail starts with
            "42.5       | \"42.50\"    | amount: Cannot coerce String value (\"42.50\") to `double` value",
            "\"T1\"     | 17           | transaction_id: Cannot coerce Integer value (17) to `java.lang.String` value",
            "\"M00001\" | true         | merchant_code: Cannot coerce Boolean value (true) to `java.lang.String` value",
            "\"M00001\" | [\"M00001\"] | merchant_code: Cannot deserialize value of type `java.lang.String` from Array value",
            "40.71      | \"40.71\"    | latitude: Cannot coerce String value (\"40.71\") to `double` value",
            "42.5       | null         | amount: Cannot map `null` into type `double`",
    })
    void shouldDeadLetterAValueOfTheWrongJsonTypeRatherThanCoerceIt(String original, String replacement, String detail) {
        assertThat(deadLetterOf(CARD, VALID.replace(original, replacement))).startsWith("INVALID_FIELD: " + detail);
    }

    @Test
    void shouldDeadLetterAnEventTimeGivenAsTextOrAsAFraction() {
        String asText = VALID.replace(String.valueOf(START), "\"" + START + "\"");
        String asFraction = VALID.replace(String.valueOf(START), START + ".5");

        assertThat(deadLetterOf(CARD, asText)).startsWith("INVALID_FIELD: event_time_ms: Cannot coerce String value");
        assertThat(deadLetterOf(CARD, asFraction)).startsWith("INVALID_FIELD: event_time_ms: Cannot coerce Floating-point");
    }

    @Test
    void shouldDeadLetterAnEventTimeBeyondTheRangeOfLongAsAnInvalidField() {
        // Nineteen digits are shaped like a card number: the raw message's dead letter masks them.
        assertThat(deadLetterOf(CARD, VALID.replace(String.valueOf(START), "9223372036854775808")))
                .startsWith("INVALID_FIELD: event_time_ms: Numeric value (922337*********5808) out of range of long");
    }

    @Test
    void shouldNameAMissingField() {
        assertThat(deadLetterOf(CARD, VALID.replace("\"amount\": 42.5,", "")))
                .startsWith("INVALID_FIELD: amount: Missing creator property 'amount'");
    }

    @ParameterizedTest(name = "amount {0}")
    @CsvSource(delimiter = '|', value = {
            "-3      | amount must be positive, was -3.0",
            "0       | amount must be positive, was 0.0",
            "1e308   | amount 1.0E308 is above the limit of 1000000.0 (--max-amount)",
            "1000000.01 | amount 1000000.01 is above the limit of 1000000.0 (--max-amount)",
            "42.505  | amount 42.505 has more than two decimals",
            "0.001   | amount 0.001 has more than two decimals",
    })
    void shouldDeadLetterAnAmountOutOfItsRange(String amount, String detail) {
        assertThat(deadLetterOf(CARD, VALID.replace("42.5", amount))).isEqualTo("INVALID_FIELD: " + detail);
    }

    @Test
    void shouldAcceptTheLargestAmountAndTheSmallest() {
        assertThat(Ingest.parse(message(CARD, VALID.replace("42.5", "1000000.00"), START + 1000), LIMITS, NOW).isOk()).isTrue();
        assertThat(Ingest.parse(message(CARD, VALID.replace("42.5", "0.01"), START + 1000), LIMITS, NOW).isOk()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "\" \"|cc_num is missing or blank",
            "\"4000\\u0007123\"|cc_num contains the control character U+0007",
            "\"4000\\ud800\"|cc_num contains half of a surrogate pair (U+D800)",
            "\"40000000000000000000000000000000000000000000000000000000000000001\"|cc_num is 65 characters long; at most 64 are allowed",
            "\"4000 0000 0000 0001\"|cc_num is not a card number of 12 to 19 digits",
            "\"40000000001\"|cc_num is not a card number of 12 to 19 digits",
            "\"40000000000000000001\"|cc_num is not a card number of 12 to 19 digits",
            "\"4000-card-number\"|cc_num is not a card number of 12 to 19 digits",
    })
    void shouldDeadLetterACardNumberThatCannotBeAnIdentifier(String ccNum, String detail) {
        assertThat(deadLetterOf(CARD, VALID.replace("\"" + CARD + "\"", ccNum))).isEqualTo("INVALID_FIELD: " + detail);
    }

    @Test
    void shouldAcceptAnIdentifierBeyondTheBasicPlane() {
        String emoji = "T\uD83D\uDE00\u05D0";

        assertThat(Ingest.parse(message(CARD, VALID.replace("\"T1\"", "\"" + emoji + "\""), START + 1000), LIMITS, NOW)
                .value().transaction().transactionId()).isEqualTo(emoji);
    }

    @Test
    void shouldDeadLetterAKeyThatIsNotTheCardNumberWithoutTellingEither() {
        assertThat(deadLetterOf("4000000000000999", VALID)).isEqualTo(
                "INVALID_FIELD: the message key differs from cc_num; the key must be the card number");
    }

    @Test
    void shouldMaskEveryCardNumberInTheRawMessageItKeeps() {
        String broken = VALID.replace("\"T1\"", "\"4111 1111 1111 1111\"").replace("-74.01}", "-74.01");
        KafkaMessage message = message(CARD, broken, START + 1000);

        DeadLetter dead = Ingest.parse(message, LIMITS, NOW).deadLetter();

        assertThat(dead.payload()).contains("\"400000******0001\"", "\"411111******1111\"").doesNotContain(CARD)
                .doesNotContain("4111 1111 1111 1111");
        assertThat(dead.cardToken()).isEqualTo(TestData.token(CARD));
    }

    @Test
    void shouldDeadLetterAnImpossibleLatitudeOrLongitude() {
        assertThat(deadLetterOf(CARD, VALID.replace("40.71", "91.0")))
                .isEqualTo("INVALID_FIELD: latitude 91.0 is outside [-90, 90]");
        assertThat(deadLetterOf(CARD, VALID.replace("-74.01", "-181")))
                .isEqualTo("INVALID_FIELD: longitude -181.0 is outside [-180, 180]");
    }

    @Test
    void shouldDeadLetterAnEventTimeBefore2000() {
        assertThat(deadLetterOf(CARD, VALID.replace(String.valueOf(START), "1767225600"))).startsWith(
                "INVALID_FIELD: event_time_ms 1767225600 is before 2000-01-01");
    }

    @Test
    void shouldDeadLetterAnEventTimeFarAfterTheKafkaAppendTime() {
        KafkaMessage message = message(CARD, VALID, START - 10 * 60_000);

        DeadLetter dead = Ingest.parse(message, LIMITS, NOW).deadLetter();

        assertThat(dead.reason()).isEqualTo(DeadLetterReason.EVENT_TIME_IN_FUTURE.name());
        assertThat(dead.detail()).isEqualTo("event_time_ms " + START + " is 600000 ms after the Kafka append time;"
                + " at most 300000 ms is tolerated");
        assertThat(dead.transactionId()).isEqualTo("T1");
    }

    @Test
    void shouldTolerateSmallClockSkew() {
        assertThat(Ingest.parse(message(CARD, VALID, START - 60_000), LIMITS, NOW).isOk()).isTrue();
    }

    @Test
    void shouldTurnAnythingUnforeseenIntoTheMessagesOwnDeadLetter() {
        KafkaMessage noBytes = new KafkaMessage(new KafkaOrigin(TestData.TOPIC, 2, 7, START), CARD, TestData.token(CARD), null);

        DeadLetter dead = Ingest.parse(noBytes, LIMITS, NOW).deadLetter();

        assertThat(dead.reason()).isEqualTo(DeadLetterReason.INTERNAL_ERROR.name());
        assertThat(dead.detail()).startsWith("unexpected java.lang.NullPointerException");
        assertThat(dead.key()).isEqualTo("transactions/2/7");
    }

    @Test
    void shouldRouteEveryOutcomeByTheTokenOfTheKafkaKeyItArrivedWith() {
        // FEATURES is reached over an edge partitioned by this key; it must not move a step to another member.
        assertThat(Ingest.cardKey(Ingest.parse(message(CARD, VALID, START), LIMITS, NOW))).isEqualTo(TestData.token(CARD));
        assertThat(Ingest.cardKey(Ingest.parse(message(CARD, "garbage", START), LIMITS, NOW))).isEqualTo(TestData.token(CARD));
        assertThat(Ingest.cardKey(Ingest.parse(message("other-key", VALID, START), LIMITS, NOW)))
                .isEqualTo(TestData.token("other-key"));
        assertThat(Ingest.cardKey(Ingest.parse(message(null, "garbage", START), LIMITS, NOW))).isEmpty();
    }

    /** "REASON: detail" of the dead letter the message must become. */
    private static String deadLetterOf(String key, String json) {
        KafkaMessage message = TestData.message(key, json, START + 1000);
        Step<TransactionEvent> step = Ingest.parse(message, LIMITS, NOW);
        assertThat(step.isOk()).as("expected a dead letter for %s", json).isFalse();
        return step.deadLetter().reason() + ": " + step.deadLetter().detail();
    }
}
