package org.example.features;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.Names;
import org.example.model.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of {@code features.json} the job computes itself: the three window lengths and the
 * Earth radius for the distance. Python reads the same file for everything else, so the job and
 * the model cannot disagree on what "the last 24 hours" means.
 *
 * @param requestFields the dotted JSON paths a scoring request must carry
 * @param modelInputs   the request paths the model's columns are computed from, in column order
 * @param vocabularies  the values the model knows, per categorical input ({@code category},
 *                      {@code gender}, {@code setting}, ...): reference data must use them
 */
public record FeatureDefinition(
        long txnCount24hWindowMs,
        long amountSum24hWindowMs,
        long txnCount7dWindowMs,
        double earthRadiusKm,
        List<String> requestFields,
        List<String> modelColumns,
        List<String> modelInputs,
        Map<String, List<String>> vocabularies) implements Serializable {

    private static final List<String> COMPUTED_WINDOWS = List.of("txn_count_24h", "amount_sum_24h", "txn_count_7d");

    public static FeatureDefinition load() {
        try (InputStream in = FeatureDefinition.class.getClassLoader().getResourceAsStream(Names.FEATURES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(Names.FEATURES_RESOURCE + " is not on the classpath");
            }
            return parse(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + Names.FEATURES_RESOURCE, e);
        }
    }

    static FeatureDefinition parse(JsonNode root) {
        JsonNode windows = root.path("streaming_features").path("windows");
        for (JsonNode window : windows) {
            if (!COMPUTED_WINDOWS.contains(window.path("name").asText())) {
                throw new IllegalStateException("features.json defines window '" + window.path("name").asText()
                        + "', which the job does not compute (it computes " + COMPUTED_WINDOWS + ")");
            }
        }
        List<String> columns = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        for (JsonNode column : root.path("model_features").path("columns")) {
            columns.add(column.path("name").asText());
            column.path("inputs").forEach(input -> inputs.add(input.asText()));
        }
        List<String> requestFields = new ArrayList<>();
        root.path("request_fields").path("fields").forEach(f -> requestFields.add(f.asText()));
        Map<String, List<String>> vocabularies = new LinkedHashMap<>();
        root.path("vocabularies").fields().forEachRemaining(vocabulary -> {
            List<String> values = new ArrayList<>();
            vocabulary.getValue().forEach(value -> values.add(value.asText()));
            vocabularies.put(vocabulary.getKey(), List.copyOf(values));
        });
        double radius = root.path("distance").path("earth_radius_km").asDouble(Double.NaN);
        if (!(radius > 0)) {
            throw new IllegalStateException("features.json: distance.earth_radius_km must be a positive number");
        }
        return new FeatureDefinition(
                windowMs(windows, "txn_count_24h", "count"),
                windowMs(windows, "amount_sum_24h", "sum"),
                windowMs(windows, "txn_count_7d", "count"),
                radius,
                List.copyOf(requestFields),
                List.copyOf(columns),
                List.copyOf(inputs),
                Collections.unmodifiableMap(vocabularies));
    }

    /** The values of a vocabulary of features.json; fails for a vocabulary it does not define. */
    public List<String> vocabulary(String name) {
        List<String> values = vocabularies.get(name);
        if (values == null) {
            throw new IllegalStateException("features.json defines no vocabulary '" + name + "'");
        }
        return values;
    }

    /** The longest window: how much history a card must keep. */
    public long longestWindowMs() {
        return Math.max(txnCount7dWindowMs, Math.max(txnCount24hWindowMs, amountSum24hWindowMs));
    }

    private static long windowMs(JsonNode windows, String name, String aggregate) {
        for (JsonNode window : windows) {
            if (name.equals(window.path("name").asText())) {
                if (!aggregate.equals(window.path("aggregate").asText())) {
                    throw new IllegalStateException("features.json: window " + name + " must be a " + aggregate);
                }
                long ms = window.path("window_ms").asLong(-1);
                if (ms <= 0) {
                    throw new IllegalStateException("features.json: window " + name + " needs a positive window_ms");
                }
                return ms;
            }
        }
        throw new IllegalStateException("features.json: the job computes window " + name + ", which is not defined");
    }
}
