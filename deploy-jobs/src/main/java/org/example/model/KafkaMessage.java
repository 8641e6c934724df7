package org.example.model;

/** A raw Kafka record as the source hands it to INGEST: not parsed yet, so nothing is lost. */
public record KafkaMessage(KafkaOrigin origin, String key, byte[] value) {
}
