package org.example.records;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;

/**
 * Where an input came from: its Kafka position (topic, partition and offset) and the time the
 * broker appended it. Carried on every hop, as {@code origin}, so that each outcome (prediction or
 * dead letter) can be traced back to exactly one input, and so latency can be measured from the
 * append; {@code hops} records when the input passed each stage on the way ({@link Hops}).
 *
 * <p>Equality is the position's (and the append time's) alone: the same input seen at another
 * moment is the same origin, so a replayed input still matches its first pass.
 */
public record KafkaOrigin(String topic, int partition, long offset, long appendTimeMs, Hops hops) {

    public KafkaOrigin {
        // Requests echoed by a handler that predates the hops, and tests' inputs, carry none.
        hops = hops == null ? Hops.NONE : hops;
    }

    /** An origin with no hop recorded yet. */
    public KafkaOrigin(String topic, int partition, long offset, long appendTimeMs) {
        this(topic, partition, offset, appendTimeMs, Hops.NONE);
    }

    /**
     * How JSON becomes an origin (a reply's echoed request, a golden file): every part required, as
     * the job's reader demands, but the hops, which requests written before them lack ({@link Json}).
     */
    @JsonCreator
    static KafkaOrigin fromJson(@JsonProperty("topic") String topic, @JsonProperty("partition") int partition,
                                @JsonProperty("offset") long offset, @JsonProperty("append_time_ms") long appendTimeMs,
                                @JsonProperty("hops") @JacksonInject(useInput = OptBoolean.TRUE) Hops hops) {
        return new KafkaOrigin(topic, partition, offset, appendTimeMs, hops);
    }

    /**
     * The position of something that cannot be tied to an input (a Python reply that lost its
     * request): no topic, partition -1, and its content's hash as the offset, so that a replay of the
     * same content overwrites its entry instead of adding one.
     */
    public static KafkaOrigin unknown(String content) {
        return new KafkaOrigin("", -1, Integer.toUnsignedLong(content.hashCode()), 0);
    }

    /** This origin with {@code hops} as its record of the stages passed. */
    public KafkaOrigin withHops(Hops hops) {
        return new KafkaOrigin(topic, partition, offset, appendTimeMs, hops);
    }

    /** A key unique per input; dead letters use it, so a replayed input overwrites its own entry. */
    public String key() {
        return key(topic, partition, offset);
    }

    /** The key of the input at this Kafka position: {@code <topic>/<partition>/<offset>} ('/' is not allowed in a topic name). */
    public static String key(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaOrigin other && partition == other.partition && offset == other.offset
                && appendTimeMs == other.appendTimeMs && java.util.Objects.equals(topic, other.topic);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(topic, partition, offset, appendTimeMs);
    }
}
