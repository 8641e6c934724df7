package org.example.records;

/**
 * A card transaction exactly as it arrives on the Kafka topic (JSON, snake_case names). It lives
 * only inside INGEST, which turns it into a {@link Transaction} that carries the card's token
 * instead of its number; nothing downstream ever sees the number.
 *
 * @param transactionId unique id of the transaction
 * @param ccNum         card number, 12 to 19 digits; also the Kafka message key
 * @param merchantCode  key into the {@code merchants} map
 * @param amount        amount in the card's currency, &gt; 0
 * @param eventTimeMs   when the transaction happened (epoch ms); all features use this time
 * @param latitude      where it happened
 * @param longitude     where it happened
 */
public record KafkaTransaction(
        String transactionId,
        String ccNum,
        String merchantCode,
        double amount,
        long eventTimeMs,
        double latitude,
        double longitude) {
}
