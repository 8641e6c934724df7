package org.example.it;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.example.records.DeadLetterReason;
import org.example.records.Transaction;
import org.example.tokens.CardTokens;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What INGEST must make of a message, decided from docs/DATA.md alone, on the JSON tree rather
 * than through the job's record binding: a second reading of the same rules, to hold the job's to.
 * Either the transaction it is, with exactly the values written, or the reason it is refused.
 */
final class MessageOracle {

    /** The verdict on one message. */
    record Verdict(Transaction transaction, DeadLetterReason reason) {
        boolean valid() {
            return transaction != null;
        }
    }

    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final long EARLIEST_EVENT_TIME_MS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    static final long MAX_CLOCK_SKEW_MS = 5 * 60_000;
    private static final List<String> IDENTIFIERS = List.of("transaction_id", "cc_num", "merchant_code");
    private static final List<String> NUMBERS = List.of("amount", "latitude", "longitude");

    private final ObjectMapper tree = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(64 * 1024).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());
    private final double maxAmount;

    MessageOracle(double maxAmount) {
        this.maxAmount = maxAmount;
    }

    Verdict judge(String key, byte[] value, long appendTimeMs) {
        if (value.length > MAX_MESSAGE_BYTES) {
            return refuse(DeadLetterReason.MESSAGE_TOO_LARGE);
        }
        JsonNode root;
        try (JsonParser parser = tree.getFactory().createParser(value)) {
            root = tree.readTree(parser);
            if (root == null || !root.isObject() || parser.nextToken() != null) {
                return refuse(DeadLetterReason.MALFORMED_JSON);
            }
        } catch (Exception notJson) {
            return refuse(DeadLetterReason.MALFORMED_JSON);
        }
        for (String field : IDENTIFIERS) {
            JsonNode node = root.get(field);
            if (node == null || !node.isTextual() || !isIdentifier(node.textValue())) {
                return refuse(DeadLetterReason.INVALID_FIELD);
            }
        }
        for (String field : NUMBERS) {
            JsonNode node = root.get(field);
            if (node == null || !node.isNumber() || !Double.isFinite(node.doubleValue())) {
                return refuse(DeadLetterReason.INVALID_FIELD);
            }
        }
        JsonNode time = root.get("event_time_ms");
        if (time == null || !time.isIntegralNumber() || !time.canConvertToLong()) {
            return refuse(DeadLetterReason.INVALID_FIELD);
        }
        double amount = root.get("amount").doubleValue();
        double latitude = root.get("latitude").doubleValue();
        double longitude = root.get("longitude").doubleValue();
        String ccNum = root.get("cc_num").textValue();
        long eventTimeMs = time.longValue();
        if (!(amount > 0) || amount > maxAmount || new BigDecimal(Double.toString(amount)).stripTrailingZeros().scale() > 2
                || eventTimeMs < EARLIEST_EVENT_TIME_MS || latitude < -90 || latitude > 90
                || longitude < -180 || longitude > 180 || !ccNum.matches("[0-9]{12,19}") || !ccNum.equals(key)) {
            return refuse(DeadLetterReason.INVALID_FIELD);
        }
        if (eventTimeMs > appendTimeMs + MAX_CLOCK_SKEW_MS) {
            return refuse(DeadLetterReason.EVENT_TIME_IN_FUTURE);
        }
        // What INGEST makes of it: the card as its token under the tests' key, its BIN and last four.
        return new Verdict(new Transaction(root.get("transaction_id").textValue(), CardTokens.configured().token(ccNum),
                ccNum.substring(0, 6), ccNum.substring(ccNum.length() - 4), root.get("merchant_code").textValue(), amount,
                eventTimeMs, latitude, longitude), null);
    }

    /** At most 64 UTF-16 units, not all white space, no control character, every surrogate in a pair. */
    private static boolean isIdentifier(String s) {
        if (s.length() > 64 || s.chars().allMatch(Character::isWhitespace)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static Verdict refuse(DeadLetterReason reason) {
        return new Verdict(null, reason);
    }
}
