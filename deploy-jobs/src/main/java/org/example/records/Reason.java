package org.example.records;

/**
 * One reason of a flagged decision: a feature that pushed the score up, by how much (its TreeSHAP
 * contribution to the raw score, in log-odds, as LightGBM's {@code pred_contrib} gives it), its
 * value as the model saw it, and a short text an analyst reads without the code.
 */
public record Reason(String feature, double value, double contribution, String text) {
}
