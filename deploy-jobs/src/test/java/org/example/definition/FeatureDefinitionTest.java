package org.example.definition;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java side of the feature contract: what the job reads from features.json. */
class FeatureDefinitionTest {

    @Test
    void shouldReadTheWindowsTheJobComputes() {
        FeatureDefinition definition = FeatureDefinition.load();

        assertThat(definition.txnCount24hWindowMs()).isEqualTo(24 * 3_600_000L);
        assertThat(definition.amountSum24hWindowMs()).isEqualTo(24 * 3_600_000L);
        assertThat(definition.txnCount7dWindowMs()).isEqualTo(7 * 24 * 3_600_000L);
        assertThat(definition.longestWindowMs()).isEqualTo(7 * 24 * 3_600_000L);
    }

    @Test
    void shouldListTheModelColumnsInOrderAndOnlyFromRequestFields() {
        FeatureDefinition definition = FeatureDefinition.load();

        assertThat(definition.modelColumns()).doesNotHaveDuplicates().isNotEmpty();
        assertThat(definition.modelColumns()).containsSubsequence("txn_count_24h", "amount_sum_24h", "txn_count_7d");
        assertThat(definition.requestFields()).containsAll(definition.modelInputs());
    }

    @Test
    void shouldReadEachColumnsTransformAndTheVocabulariesAndAgeGroupsItEncodesWith() {
        FeatureDefinition definition = FeatureDefinition.load();

        assertThat(definition.columns()).extracting(FeatureDefinition.ModelColumn::name)
                .isEqualTo(definition.modelColumns());
        assertThat(definition.columns().get(0))
                .isEqualTo(new FeatureDefinition.ModelColumn("amount", "number", List.of("transaction.amount")));
        assertThat(definition.vocabularies().get("gender")).containsExactly("F", "M");
        assertThat(definition.ageGroups()).first().isEqualTo(new FeatureDefinition.AgeGroup("under_25", 0));
    }

    @Test
    void shouldRefuseAgeGroupsThatDoNotStartAtZeroAndAscend() throws Exception {
        JsonNode descending = withTheWindowsAnd("""
                "age_groups": {"bounds": [{"name": "a", "min_age": 0}, {"name": "b", "min_age": 0}]}""");

        assertThatThrownBy(() -> FeatureDefinition.parse(descending))
                .hasMessage("features.json: age groups must start at 0 and ascend");
    }

    @Test
    void shouldReadTheInputLimitsBothScorersRefuseBeyond() throws Exception {
        JsonNode file = Json.MAPPER.readTree(getClass().getClassLoader().getResource(Names.FEATURES_RESOURCE));
        FeatureDefinition.InputLimits limits = FeatureDefinition.load().inputLimits();

        assertThat(limits.eventTimeFrom()).hasToString(file.path("input_limits").path("event_time_from").asText());
        assertThat(limits.latestMs()).isEqualTo(
                java.time.Instant.parse(file.path("input_limits").path("event_time_until").asText() + "T00:00:00Z")
                        .toEpochMilli());
        assertThat(limits.earliestMs()).isNegative();
        assertThat(limits.maxAgeYears()).isEqualTo(file.path("input_limits").path("max_age_years").asInt());
    }

    @Test
    void shouldRefuseInputLimitsThatAdmitNoTime() throws Exception {
        JsonNode reversed = withTheWindowsAnd("""
                "input_limits": {"event_time_from": "2200-01-01", "event_time_until": "1900-01-01", "max_age_years": 150}""");

        assertThatThrownBy(() -> FeatureDefinition.parse(reversed))
                .hasMessageContaining("input_limits needs event_time_from before event_time_until");
    }

    @Test
    void shouldRefuseAWindowTheJobDoesNotCompute() throws Exception {
        JsonNode withExtraWindow = Json.MAPPER.readTree("""
                {"streaming_features": {"windows": [{"name": "txn_count_1h", "aggregate": "count", "window_ms": 1}]},
                 "distance": {"earth_radius_km": 6371}}""");

        assertThatThrownBy(() -> FeatureDefinition.parse(withExtraWindow))
                .hasMessageContaining("window 'txn_count_1h', which the job does not compute");
    }

    /** A features.json with the three windows the job computes, a radius, and the given sections. */
    private static JsonNode withTheWindowsAnd(String sections) throws Exception {
        return Json.MAPPER.readTree("""
                {"streaming_features": {"windows": [
                    {"name": "txn_count_24h", "aggregate": "count", "window_ms": 1},
                    {"name": "amount_sum_24h", "aggregate": "sum", "window_ms": 1},
                    {"name": "txn_count_7d", "aggregate": "count", "window_ms": 1}]},
                 "distance": {"earth_radius_km": 6371},
                """ + sections + "}");
    }
}
