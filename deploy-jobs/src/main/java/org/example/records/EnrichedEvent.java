package org.example.records;

/** ENRICH's output: the featured transaction with its card holder and merchant. */
public record EnrichedEvent(FeaturedEvent event, Customer customer, Merchant merchant) implements Traceable {

    @Override
    public Transaction transaction() {
        return event.transaction();
    }

    @Override
    public KafkaOrigin origin() {
        return event.origin();
    }
}
