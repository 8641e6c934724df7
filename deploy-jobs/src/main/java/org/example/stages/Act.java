package org.example.stages;

import org.example.records.FraudPrediction;
import org.example.records.FraudRequest;
import org.example.records.PredictionKey;
import org.example.records.ScoreReply;
import org.example.records.Transaction;

/**
 * ACT: the scored transaction becomes one {@link FraudPrediction} in {@code predictionResult},
 * where analytics, alerting or a case-management UI can read it.
 */
public final class Act {

    private Act() {
    }

    public static FraudPrediction toPrediction(ScoreReply reply, long storedTimeMs) {
        FraudRequest request = reply.request();
        Transaction txn = request.transaction();
        return new FraudPrediction(
                txn.transactionId(), txn.cardToken(), txn.bin(), txn.last4(), txn.merchantCode(), request.category(),
                txn.amount(), txn.eventTimeMs(), txn.latitude(), txn.longitude(),
                request.features().txnCount24h(), request.features().amountSum24h(), request.features().txnCount7d(),
                request.distanceKm(),
                reply.fraudProbability(), reply.isFraud(), reply.modelVersion(),
                reply.challengerProbability(), reply.challengerVersion(),
                request.origin().topic(), request.origin().partition(), request.origin().offset(),
                request.origin().appendTimeMs(),
                storedTimeMs, request.origin().hops());
    }

    public static PredictionKey key(FraudPrediction prediction) {
        return new PredictionKey(prediction.transactionId(), prediction.cardToken());
    }
}
