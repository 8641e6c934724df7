package org.example.policy;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.Json;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The thresholds between the bands for one model version, or for every model without one of its
 * own ({@link #EVERY_MODEL}): {@code p >= declineFrom} is DECLINE, else {@code p >= reviewFrom}
 * REVIEW, else APPROVE. Kept in map {@code scoringPolicy} by {@link PolicyStore}, read by each
 * member's {@link PolicyFollower}; a model nobody set a policy for decides by {@link #fromMetadata}.
 *
 * @param modelVersion the model it is for, or {@link #EVERY_MODEL}
 * @param revision     1 for the first policy set under this key, one more at each change; 0 for a
 *                     default made from the model's metadata, which nobody set
 * @param setBy        the operator's name, as the command was given it
 * @param setAtMs      when it was set (0 for a default)
 */
public record ScoringPolicy(String modelVersion, double reviewFrom, double declineFrom, int revision, String setBy,
                            long setAtMs) {

    /** Key of the policy for every model that has none of its own. */
    public static final String EVERY_MODEL = "*";

    /**
     * Checks the thresholds; {@link PolicyRefused} says which one is wrong. Equal thresholds are
     * allowed: the REVIEW band is then empty.
     */
    public static ScoringPolicy of(String modelVersion, double reviewFrom, double declineFrom, int revision,
                                   String setBy, long setAtMs) {
        if (modelVersion == null || modelVersion.isBlank()) {
            throw new PolicyRefused("a policy needs a model version, or '" + EVERY_MODEL + "' for every model");
        }
        requireProbability("review-from", reviewFrom);
        requireProbability("decline-from", declineFrom);
        if (reviewFrom > declineFrom) {
            throw new PolicyRefused("review-from " + reviewFrom + " is above decline-from " + declineFrom
                    + ": REVIEW must start at or below DECLINE");
        }
        return new ScoringPolicy(modelVersion, reviewFrom, declineFrom, revision, setBy, setAtMs);
    }

    /** A threshold as an operator typed it; {@link PolicyRefused} if it is not a number. */
    public static double threshold(String name, String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new PolicyRefused(name + " '" + text + "' is not a number; give a probability in [0, 1], e.g. 0.2");
        }
    }

    /**
     * The policy of a model nobody set one for: DECLINE from the model's own decision threshold
     * ({@code threshold} in fraud_model.json, where {@code fraud} is true), REVIEW from the
     * alert-budget threshold that training found on the validation days (the score above which 0.5 %
     * of legitimate transactions fall), or from half the threshold for a model without one
     * (docs/DESIGN.md, "Decisions: bands, policy, reasons").
     */
    public static ScoringPolicy fromMetadata(String modelVersion, String metadataJson) {
        JsonNode metadata;
        try {
            metadata = Json.MAPPER.readTree(metadataJson);
        } catch (IOException e) {
            throw new UncheckedIOException("the metadata of model " + modelVersion + " is not JSON", e);
        }
        double threshold = metadata.path("threshold").asDouble(Double.NaN);
        JsonNode budget = metadata.path("threshold_rule").path("thresholds_on_validation").path("alert_budget");
        double reviewFrom = budget.isNumber() && budget.asDouble() >= 0 && budget.asDouble() < threshold
                ? budget.asDouble() : threshold / 2;
        return of(modelVersion, reviewFrom, threshold, 0, "model metadata", 0);
    }

    public Band band(double probability) {
        if (probability >= declineFrom) {
            return Band.DECLINE;
        }
        return probability >= reviewFrom ? Band.REVIEW : Band.APPROVE;
    }

    /**
     * What a decision records as the policy it was made under: {@code <key>@<revision>}, or
     * {@code <model>@metadata} for a model's default; with {@code history}, it names the audit entry.
     */
    public String policyVersion() {
        return modelVersion + "@" + (revision == 0 ? "metadata" : Integer.toString(revision));
    }

    /** This policy's thresholds as the next revision of {@code key}. */
    ScoringPolicy next(String key, int nextRevision, String by, long nowMs) {
        return of(key, reviewFrom, declineFrom, nextRevision, by, nowMs);
    }

    private static void requireProbability(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new PolicyRefused(name + " " + value + " is not a probability: it must be within [0, 1]");
        }
    }
}
