package org.example.records;

import com.hazelcast.partition.PartitionAware;

/**
 * Key of {@code predictionResult}: the transaction id, placed in the partition of its card's token,
 * so all predictions of a card sit together, in the same partition as the card's customer entry.
 */
public record PredictionKey(String transactionId, String cardToken) implements PartitionAware<String> {

    @Override
    public String getPartitionKey() {
        return cardToken;
    }
}
