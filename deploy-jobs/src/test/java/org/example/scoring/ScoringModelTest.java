package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private static final String EVEN_ODDS_TEXT = "tree\nversion=v4\nnum_class=1\n"
            + "num_tree_per_iteration=1\nmax_feature_idx=" + (FEATURES.modelColumns().size() - 1) + "\n"
            + "objective=binary sigmoid:1\nfeature_names=" + String.join(" ", FEATURES.modelColumns()) + "\n\n"
            + "Tree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=0\n\nend of trees\n";

    @Test
    void shouldFlagAProbabilityFromTheThresholdUp() {
        FraudRequest request = request().build();

        Step<ScoreReply> atThreshold = scoring(0.5).score(request, NOW);
        Step<ScoreReply> belowThreshold = scoring(Math.nextUp(0.5)).score(request, NOW);

        assertThat(atThreshold.value()).isEqualTo(ScoreReply.scored(0.5, true, "test-model", request));
        assertThat(belowThreshold.value()).isEqualTo(ScoreReply.scored(0.5, false, "test-model", request));
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

    // ---- What may score: each check refuses with its name and what it found ----------------------

    @Test
    void shouldRefuseACorruptModelFile() {
        assertThatThrownBy(() -> ScoringModel.parse("\u0000\u0001 not LightGBM", shippedMetadata()))
                .isInstanceOf(ModelRefused.class)
                .hasMessageStartingWith("parse: ")
                .extracting(e -> ((ModelRefused) e).check()).isEqualTo("parse");
    }

    @Test
    void shouldRefuseAModelFileTrainedOnOtherColumns() {
        String model = shippedModel().replaceFirst("feature_names=amount ", "feature_names=amt ");

        assertThatThrownBy(() -> ScoringModel.parse(model, shippedMetadata()))
                .hasMessageStartingWith("columns: fraud_model.txt was trained on the columns [amt, category, ")
                .hasMessageEndingWith("; retrain with this version's python/train.py");
    }

    @Test
    void shouldRefuseMetadataListingOtherColumns() {
        String metadata = shippedMetadata().replace("\"burst_share_7d\"", "\"burst_7d\"");

        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(), metadata))
                .hasMessageStartingWith("columns: fraud_model.json lists the columns [amount, ")
                .hasMessageContaining("burst_7d], but features.json defines [amount, ");
    }

    @Test
    void shouldRefuseAModelWithAnotherObjective() {
        String model = shippedModel().replaceFirst("objective=binary sigmoid:1", "objective=regression");

        assertThatThrownBy(() -> ScoringModel.parse(model, shippedMetadata()))
                .hasMessageStartingWith("parse: ")
                .hasMessageContaining("regression");
    }

    @Test
    void shouldRefuseMetadataWithoutAVersionOrAThreshold() {
        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(),
                shippedMetadata().replaceFirst("\"model_version\"", "\"version\"")))
                .hasMessage("metadata: fraud_model.json has no model_version");
        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(),
                shippedMetadata().replaceFirst("\"threshold\": [0-9.e-]+", "\"threshold\": 2")))
                .hasMessage("metadata: fraud_model.json has no threshold within [0, 1]");
        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(), "not json"))
                .hasMessageStartingWith("metadata: fraud_model.json is not JSON");
    }

    @Test
    void shouldRefuseAModelThatScoresItsSmokeRowsOtherwise() throws Exception {
        ObjectNode metadata = (ObjectNode) Json.MAPPER.readTree(shippedMetadata());
        ArrayNode probabilities = (ArrayNode) metadata.path("smoke").path("probabilities");
        probabilities.set(3, probabilities.get(3).asDouble() + 1e-6);

        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(), Json.toJson(metadata)))
                .hasMessageStartingWith("smoke score: row 3 scores ")
                .hasMessageContaining("but LightGBM gave");
        metadata.remove("smoke");
        assertThatThrownBy(() -> ScoringModel.parse(shippedModel(), Json.toJson(metadata)))
                .hasMessageStartingWith("smoke score: fraud_model.json has no smoke rows");
    }

    @Test
    void shouldLoadTheShippedModelAndItsMetadata() throws Exception {
        ScoringModel shipped = TestModels.shipped();
        JsonNode metadata = Json.MAPPER.readTree(shippedMetadata());

        // The model the metadata describes: as many trees as it was trained for.
        assertThat(shippedModel().lines().filter(line -> line.startsWith("Tree="))).hasSize(
                metadata.path("params").path("num_boost_round").asInt());
        assertThat(shipped.threshold()).isEqualTo(metadata.path("threshold").asDouble());
        assertThat(shipped.modelVersion()).isEqualTo(metadata.path("model_version").asText());
        assertThat(shipped.model().featureNames()).isEqualTo(FEATURES.modelColumns());
    }

    private static String shippedModel() {
        return TestModels.resource(Names.PYTHON_MODEL_FILE);
    }

    private static String shippedMetadata() {
        return TestModels.resource(Names.PYTHON_MODEL_METADATA_FILE);
    }

    private static ScoringModel scoring(double threshold) {
        return ScoringModel.parse(FEATURES, EVEN_ODDS_TEXT, Json.toJson(metadata(threshold, FEATURES.modelColumns())));
    }

    private static ObjectNode metadata(double threshold, List<String> featureNames) {
        ObjectNode metadata = Json.MAPPER.createObjectNode().put("threshold", threshold).put("model_version", "test-model");
        featureNames.forEach(metadata.putArray("feature_names")::add);
        // Every row scores 0: probability exactly 0.5.
        metadata.putObject("smoke").set("rows", Json.MAPPER.createArrayNode().add(
                Json.MAPPER.valueToTree(new double[featureNames.size()])));
        ((ObjectNode) metadata.path("smoke")).putArray("probabilities").add(0.5);
        return metadata;
    }
}
