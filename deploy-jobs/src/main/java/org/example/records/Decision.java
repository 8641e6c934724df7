package org.example.records;

import java.util.List;

/**
 * Value of the topic {@code fraud-decisions}: what was decided about one transaction, for the
 * systems downstream (authorisation, case management, a data lake) that read decisions from Kafka
 * rather than from the map. The format is written down in docs/DATA.md; the card is its token with
 * the BIN and last four, never its number.
 *
 * @param decision        {@code APPROVE}, {@code REVIEW} or {@code DECLINE}: the band the scoring policy
 *                        put the probability in
 * @param band            the same band (kept as its own field, so a consumer written against the
 *                        format's first version, where {@code decision} was the threshold's
 *                        verdict, reads on)
 * @param reasons         for REVIEW and DECLINE, the (up to) three features that pushed the score up
 *                        most, in words a reviewer reads; empty for APPROVE
 * @param policyVersion   the policy that decided ({@code <model or *>@<revision>})
 * @param eventTimeMs     when the transaction happened (the producer's clock)
 * @param appendTimeMs    when Kafka appended the input
 * @param decisionTimeMs  when ACT decided
 */
public record Decision(
        String transactionId,
        String cardToken,
        String bin,
        String last4,
        String decision,
        String band,
        double fraudProbability,
        List<String> reasons,
        String modelVersion,
        String policyVersion,
        long eventTimeMs,
        long appendTimeMs,
        long decisionTimeMs,
        String originTopic,
        int originPartition,
        long originOffset) {

    /** The decision about a prediction: its band under the scoring policy, and the band's reasons. */
    public static Decision of(FraudPrediction p) {
        List<String> reasons = p.reasons() == null ? List.of() : p.reasons().stream().map(Reason::text).toList();
        return new Decision(p.transactionId(), p.cardToken(), p.bin(), p.last4(), p.band(),
                p.band(), p.fraudProbability(), reasons, p.modelVersion(), p.policyVersion(),
                p.eventTimeMs(), p.appendTimeMs(), p.storedTimeMs(),
                p.originTopic(), p.originPartition(), p.originOffset());
    }

    /** The record key: the card token, so all of one card's decisions go to one partition, in order. */
    public String key() {
        return cardToken;
    }
}
