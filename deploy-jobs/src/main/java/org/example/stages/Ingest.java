package org.example.stages;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.example.definition.Names;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.Hops;
import org.example.records.Json;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.KafkaTransaction;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;
import org.example.tokens.CardTokens;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.example.stages.FieldRules.cardNumberProblem;
import static org.example.stages.FieldRules.first;
import static org.example.stages.FieldRules.identifierProblem;
import static org.example.stages.FieldRules.latitudeProblem;
import static org.example.stages.FieldRules.longitudeProblem;

/**
 * INGEST: a raw Kafka record becomes a validated {@link Transaction}, or a dead letter that keeps
 * the raw payload. Nothing here trusts the producer: the JSON must be exactly what docs/DATA.md
 * says (types included: no string is read as a number, no number as a string), every value must be
 * in its range, and nothing may follow the object, so that no later stage scores a transaction on
 * a coerced or silent default.
 */
public final class Ingest {

    /**
     * How far the event time may lie after the Kafka append time. A transaction cannot be
     * appended before it happened; a little slack absorbs clock skew between the terminal and the
     * broker. An event time far in the future would push the features' clock ahead and make every
     * later transaction look late, so such a message is rejected here.
     */
    public static final long MAX_CLOCK_SKEW_MS = 5 * 60_000;
    /** No transaction of a card in use happened before 2000; an earlier time is a unit mistake. */
    public static final long EARLIEST_EVENT_TIME_MS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    /** A transaction is a few hundred bytes; a message 100 times that is not one. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private static final ObjectReader TRANSACTION_READER = Json.messageReader(KafkaTransaction.class);

    /** What a valid transaction may be, beyond its types: the configurable limits. */
    public record Limits(long maxAmountCents) implements Serializable {

        public static Limits of(double maxAmount) {
            return new Limits(Amounts.cents(maxAmount));
        }
    }

    private Ingest() {
    }

    /**
     * The source's projection: keeps the bytes, so a malformed message is still recorded whole, and
     * makes the key's token here, with this member's key file, so that a card's messages are routed
     * by it to the member that holds the card's state.
     */
    public static KafkaMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
        KafkaOrigin origin = new KafkaOrigin(record.topic(), record.partition(), record.offset(), record.timestamp(),
                Hops.polledAt(System.currentTimeMillis()));
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return new KafkaMessage(origin, key, key == null ? "" : CardTokens.configured().token(key), value);
    }

    /**
     * The card an outcome of INGEST belongs to, for routing it on to FEATURES: always the token of
     * the Kafka key it arrived with (a valid transaction's card number equals the key), so the step
     * stays on the member the key routed its message to.
     */
    public static String cardKey(Step<TransactionEvent> step) {
        return step.isOk() ? step.value().cardToken() : step.deadLetter().cardToken();
    }

    /**
     * INGEST as the pipeline runs it. Never throws: whatever no rule foresaw becomes this message's
     * {@code INTERNAL_ERROR} dead letter, with the raw message.
     *
     * @param nowMs the time a dead letter is recorded at
     */
    public static Step<TransactionEvent> parse(KafkaMessage message, Limits limits, long nowMs) {
        return contain(message, nowMs, (m, now) -> read(m, limits, now));
    }

    /** Runs {@code ingest} on one message; an exception becomes the message's INTERNAL_ERROR dead letter. */
    public static Step<TransactionEvent> contain(KafkaMessage message, long nowMs,
                                                 Step.StageFunction<KafkaMessage, TransactionEvent> ingest) {
        try {
            Step<TransactionEvent> step = ingest.apply(message, nowMs);
            if (step == null) {
                throw new IllegalStateException(Names.Stage.INGEST + " returned no outcome");
            }
            return step;
        } catch (Exception e) {
            return reject(DeadLetterReason.INTERNAL_ERROR, DeadLetter.unexpected(e), message, nowMs);
        }
    }

    /** The rules of INGEST (docs/DATA.md): the transaction, or the dead letter that says which rule it broke. */
    public static Step<TransactionEvent> read(KafkaMessage message, Limits limits, long nowMs) {
        byte[] value = message.value();
        if (value.length > MAX_MESSAGE_BYTES) {
            // Its first bytes show what it was; a megabyte per dead letter would not help anyone.
            String start = new String(value, 0, MAX_MESSAGE_BYTES, StandardCharsets.UTF_8);
            return Step.failed(DeadLetter.of(Names.Stage.INGEST, DeadLetterReason.MESSAGE_TOO_LARGE,
                    "the message has " + value.length + " bytes; at most " + MAX_MESSAGE_BYTES
                            + " are read, and the payload keeps those", CardTokens.mask(start), "", message.cardKey(),
                    message.origin(), nowMs));
        }
        if (value.length == 0) {
            return reject(DeadLetterReason.MALFORMED_JSON, "empty message", message, nowMs);
        }
        KafkaTransaction raw;
        try {
            raw = TRANSACTION_READER.readValue(value);
        } catch (JsonMappingException e) {
            // Bytes that are not JSON make the document malformed, wherever they are (inside a
            // field's string, say); a value of the wrong type is its field's; a problem at the top
            // is the message's shape (an array, a number, something after the object).
            if (isNotJson(e)) {
                return reject(DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + firstLine(e), message, nowMs);
            }
            String malformed = Json.wellFormednessProblem(value);
            if (malformed != null) {
                return reject(DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + malformed, message, nowMs);
            }
            return e.getPath().isEmpty()
                    ? reject(DeadLetterReason.MALFORMED_JSON, "not a single JSON object: " + firstLine(e), message, nowMs)
                    : reject(DeadLetterReason.INVALID_FIELD, fieldOf(e) + ": " + firstLine(e), message, nowMs);
        } catch (IOException e) {
            return reject(DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + firstLine(e), message, nowMs);
        }
        if (raw == null) {
            return reject(DeadLetterReason.MALFORMED_JSON, "not a JSON object but null", message, nowMs);
        }
        String problem = validate(raw, message.key(), limits);
        if (problem != null) {
            return reject(DeadLetterReason.INVALID_FIELD, problem, message, nowMs);
        }
        // The card number equals the key, so the key's token, made at the source, is the card's.
        Transaction txn = new Transaction(raw.transactionId(), message.cardKey(), CardTokens.bin(raw.ccNum()),
                CardTokens.last4(raw.ccNum()), raw.merchantCode(), raw.amount(), raw.eventTimeMs(), raw.latitude(),
                raw.longitude());
        KafkaOrigin origin = message.origin();
        if (txn.eventTimeMs() > origin.appendTimeMs() + MAX_CLOCK_SKEW_MS) {
            return Step.failed(DeadLetter.of(Names.Stage.INGEST, DeadLetterReason.EVENT_TIME_IN_FUTURE,
                    "event_time_ms " + txn.eventTimeMs() + " is " + (txn.eventTimeMs() - origin.appendTimeMs())
                            + " ms after the Kafka append time; at most " + MAX_CLOCK_SKEW_MS + " ms is tolerated",
                    txn, origin, nowMs));
        }
        return Step.ok(new TransactionEvent(txn, origin.withHops(origin.hops().ingestedAt(nowMs))));
    }

    /** The first rule the transaction breaks (docs/DATA.md), or {@code null} if it is valid. */
    static String validate(KafkaTransaction txn, String key, Limits limits) {
        String problem = first(
                identifierProblem("transaction_id", txn.transactionId()),
                identifierProblem("cc_num", txn.ccNum()),
                cardNumberProblem("cc_num", txn.ccNum()),
                identifierProblem("merchant_code", txn.merchantCode()),
                Amounts.problem("amount", txn.amount(), limits.maxAmountCents()),
                txn.eventTimeMs() >= EARLIEST_EVENT_TIME_MS ? null
                        : "event_time_ms " + txn.eventTimeMs() + " is before 2000-01-01 (" + EARLIEST_EVENT_TIME_MS
                                + "); it must be epoch milliseconds",
                latitudeProblem("latitude", txn.latitude()),
                longitudeProblem("longitude", txn.longitude()));
        if (problem == null && !txn.ccNum().equals(key)) {
            // A card's transactions must share a partition to arrive in order; the features rely on it.
            // Neither value is told: either may be a card number.
            return "the message key differs from cc_num; the key must be the card number";
        }
        return problem;
    }

    /** Whether the parser itself gave up; a number too large for its field's type is a bad value, not bad JSON. */
    private static boolean isNotJson(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException
                    || cause instanceof StreamReadException && !(cause instanceof InputCoercionException)) {
                return true;
            }
        }
        return false;
    }

    private static String fieldOf(JsonMappingException e) {
        JsonMappingException.Reference field = e.getPath().get(e.getPath().size() - 1);
        return field.getFieldName() != null ? field.getFieldName() : "[" + field.getIndex() + "]";
    }

    private static String firstLine(Exception e) {
        String message = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

    /** Keeps the whole message: a dead letter must be replayable as it came. */
    private static Step<TransactionEvent> reject(DeadLetterReason reason, String detail, KafkaMessage message,
                                                 long nowMs) {
        return Step.failed(DeadLetter.of(Names.Stage.INGEST, reason, detail, message, nowMs));
    }
}
