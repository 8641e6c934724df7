package org.example.stages;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.FeatureDefinition;
import org.example.records.CardFeatures;
import org.example.records.EnrichedEvent;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

class TransformTest {

    private static final FeatureDefinition FEATURES = FeatureDefinition.load();

    @Test
    void shouldMeasureKnownCityPairs() {
        double radius = FEATURES.earthRadiusKm();
        // Reference great-circle distances on the mean-radius sphere.
        assertThat(Transform.haversineKm(51.5074, -0.1278, 48.8566, 2.3522, radius)).isCloseTo(343.6, within(0.5));
        assertThat(Transform.haversineKm(40.7128, -74.0060, 34.0522, -118.2437, radius)).isCloseTo(3936.0, within(2.0));
        assertThat(Transform.haversineKm(-33.8688, 151.2093, 51.5074, -0.1278, radius)).isCloseTo(16994.0, within(5.0));
    }

    /**
     * Training (Python's haversine_km) recorded these distances in python/tests/golden/distances.json,
     * which python/tests/test_model.py holds Python to: TRANSFORM must agree, or the model is served
     * a distance it was not trained on.
     */
    @Test
    void shouldMeasureTheGoldenDistancesAsTrainingDid() throws Exception {
        JsonNode golden = Json.MAPPER.readTree(Path.of("../python/tests/golden/distances.json").toFile());
        assertThat(golden.path("earth_radius_km").asDouble()).isEqualTo(FEATURES.earthRadiusKm());
        assertThat(golden.path("cases")).hasSizeGreaterThan(5);

        for (JsonNode c : golden.path("cases")) {
            double km = Transform.haversineKm(c.path("from").get(0).asDouble(), c.path("from").get(1).asDouble(),
                    c.path("to").get(0).asDouble(), c.path("to").get(1).asDouble(), FEATURES.earthRadiusKm());
            assertThat(km).as("%s → %s", c.path("from"), c.path("to"))
                    .isCloseTo(c.path("km").asDouble(), within(1e-9));
        }
    }

    @Test
    void shouldBeZeroAtHome() {
        assertThat(Transform.haversineKm(40.0, -74.0, 40.0, -74.0, FEATURES.earthRadiusKm())).isZero();
    }

    @Test
    void shouldHandleAntipodesWithoutNaN() {
        double halfCircumference = Math.PI * FEATURES.earthRadiusKm();
        assertThat(Transform.haversineKm(0, 0, 0, 180, FEATURES.earthRadiusKm()))
                .isCloseTo(halfCircumference, within(1e-6));
    }

    @Test
    void shouldBuildTheRequestFromTheEnrichedTransaction() {
        EnrichedEvent enriched = new EnrichedEvent(
                txn("T1").location(34.0522, -118.2437).featured(new CardFeatures(2, 30.0, 5)),
                customer(CARD), merchant(MERCHANT));

        FraudRequest request = Transform.toRequest(enriched, FEATURES.earthRadiusKm());

        assertThat(request.distanceKm()).isCloseTo(3936.0, within(2.0));
        assertThat(request.category()).isEqualTo("grocery_pos");
        assertThat(request.gender()).isEqualTo("F");
        assertThat(request.features()).isEqualTo(new CardFeatures(2, 30.0, 5));
    }

    @Test
    void shouldSendExactlyTheRequestFieldsThatFeaturesJsonNames() throws Exception {
        EnrichedEvent enriched = new EnrichedEvent(
                txn("T1").featured(new CardFeatures(1, 10.0, 1)), customer(CARD), merchant(MERCHANT));

        JsonNode json = Json.MAPPER.readTree(Json.toJson(Transform.toRequest(enriched, 6371.0)));

        // The hops are the request's timing (docs/BENCHMARK.md), echoed back, never read by the model.
        assertThat(leafPaths(json, "")).filteredOn(path -> !path.startsWith("origin.hops."))
                .containsExactlyInAnyOrderElementsOf(FEATURES.requestFields());
        assertThat(json.path("date_of_birth").asText()).isEqualTo("1985-12-10");
    }

    private static List<String> leafPaths(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject()) {
                paths.addAll(leafPaths(field.getValue(), path));
            } else {
                paths.add(path);
            }
        }
        return paths;
    }
}
