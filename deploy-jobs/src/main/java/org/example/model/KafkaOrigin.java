package org.example.model;

/**
 * Where an input came from: its Kafka coordinates and the time the broker appended it. Carried on
 * every hop so that each outcome (prediction or dead letter) can be traced back to exactly one
 * input, and so latency can be measured from the append.
 */
public record KafkaOrigin(int partition, long offset, long appendTimeMs) {

    /** A key unique per input; dead letters use it, so a replayed input overwrites its own entry. */
    public String key() {
        return key(partition, offset);
    }

    /** The key of the input at this Kafka position. */
    public static String key(int partition, long offset) {
        return partition + "-" + offset;
    }
}
