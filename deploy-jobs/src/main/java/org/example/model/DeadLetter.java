package org.example.model;

/**
 * Value of {@code deadLetters}, keyed by {@link KafkaOrigin#key()}: an input that could not be
 * scored, why, and at which stage. {@code transactionId} is empty when the message could not even
 * be parsed; {@code payload} then holds the raw message and {@code ccNum} its Kafka key.
 *
 * @param reason a {@link DeadLetterReason} name, for grouping
 * @param detail what exactly was wrong, for a person
 */
public record DeadLetter(
        String stage,
        String reason,
        String detail,
        String payload,
        String transactionId,
        String ccNum,
        int sourcePartition,
        long sourceOffset,
        long appendTimeMs,
        long recordedTimeMs) {

    /** A dead letter for an input whose transaction was already parsed; the payload is its JSON. */
    public static DeadLetter of(String stage, DeadLetterReason reason, String detail,
                                Transaction transaction, KafkaOrigin source) {
        return new DeadLetter(stage, reason.name(), detail, Json.toJson(transaction),
                transaction.transactionId(), transaction.ccNum(),
                source.partition(), source.offset(), source.appendTimeMs(), System.currentTimeMillis());
    }

    /**
     * A dead letter for a raw input that never became a transaction; its card number is the Kafka
     * key the producer gave it, the best clue there is (empty if it had none).
     */
    public static DeadLetter ofRaw(String stage, DeadLetterReason reason, String detail,
                                   KafkaMessage message, String payload) {
        KafkaOrigin source = message.origin();
        return new DeadLetter(stage, reason.name(), detail, payload, "", message.cardKey(),
                source.partition(), source.offset(), source.appendTimeMs(), System.currentTimeMillis());
    }

    /** The map key: one entry per input, so a replayed input overwrites its own dead letter. */
    public String key() {
        return KafkaOrigin.key(sourcePartition, sourceOffset);
    }
}
