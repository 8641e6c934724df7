package org.example.model;

/** Why an input ended in {@code deadLetters} instead of {@code predictionResult}. */
public enum DeadLetterReason {
    /** INGEST: the message is not JSON, or not a JSON object. */
    MALFORMED_JSON,
    /** INGEST: a field is missing, null, blank or of the wrong type. */
    INVALID_FIELD,
    /** INGEST: the event time lies after the Kafka append time (plus tolerated clock skew). */
    EVENT_TIME_IN_FUTURE,
    /** FEATURES: the event is older than the allowed lag, so its windows can no longer be exact. */
    LATE_EVENT,
    /** ENRICH: no customer for the card number. */
    UNKNOWN_CARD,
    /** ENRICH: no merchant for the merchant code. */
    UNKNOWN_MERCHANT,
    /** PREDICT: the Python handler answered with an error for this item. */
    SCORING_ERROR
}
