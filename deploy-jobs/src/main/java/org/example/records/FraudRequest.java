package org.example.records;

import java.time.LocalDate;

/**
 * TRANSFORM's output and the JSON sent to {@code fraud_handler.transform_list}: everything the
 * model needs (see {@code features.json}, "request_fields") and everything ACT needs afterwards,
 * since the handler echoes the request back with its score.
 */
public record FraudRequest(
        Transaction transaction,
        KafkaOrigin origin,
        CardFeatures features,
        String category,
        String gender,
        LocalDate dateOfBirth,
        long cityPopulation,
        String setting,
        double distanceKm) implements Traceable {

    /** This request with {@code origin} (the same input, further along: {@link Hops}). */
    public FraudRequest withOrigin(KafkaOrigin origin) {
        return new FraudRequest(transaction, origin, features, category, gender, dateOfBirth, cityPopulation, setting,
                distanceKm);
    }
}
