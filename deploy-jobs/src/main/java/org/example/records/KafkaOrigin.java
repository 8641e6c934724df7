package org.example.records;

/**
 * Where an input came from: its Kafka position (topic, partition and offset) and the time the
 * broker appended it. Carried on every hop, as {@code origin}, so that each outcome (prediction or
 * dead letter) can be traced back to exactly one input, and so latency can be measured from the append.
 */
public record KafkaOrigin(String topic, int partition, long offset, long appendTimeMs) {

    /**
     * The position of something that cannot be tied to an input (a Python reply that lost its
     * request): no topic, partition -1, and its content's hash as the offset, so that a replay of the
     * same content overwrites its entry instead of adding one.
     */
    public static KafkaOrigin unknown(String content) {
        return new KafkaOrigin("", -1, Integer.toUnsignedLong(content.hashCode()), 0);
    }

    /** A key unique per input; dead letters use it, so a replayed input overwrites its own entry. */
    public String key() {
        return key(topic, partition, offset);
    }

    /** The key of the input at this Kafka position: {@code <topic>/<partition>/<offset>} ('/' is not allowed in a topic name). */
    public static String key(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }
}
