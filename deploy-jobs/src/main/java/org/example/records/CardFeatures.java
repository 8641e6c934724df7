package org.example.records;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The card's streaming features as of the transaction's event time; the windows are defined in
 * {@code features.json} (current transaction included, one exactly a window-length ago excluded).
 * The JSON names are spelled out: snake_case alone would write {@code txn_count24h}.
 */
public record CardFeatures(
        @JsonProperty("txn_count_24h") int txnCount24h,
        @JsonProperty("amount_sum_24h") double amountSum24h,
        @JsonProperty("txn_count_7d") int txnCount7d) {
}
