package org.example.records;

/**
 * Value of {@code predictionResult}: the transaction, its features, its score and its timing.
 * Flat on purpose, so that SQL and Management Center see one column per field.
 *
 * @param appendTimeMs when Kafka appended the input
 * @param storedTimeMs when ACT wrote this entry; {@code storedTimeMs - appendTimeMs} is the
 *                     pipeline latency
 */
public record FraudPrediction(
        String transactionId,
        String ccNum,
        String merchantCode,
        String category,
        double amount,
        long eventTimeMs,
        double latitude,
        double longitude,
        int txnCount24h,
        double amountSum24h,
        int txnCount7d,
        double distanceKm,
        double fraudProbability,
        boolean fraud,
        String modelVersion,
        int originPartition,
        long originOffset,
        long appendTimeMs,
        long storedTimeMs) {
}
