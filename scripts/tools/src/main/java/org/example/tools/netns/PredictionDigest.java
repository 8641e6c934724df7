package org.example.tools.netns;

import org.example.records.FraudPrediction;

/**
 * What a stored prediction says about its transaction, without the card number: its Kafka position,
 * its features, its score and decision, the model, and when it was stored. Two predictions of one
 * transaction written on two sides of a split, or before and after a replay, must agree on
 * everything but the time they were stored.
 */
public record PredictionDigest(String transactionId, int originPartition, long originOffset, long storedTimeMs,
                               int txnCount24h, double amountSum24h, int txnCount7d,
                               double fraudProbability, boolean fraud, String modelVersion) {

    public static PredictionDigest of(FraudPrediction p) {
        return new PredictionDigest(p.transactionId(), p.originPartition(), p.originOffset(), p.storedTimeMs(),
                p.txnCount24h(), p.amountSum24h(), p.txnCount7d(), p.fraudProbability(), p.fraud(), p.modelVersion());
    }

    /** The input it answers in the lab's one topic, as the ledger names positions: {@code <partition>-<offset>}. */
    public String position() {
        return originPartition + "-" + originOffset;
    }

    /** Same transaction, same position, same features, score, decision and model; the stored time may differ. */
    public boolean sameOutcome(PredictionDigest other) {
        return transactionId.equals(other.transactionId)
                && originPartition == other.originPartition && originOffset == other.originOffset
                && txnCount24h == other.txnCount24h && Double.compare(amountSum24h, other.amountSum24h) == 0
                && txnCount7d == other.txnCount7d
                && Double.compare(fraudProbability, other.fraudProbability) == 0 && fraud == other.fraud
                && modelVersion.equals(other.modelVersion);
    }

    /** A hash of {@link #sameOutcome}'s fields, for keeping millions of outcomes apart in little memory. */
    public long outcomeHash() {
        long h = transactionId.hashCode();
        h = h * 31 + originPartition;
        h = h * 31 + originOffset;
        h = h * 31 + txnCount24h;
        h = h * 31 + Double.doubleToLongBits(amountSum24h);
        h = h * 31 + txnCount7d;
        h = h * 31 + Double.doubleToLongBits(fraudProbability);
        h = h * 31 + (fraud ? 1 : 0);
        h = h * 31 + modelVersion.hashCode();
        return h;
    }
}
