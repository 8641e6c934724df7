package org.example.policy;

/**
 * What a decision does with a transaction, from its fraud probability and the policy of its model
 * ({@link ScoringPolicy#band}): let it through, queue it for an analyst, or refuse it.
 */
public enum Band {
    APPROVE,
    REVIEW,
    DECLINE;

    /** Whether an analyst reads this decision, so it carries its reasons. */
    public boolean isFlagged() {
        return this != APPROVE;
    }
}
