package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.Names;
import org.example.definition.FeatureDefinition;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.example.TestData.NOW;
import static org.example.scoring.RequestBuilder.request;

/** One request to its reply or its dead letter, as the handler's transform_list answers it. */
class ScoringModelTest {

    private static final FeatureDefinition FEATURES = FeatureDefinition.load();
    /** Every row scores 0: probability exactly 0.5. */
    private static final LightGbmModel EVEN_ODDS = LightGbmModel.parse("tree\nversion=v4\nnum_class=1\n"
            + "num_tree_per_iteration=1\nmax_feature_idx=" + (FEATURES.modelColumns().size() - 1) + "\n"
            + "objective=binary sigmoid:1\nfeature_names=" + String.join(" ", FEATURES.modelColumns()) + "\n\n"
            + "Tree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=0\n\nend of trees\n", "even odds");

    @Test
    void shouldFlagAProbabilityFromTheThresholdUp() {
        FraudRequest request = request().build();

        Step<ScoreReply> atThreshold = scoring(0.5).score(request, NOW);
        Step<ScoreReply> belowThreshold = scoring(Math.nextUp(0.5)).score(request, NOW);

        assertThat(atThreshold.value()).isEqualTo(new ScoreReply(0.5, true, "test-model", null, request));
        assertThat(belowThreshold.value()).isEqualTo(new ScoreReply(0.5, false, "test-model", null, request));
    }

    @Test
    void shouldDeadLetterARequestItCannotScoreWithTheHandlersMessage() {
        FraudRequest request = request().category("crypto_exchange").build();

        Step<ScoreReply> step = scoring(0.5).score(request, NOW);

        assertThat(step.deadLetter()).isEqualTo(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR,
                "unknown category 'crypto_exchange'", request.transaction(), request.origin(), NOW));
    }

    @Test
    void shouldStillRecordARequestThatLostItsTransaction() {
        FraudRequest request = request().withoutTransaction().build();

        DeadLetter deadLetter = scoring(0.5).score(request, NOW).deadLetter();

        assertThat(deadLetter).isEqualTo(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR,
                "transaction must be an object, not null", Json.toJson(request), "", "", request.origin(), NOW));
    }

    @Test
    void shouldRefuseAModelTrainedOnOtherColumns() {
        JsonNode metadata = metadata(0.5, List.of("amount"));

        assertThatThrownBy(() -> new ScoringModel(FEATURES, EVEN_ODDS, metadata))
                .hasMessageContaining("fraud_model.txt expects columns")
                .hasMessageEndingWith(": retrain the model");
    }

    @Test
    void shouldLoadTheShippedModelAndItsMetadata() throws Exception {
        ScoringModel shipped = ScoringModel.loadFromResources();
        JsonNode metadata = Json.MAPPER.readTree(
                getClass().getClassLoader().getResource(ScoringModel.METADATA_RESOURCE));
        String modelText = new String(getClass().getClassLoader().getResourceAsStream(ScoringModel.MODEL_RESOURCE)
                .readAllBytes(), StandardCharsets.UTF_8);

        // The model the metadata describes: as many trees as it was trained for.
        assertThat(modelText.lines().filter(line -> line.startsWith("Tree="))).hasSize(
                metadata.path("params").path("num_boost_round").asInt());
        assertThat(shipped.threshold()).isEqualTo(metadata.path("threshold").asDouble());
        assertThat(shipped.modelVersion()).isEqualTo(metadata.path("model_version").asText());
        assertThat(shipped.model().featureNames()).isEqualTo(FEATURES.modelColumns());
    }

    private static ScoringModel scoring(double threshold) {
        return new ScoringModel(FEATURES, EVEN_ODDS, metadata(threshold, FEATURES.modelColumns()));
    }

    private static JsonNode metadata(double threshold, List<String> featureNames) {
        var metadata = Json.MAPPER.createObjectNode().put("threshold", threshold).put("model_version", "test-model");
        featureNames.forEach(metadata.putArray("feature_names")::add);
        return metadata;
    }
}
