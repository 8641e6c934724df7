package org.example.records;

/** INGEST's output: a parsed, validated transaction and where it came from. */
public record TransactionEvent(Transaction transaction, KafkaOrigin origin) implements Traceable {

    public String cardToken() {
        return transaction.cardToken();
    }
}
