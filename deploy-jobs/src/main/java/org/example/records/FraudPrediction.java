package org.example.records;

import java.util.List;

/**
 * Value of {@code predictionResult}: the transaction, its features, its score and its timing. The
 * card is its token, with the BIN and last four an analyst may see; never its number.
 * Flat on purpose, so that SQL and Management Center see one column per field.
 *
 * @param modelVersion          the model that scored it (the champion of the moment)
 * @param challengerProbability the challenger's probability, scored beside it and deciding nothing;
 *                              {@code null} when no challenger was set
 * @param challengerVersion     the challenger's version, or {@code null}
 * @param band                  APPROVE, REVIEW or DECLINE, decided in ACT from the probability and
 *                              the model's scoring policy of the moment
 * @param policyVersion         the policy it was decided under: {@code <model or *>@<revision>}, the
 *                              key of its entry in map {@code policyAudit}, or {@code <model>@metadata}
 * @param reasons               for REVIEW and DECLINE, the (up to) three features that pushed the
 *                              score up most, largest first; empty for APPROVE (docs/DESIGN.md)
 * @param reasonsText           the reasons' texts joined by "; ", the column SQL reads (SQL has no
 *                              type for a list of records)
 * @param appendTimeMs when Kafka appended the input
 * @param storedTimeMs when ACT wrote this entry; {@code storedTimeMs - appendTimeMs} is the
 *                     pipeline latency
 * @param hops         when it passed each stage in between, for where that latency went; SQL leaves
 *                     it out (a nested record has no column type)
 */
public record FraudPrediction(
        String transactionId,
        String cardToken,
        String bin,
        String last4,
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
        Double challengerProbability,
        String challengerVersion,
        String band,
        String policyVersion,
        List<Reason> reasons,
        String reasonsText,
        String originTopic,
        int originPartition,
        long originOffset,
        long appendTimeMs,
        long storedTimeMs,
        Hops hops) {
}
