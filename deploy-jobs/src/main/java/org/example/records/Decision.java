package org.example.records;

import java.util.List;

/**
 * Value of the topic {@code fraud-decisions}: what was decided about one transaction, for the
 * systems downstream (authorisation, case management, a data lake) that read decisions from Kafka
 * rather than from the map. The format is written down in docs/DATA.md; the card is its token with
 * the BIN and last four, never its number.
 *
 * @param decision        {@code APPROVE} or {@code DECLINE}
 * @param band            the risk band; from the policy, {@code null} until the policy decides
 * @param reasons         why, in words a reviewer reads; from the policy, empty until it decides
 * @param policyVersion   the policy that decided; from the policy, {@code null} until it decides
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

    public static final String APPROVE = "APPROVE";
    public static final String DECLINE = "DECLINE";

    /**
     * The decision about a prediction. Today the model's threshold decides alone; the policy work
     * (band, reasons, policy version on {@link FraudPrediction}) replaces the body of this method
     * and nothing else, so the topic's format does not change when it lands.
     */
    public static Decision of(FraudPrediction p) {
        return new Decision(p.transactionId(), p.cardToken(), p.bin(), p.last4(), p.fraud() ? DECLINE : APPROVE,
                null, p.fraudProbability(), List.of(), p.modelVersion(), null,
                p.eventTimeMs(), p.appendTimeMs(), p.storedTimeMs(),
                p.originTopic(), p.originPartition(), p.originOffset());
    }

    /** The record key: the card token, so all of one card's decisions go to one partition, in order. */
    public String key() {
        return cardToken;
    }
}
