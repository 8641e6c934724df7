package org.example.records;

import org.example.tokens.CardTokens;

import java.nio.charset.StandardCharsets;

/**
 * Value of {@code deadLetters}, keyed by {@link KafkaOrigin#key()}: an input that could not be
 * scored, why, and at which stage. {@code transactionId} is empty when the message could not even
 * be parsed; {@code payload} then holds the raw message, with anything shaped like a card number
 * masked to its BIN and last four, and {@code cardToken} the token of its Kafka key. The message
 * itself stays in the topic at {@code originTopic}/{@code originPartition}/{@code originOffset},
 * for as long as the topic keeps it.
 *
 * @param reason         a {@link DeadLetterReason} name, for grouping
 * @param detail         what exactly was wrong, for a person
 * @param recordedTimeMs when the stage gave up on the input
 */
public record DeadLetter(
        String stage,
        String reason,
        String detail,
        String payload,
        String transactionId,
        String cardToken,
        String originTopic,
        int originPartition,
        long originOffset,
        long appendTimeMs,
        long recordedTimeMs) {

    /** The one way to build a dead letter: what it is about, where it came from, and when. */
    public static DeadLetter of(String stage, DeadLetterReason reason, String detail, String payload,
                                String transactionId, String cardToken, KafkaOrigin origin, long nowMs) {
        return new DeadLetter(stage, reason.name(), detail, payload, transactionId, cardToken, origin.topic(),
                origin.partition(), origin.offset(), origin.appendTimeMs(), nowMs);
    }

    /** For an input whose transaction was already parsed; the payload is its JSON. */
    public static DeadLetter of(String stage, DeadLetterReason reason, String detail,
                                Transaction transaction, KafkaOrigin origin, long nowMs) {
        return of(stage, reason, detail, Json.toJson(transaction), transaction.transactionId(), transaction.cardToken(),
                origin, nowMs);
    }

    /**
     * For a raw input that never became a transaction: the payload is the message as it came (card
     * numbers masked), and its card the token of the Kafka key the producer gave it, the best clue
     * there is (empty if none).
     */
    public static DeadLetter of(String stage, DeadLetterReason reason, String detail, KafkaMessage message,
                                long nowMs) {
        String payload = message.value() == null ? "" : new String(message.value(), StandardCharsets.UTF_8);
        return of(stage, reason, CardTokens.mask(detail), CardTokens.mask(payload), "", message.cardKey(), message.origin(),
                nowMs);
    }

    /**
     * The detail of an {@code INTERNAL_ERROR}: the exception's class and message, and where it was
     * thrown, enough to find the bug without the member's log.
     */
    public static String unexpected(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return "unexpected " + e.getClass().getName() + ": " + e.getMessage()
                + (trace.length > 0 ? " (at " + trace[0] + ")" : "");
    }

    /** The map key: one entry per input, so a replayed input overwrites its own dead letter. */
    public String key() {
        return KafkaOrigin.key(originTopic, originPartition, originOffset);
    }
}
