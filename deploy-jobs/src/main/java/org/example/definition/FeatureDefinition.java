package org.example.definition;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the job reads from {@code features.json}: the three window lengths and the Earth radius
 * for the distance, which it computes itself, and the model's columns, vocabularies and age groups,
 * which the in-JVM scorer ({@code org.example.scoring}) encodes exactly as fraud_handler.py does.
 * Python reads the same file, so the job and the model cannot disagree on what "the last 24 hours"
 * or category code 3 means.
 *
 * @param requestFields the dotted JSON paths a scoring request must carry
 * @param modelInputs   the request paths the model's columns are computed from, in column order
 * @param columns       the model's columns in order, each with its transform and input paths
 * @param vocabularies  per vocabulary its values; a value's code is its index
 * @param ageGroups     the age groups, ascending by the age each starts at (the first at 0)
 * @param inputLimits   the event times and ages a request may carry
 */
public record FeatureDefinition(
        long txnCount24hWindowMs,
        long amountSum24hWindowMs,
        long txnCount7dWindowMs,
        double earthRadiusKm,
        List<String> requestFields,
        List<String> modelColumns,
        List<String> modelInputs,
        List<ModelColumn> columns,
        Map<String, List<String>> vocabularies,
        List<AgeGroup> ageGroups,
        InputLimits inputLimits) implements Serializable {

    /** One column of the model: its name, the transform that computes it, and that transform's inputs. */
    public record ModelColumn(String name, String transform, List<String> inputs) implements Serializable {
    }

    /** An age group and the whole years of age it starts at. */
    public record AgeGroup(String name, int minAge) implements Serializable {
    }

    /**
     * Event times from {@code eventTimeFrom} (inclusive) to {@code eventTimeUntil} (exclusive), UTC,
     * and dates of birth at most {@code maxAgeYears} before the transaction's date; features.json says why.
     */
    public record InputLimits(LocalDate eventTimeFrom, LocalDate eventTimeUntil, int maxAgeYears) implements Serializable {

        public long earliestMs() {
            return eventTimeFrom.toEpochDay() * MS_PER_DAY;
        }

        public long latestMs() {
            return eventTimeUntil.toEpochDay() * MS_PER_DAY;
        }
    }

    private static final long MS_PER_DAY = 86_400_000L;
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
        List<ModelColumn> modelColumns = new ArrayList<>();
        for (JsonNode column : root.path("model_features").path("columns")) {
            columns.add(column.path("name").asText());
            List<String> columnInputs = new ArrayList<>();
            column.path("inputs").forEach(input -> columnInputs.add(input.asText()));
            inputs.addAll(columnInputs);
            modelColumns.add(new ModelColumn(column.path("name").asText(), column.path("transform").asText(),
                    List.copyOf(columnInputs)));
        }
        List<String> requestFields = new ArrayList<>();
        root.path("request_fields").path("fields").forEach(f -> requestFields.add(f.asText()));
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
                List.copyOf(modelColumns),
                vocabularies(root.path("vocabularies")),
                ageGroups(root.path("age_groups").path("bounds")),
                inputLimits(root.path("input_limits")));
    }

    private static InputLimits inputLimits(JsonNode node) {
        try {
            InputLimits limits = new InputLimits(LocalDate.parse(node.path("event_time_from").asText()),
                    LocalDate.parse(node.path("event_time_until").asText()), node.path("max_age_years").asInt(-1));
            if (!limits.eventTimeFrom().isBefore(limits.eventTimeUntil()) || limits.maxAgeYears() <= 0) {
                throw new IllegalStateException("features.json: input_limits needs event_time_from before "
                        + "event_time_until and a positive max_age_years");
            }
            return limits;
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("features.json: input_limits' event times must be dates YYYY-MM-DD", e);
        }
    }

    private static Map<String, List<String>> vocabularies(JsonNode node) {
        Map<String, List<String>> vocabularies = new HashMap<>();
        node.fields().forEachRemaining(entry -> {
            List<String> values = new ArrayList<>();
            entry.getValue().forEach(value -> values.add(value.asText()));
            vocabularies.put(entry.getKey(), List.copyOf(values));
        });
        return Map.copyOf(vocabularies);
    }

    /** The same rule fraud_handler.py enforces, so both sides refuse a definition neither could apply. */
    private static List<AgeGroup> ageGroups(JsonNode bounds) {
        List<AgeGroup> groups = new ArrayList<>();
        for (JsonNode bound : bounds) {
            int minAge = bound.path("min_age").asInt(-1);
            int previous = groups.isEmpty() ? -1 : groups.get(groups.size() - 1).minAge();
            if ((groups.isEmpty() && minAge != 0) || minAge <= previous) {
                throw new IllegalStateException("features.json: age groups must start at 0 and ascend");
            }
            groups.add(new AgeGroup(bound.path("name").asText(), minAge));
        }
        return List.copyOf(groups);
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
