package org.example.stages;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.example.Names;
import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
import org.example.model.Json;
import org.example.model.KafkaMessage;
import org.example.model.KafkaOrigin;
import org.example.model.Transaction;
import org.example.model.TransactionEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * INGEST: a raw Kafka record becomes a validated {@link Transaction}, or a dead letter that keeps
 * the raw payload. Nothing here trusts the producer: every field is checked, so that no later stage
 * scores a transaction on a silent default.
 */
public final class Ingest {

    /**
     * How far the event time may lie after the Kafka append time. A transaction cannot be
     * appended before it happened; a little slack absorbs clock skew between the terminal and the
     * broker. An event time far in the future would push the features' clock ahead and make every
     * later transaction look late, so such a message is rejected here.
     */
    public static final long MAX_CLOCK_SKEW_MS = 5 * 60_000;

    private static final ObjectReader TRANSACTION_READER = Json.strictReader(Transaction.class);

    private Ingest() {
    }

    /** The source's projection: keeps the bytes, so a malformed message is still recorded whole. */
    public static KafkaMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
        KafkaOrigin origin = new KafkaOrigin(record.partition(), record.offset(), record.timestamp());
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new KafkaMessage(origin, key, value);
    }

    /**
     * The card an outcome of INGEST belongs to, for routing it on to FEATURES: always the Kafka
     * key it arrived with (a valid transaction's card number equals it), so the step stays on the
     * member the key routed its message to.
     */
    public static String cardKey(Step<TransactionEvent> step) {
        return step.isOk() ? step.value().ccNum() : step.deadLetter().ccNum();
    }

    /** @param nowMs the time a dead letter is recorded at */
    public static Step<TransactionEvent> parse(KafkaMessage message, long nowMs) {
        KafkaOrigin origin = message.origin();
        if (message.value().length == 0) {
            return rejectRaw(DeadLetterReason.MALFORMED_JSON, "empty message", message, nowMs);
        }
        Transaction txn;
        try {
            txn = TRANSACTION_READER.readValue(message.value());
        } catch (StreamReadException e) {
            return rejectRaw(DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage(), message, nowMs);
        } catch (JacksonException e) {
            return rejectRaw(DeadLetterReason.INVALID_FIELD, fieldProblem(e), message, nowMs);
        } catch (IOException e) {
            return rejectRaw(DeadLetterReason.MALFORMED_JSON, "unreadable: " + e.getMessage(), message, nowMs);
        }
        String problem = validate(txn, message.key());
        if (problem != null) {
            return rejectRaw(DeadLetterReason.INVALID_FIELD, problem, message, nowMs);
        }
        if (txn.eventTimeMs() > origin.appendTimeMs() + MAX_CLOCK_SKEW_MS) {
            return Step.failed(DeadLetter.of(Names.Stage.INGEST, DeadLetterReason.EVENT_TIME_IN_FUTURE,
                    "event_time_ms " + txn.eventTimeMs() + " is " + (txn.eventTimeMs() - origin.appendTimeMs())
                            + " ms after the Kafka append time; at most " + MAX_CLOCK_SKEW_MS + " ms is tolerated",
                    txn, origin, nowMs));
        }
        return Step.ok(new TransactionEvent(txn, origin));
    }

    /** The first problem found, or {@code null} if the transaction is valid. */
    static String validate(Transaction txn, String key) {
        if (isBlank(txn.transactionId())) {
            return "transaction_id is blank";
        }
        if (isBlank(txn.ccNum())) {
            return "cc_num is blank";
        }
        if (isBlank(txn.merchantCode())) {
            return "merchant_code is blank";
        }
        if (!(txn.amount() > 0) || Double.isInfinite(txn.amount())) {
            return "amount must be a positive number, was " + txn.amount();
        }
        if (txn.eventTimeMs() <= 0) {
            return "event_time_ms must be positive epoch milliseconds, was " + txn.eventTimeMs();
        }
        if (!(Math.abs(txn.latitude()) <= 90) || !(Math.abs(txn.longitude()) <= 180)) {
            return "latitude/longitude out of range: " + txn.latitude() + ", " + txn.longitude();
        }
        if (!txn.ccNum().equals(key)) {
            // A card's transactions must share a partition to arrive in order; the features rely on it.
            return "message key '" + key + "' differs from cc_num '" + txn.ccNum()
                    + "'; the key must be the card number";
        }
        return null;
    }

    private static String fieldProblem(JacksonException e) {
        String path = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().get(m.getPath().size() - 1).getFieldName() : null;
        String message = e.getOriginalMessage().lines().findFirst().orElse("invalid field");
        return path == null ? message : path + ": " + message;
    }

    /** Keeps the whole message: Kafka bounds its size, and a dead letter must be replayable as it came. */
    private static Step<TransactionEvent> rejectRaw(DeadLetterReason reason, String detail, KafkaMessage message,
                                                    long nowMs) {
        return Step.failed(DeadLetter.of(Names.Stage.INGEST, reason, detail, message, nowMs));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
