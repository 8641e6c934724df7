package org.example.policy;

/**
 * One change of a policy, value of map {@code policyAudit} keyed by {@link #key}: when, by whom,
 * and the thresholds before and after. Written once, never changed.
 *
 * @param modelVersion       the policy's key: a model version or {@link ScoringPolicy#EVERY_MODEL}
 * @param revision           the revision the change made
 * @param oldReviewFrom      {@code null} when it was the first policy under this key
 * @param oldDeclineFrom     {@code null} when it was the first policy under this key
 */
public record PolicyChange(
        String modelVersion,
        int revision,
        long atMs,
        String by,
        Double oldReviewFrom,
        Double oldDeclineFrom,
        double newReviewFrom,
        double newDeclineFrom) {

    static PolicyChange of(ScoringPolicy before, ScoringPolicy after) {
        return new PolicyChange(after.modelVersion(), after.revision(), after.setAtMs(), after.setBy(),
                before == null ? null : before.reviewFrom(), before == null ? null : before.declineFrom(),
                after.reviewFrom(), after.declineFrom());
    }

    /** The audit entry's key; the same text as the policy version a decision made under it records. */
    public String key() {
        return modelVersion + "@" + revision;
    }
}
