package org.example.records;

/**
 * A card transaction as the job handles it from INGEST on: the Kafka message's values with the
 * card number replaced by its keyed token (docs/DEPLOY.md, "Card tokens"), and the parts of the
 * number analysts may see.
 *
 * @param transactionId unique id of the transaction
 * @param cardToken     the card's token: the job's state, lookups and outputs are keyed by it
 * @param bin           the card number's first six digits (its issuer)
 * @param last4         its last four digits
 * @param merchantCode  key into the {@code merchants} map
 * @param amount        amount in the card's currency, &gt; 0
 * @param eventTimeMs   when the transaction happened (epoch ms); all features use this time
 * @param latitude      where it happened
 * @param longitude     where it happened
 */
public record Transaction(
        String transactionId,
        String cardToken,
        String bin,
        String last4,
        String merchantCode,
        double amount,
        long eventTimeMs,
        double latitude,
        double longitude) {
}
