package org.example.records;

/**
 * A raw Kafka record as the source hands it to INGEST: not parsed yet, so nothing is lost. It only
 * travels (from the source's member to the card's), never rests: no snapshot or map holds one.
 *
 * @param key     the Kafka key as the producer sent it (the card number), for INGEST's check
 * @param cardKey the key's token, made where the record was read: messages are routed by it, so a
 *                card's messages meet its state; empty for a message without a key
 */
public record KafkaMessage(KafkaOrigin origin, String key, String cardKey, byte[] value) {
}
