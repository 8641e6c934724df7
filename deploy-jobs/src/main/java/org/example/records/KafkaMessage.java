package org.example.records;

/** A raw Kafka record as the source hands it to INGEST: not parsed yet, so nothing is lost. */
public record KafkaMessage(KafkaOrigin origin, String key, byte[] value) {

    /** The card number a valid message is keyed by; messages without a key are routed together. */
    public String cardKey() {
        return key == null ? "" : key;
    }
}
