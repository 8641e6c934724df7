package org.example.stages;

import org.example.policy.Band;
import org.example.policy.ScoringPolicy;
import org.example.records.FraudPrediction;
import org.example.records.FraudRequest;
import org.example.records.PredictionKey;
import org.example.records.Reason;
import org.example.records.ScoreReply;
import org.example.records.Transaction;

import java.util.List;
import java.util.stream.Collectors;

/**
 * ACT: the scored transaction becomes one {@link FraudPrediction} in {@code predictionResult},
 * where analytics, alerting or a case-management UI can read it. The band is decided here, from
 * the probability and the scoring policy of the model that gave it, so both scorers decide alike.
 */
public final class Act {

    private Act() {
    }

    /**
     * @param policy the policy of {@code reply}'s model, as the member's policy follower has it now
     */
    public static FraudPrediction toPrediction(ScoreReply reply, ScoringPolicy policy, long storedTimeMs) {
        FraudRequest request = reply.request();
        Transaction txn = request.transaction();
        Band band = policy.band(reply.fraudProbability());
        // An APPROVE carries no reasons: they cost ~2 ms of CPU each (docs/BENCHMARK.md). A flagged
        // decision without them was scored in the second the policy changed (docs/DESIGN.md).
        List<Reason> reasons = band.isFlagged() && reply.reasons() != null ? List.copyOf(reply.reasons()) : List.of();
        return new FraudPrediction(
                txn.transactionId(), txn.cardToken(), txn.bin(), txn.last4(), txn.merchantCode(), request.category(),
                txn.amount(), txn.eventTimeMs(), txn.latitude(), txn.longitude(),
                request.features().txnCount24h(), request.features().amountSum24h(), request.features().txnCount7d(),
                request.distanceKm(),
                reply.fraudProbability(), reply.isFraud(), reply.modelVersion(),
                reply.challengerProbability(), reply.challengerVersion(),
                band.name(), policy.policyVersion(), reasons,
                reasons.stream().map(Reason::text).collect(Collectors.joining("; ")),
                request.origin().topic(), request.origin().partition(), request.origin().offset(),
                request.origin().appendTimeMs(),
                storedTimeMs, request.origin().hops());
    }

    public static PredictionKey key(FraudPrediction prediction) {
        return new PredictionKey(prediction.transactionId(), prediction.cardToken());
    }
}
