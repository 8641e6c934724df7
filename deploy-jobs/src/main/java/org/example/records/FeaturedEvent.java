package org.example.records;

/** FEATURES' output: the transaction with its card's window features. */
public record FeaturedEvent(Transaction transaction, KafkaOrigin origin, CardFeatures features) implements Traceable {
}
