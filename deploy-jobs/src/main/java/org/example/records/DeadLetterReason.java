package org.example.records;

/** Why an input ended in {@code deadLetters} instead of {@code predictionResult} (docs/DATA.md). */
public enum DeadLetterReason {
    /** INGEST: the message is larger than INGEST reads (docs/DATA.md). */
    MESSAGE_TOO_LARGE,
    /** INGEST: the message is not well-formed JSON, not a JSON object, or has something after the object. */
    MALFORMED_JSON,
    /** INGEST: a field is missing, null, of the wrong JSON type or out of its range. */
    INVALID_FIELD,
    /** INGEST: the event time lies after the Kafka append time (plus tolerated clock skew). */
    EVENT_TIME_IN_FUTURE,
    /** FEATURES: an identical copy of a transaction already counted on this card: a redelivery. */
    DUPLICATE_DELIVERY,
    /** FEATURES: a transaction id this card already has, with a different body. */
    DUPLICATE_TRANSACTION_ID,
    /** FEATURES: the event is older than the allowed lag, so its windows can no longer be exact. */
    LATE_EVENT,
    /** ENRICH: no customer for the card number. */
    UNKNOWN_CARD,
    /** ENRICH: no merchant for the merchant code. */
    UNKNOWN_MERCHANT,
    /** ENRICH: the card's customer or the merchant entry breaks the rules of docs/DATA.md. */
    INVALID_REFERENCE_DATA,
    /**
     * ENRICH: the card holder or merchant is not in the maps, and the reference database did not
     * give it in time (down, or too slow): the transaction itself may be fine, try it again later.
     */
    REFERENCE_DATA_UNAVAILABLE,
    /** PREDICT: the scorer (Python's handler, or the in-JVM one) could not score this item, and said why. */
    SCORING_ERROR,
    /** Any stage: an exception no rule foresaw, while handling this one item. */
    INTERNAL_ERROR
}
