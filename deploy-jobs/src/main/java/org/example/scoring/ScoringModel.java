package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.Names;
import org.example.definition.FeatureDefinition;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.ScoreReply;
import org.example.stages.Step;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code fraud_handler.transform_list} does for one request, in Java: the request's row
 * ({@link ModelInputs}), the LightGBM model's probability ({@link LightGbmModel}) and the decision
 * against the threshold of {@code fraud_model.json}; or, for a request the handler would reject,
 * the dead letter with the handler's message. The files are the ones the job ships to Python.
 * Immutable, so one instance serves every processor of a member.
 */
public final class ScoringModel {

    static final String MODEL_RESOURCE = Names.PYTHON_RESOURCE_DIR + Names.PYTHON_MODEL_FILE;
    static final String METADATA_RESOURCE = Names.PYTHON_RESOURCE_DIR + Names.PYTHON_MODEL_METADATA_FILE;

    private final ModelInputs inputs;
    private final LightGbmModel model;
    private final double threshold;
    private final String modelVersion;

    ScoringModel(FeatureDefinition features, LightGbmModel model, JsonNode metadata) {
        List<String> columns = features.modelColumns();
        List<String> metadataColumns = new ArrayList<>();
        metadata.path("feature_names").forEach(name -> metadataColumns.add(name.asText()));
        // The handler's own load check: a model trained on other columns must not score silently.
        if (!model.featureNames().equals(columns) || !metadataColumns.equals(columns)) {
            throw new IllegalStateException(MODEL_RESOURCE + " expects columns " + model.featureNames()
                    + " but features.json defines " + columns + ": retrain the model");
        }
        JsonNode threshold = metadata.path("threshold");
        JsonNode version = metadata.path("model_version");
        if (!threshold.isNumber() || !version.isTextual()) {
            throw new IllegalStateException(METADATA_RESOURCE + " needs a numeric threshold and a model_version");
        }
        this.inputs = ModelInputs.of(features);
        this.model = model;
        this.threshold = threshold.asDouble();
        this.modelVersion = version.asText();
    }

    /** A model and its metadata as their files' texts, with features.json from the classpath. */
    public static ScoringModel parse(String modelText, String metadataJson) {
        try {
            return new ScoringModel(FeatureDefinition.load(),
                    LightGbmModel.read(new StringReader(modelText), MODEL_RESOURCE), Json.MAPPER.readTree(metadataJson));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model", e);
        }
    }

    /** The model, its metadata and features.json from the classpath: the job's own resources. */
    public static ScoringModel loadFromResources() {
        return parse(resourceText(MODEL_RESOURCE), resourceText(METADATA_RESOURCE));
    }

    private static String resourceText(String resource) {
        try (InputStream in = ScoringModel.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    public String modelVersion() {
        return modelVersion;
    }

    public double threshold() {
        return threshold;
    }

    public LightGbmModel model() {
        return model;
    }

    public ModelInputs inputs() {
        return inputs;
    }

    /**
     * The reply the handler would give, as a step: the score, or a {@code SCORING_ERROR} dead
     * letter saying why the request cannot be scored. Never throws for one request: whatever goes
     * wrong stays with it. Allocates its buffers per call; PREDICT uses an {@link Evaluator} instead.
     *
     * @param nowMs the time a dead letter is recorded at
     */
    public Step<ScoreReply> score(FraudRequest request, long nowMs) {
        return newEvaluator().score(request, nowMs);
    }

    /** A scorer for one thread at a time: the shared model with buffers of its own. */
    public Evaluator newEvaluator() {
        return new Evaluator();
    }

    /**
     * {@link ScoringModel#score} with the row and its ranks kept from one request to the next, so
     * that a request allocates nothing but its reply. Not thread-safe: one per processor.
     */
    public final class Evaluator {
        private final double[] row = new double[inputs.width()];
        private final int[] ranks = new int[model.numFeatures()];

        private Evaluator() {
        }

        /** @see ScoringModel#score */
        public Step<ScoreReply> score(FraudRequest request, long nowMs) {
            try {
                String problem = inputs.fill(request, row);
                if (problem != null) {
                    return failed(request, problem, nowMs);
                }
                double probability = model.probability(row, ranks);
                return Step.ok(new ScoreReply(probability, probability >= threshold, modelVersion, null, request));
            } catch (RuntimeException e) {
                return failed(request, "cannot score: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                        nowMs);
            }
        }
    }

    private static Step<ScoreReply> failed(FraudRequest request, String problem, long nowMs) {
        if (request.transaction() != null && request.origin() != null) {
            return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, problem,
                    request.transaction(), request.origin(), nowMs));
        }
        // Without its transaction or position the request cannot be tied to its input (TRANSFORM
        // never builds one); it is still recorded, as PREDICT records an unreadable Python reply.
        String payload = Json.toJson(request);
        KafkaOrigin origin = request.origin() != null ? request.origin() : KafkaOrigin.unknown(payload);
        String transactionId = request.transaction() != null ? request.transaction().transactionId() : "";
        String ccNum = request.transaction() != null ? request.transaction().ccNum() : "";
        return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, problem, payload,
                transactionId, ccNum, origin, nowMs));
    }
}
