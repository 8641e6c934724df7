package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.Names;
import org.example.definition.FeatureDefinition;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.Reason;
import org.example.policy.ReasonText;
import org.example.records.ScoreReply;
import org.example.stages.Step;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code fraud_handler.transform_list} does for one request, in Java: the request's row
 * ({@link ModelInputs}), the LightGBM model's probability ({@link LightGbmModel}) and the decision
 * against the threshold of {@code fraud_model.json}; or, for a request the handler would reject,
 * the dead letter with the handler's message. Immutable, so one instance serves every processor of
 * a member.
 *
 * <p>{@link #parse} is the Java side of the one rule for what model may score (the Python side is
 * {@code fraud_handler.load_model_dir}, which runs the same checks): its metadata names a version
 * and a threshold in [0, 1]; the text parses as a binary LightGBM model this class evaluates
 * exactly; its columns, in the model file and in the metadata, are features.json's; and it scores
 * the rows that training recorded in the metadata ({@code smoke}) as LightGBM did then.
 */
public final class ScoringModel {

    /** How far a smoke row's probability may lie from what LightGBM gave at training (both are exact to ~1e-16). */
    static final double SMOKE_TOLERANCE = 1e-9;

    private final ModelInputs inputs;
    private final LightGbmModel model;
    private final double threshold;
    private final String modelVersion;

    private ScoringModel(FeatureDefinition features, LightGbmModel model, double threshold, String modelVersion) {
        this.inputs = ModelInputs.of(features);
        this.model = model;
        this.threshold = threshold;
        this.modelVersion = modelVersion;
    }

    /**
     * A model and its metadata as their files' texts ({@code fraud_model.txt}, {@code fraud_model.json},
     * what {@code python/train.py --out} writes), checked against features.json from the classpath.
     *
     * @throws ModelRefused naming the first check the model fails
     */
    public static ScoringModel parse(String modelText, String metadataJson) {
        return parse(FeatureDefinition.load(), modelText, metadataJson);
    }

    static ScoringModel parse(FeatureDefinition features, String modelText, String metadataJson) {
        JsonNode metadata;
        try {
            metadata = Json.MAPPER.readTree(metadataJson);
        } catch (IOException | RuntimeException e) {
            throw new ModelRefused("metadata", Names.PYTHON_MODEL_METADATA_FILE + " is not JSON: " + e.getMessage());
        }
        String version = metadata == null ? "" : metadata.path("model_version").asText("");
        JsonNode threshold = metadata == null ? null : metadata.path("threshold");
        if (version.isBlank()) {
            throw new ModelRefused("metadata", Names.PYTHON_MODEL_METADATA_FILE + " has no model_version");
        }
        if (threshold == null || !threshold.isNumber() || !(threshold.asDouble() >= 0 && threshold.asDouble() <= 1)) {
            throw new ModelRefused("metadata", Names.PYTHON_MODEL_METADATA_FILE + " has no threshold within [0, 1]");
        }
        LightGbmModel model;
        try {
            model = LightGbmModel.read(new StringReader(modelText), Names.PYTHON_MODEL_FILE);
        } catch (RuntimeException e) {
            throw new ModelRefused("parse", e.getMessage(), e);
        }
        List<String> columns = features.modelColumns();
        List<String> metadataColumns = new ArrayList<>();
        metadata.path("feature_names").forEach(name -> metadataColumns.add(name.asText()));
        if (!model.featureNames().equals(columns)) {
            throw new ModelRefused("columns", Names.PYTHON_MODEL_FILE + " was trained on the columns " + model.featureNames()
                    + ", but features.json defines " + columns + "; retrain with this version's python/train.py");
        }
        if (!metadataColumns.equals(columns)) {
            throw new ModelRefused("columns", Names.PYTHON_MODEL_METADATA_FILE + " lists the columns " + metadataColumns
                    + ", but features.json defines " + columns + "; retrain with this version's python/train.py");
        }
        checkSmokeRows(model, metadata.path("smoke"));
        return new ScoringModel(features, model, threshold.asDouble(), version);
    }

    /** The rows training scored and recorded, scored again here: the same model must give the same numbers. */
    private static void checkSmokeRows(LightGbmModel model, JsonNode smoke) {
        JsonNode rows = smoke.path("rows");
        JsonNode expected = smoke.path("probabilities");
        if (!rows.isArray() || rows.isEmpty() || rows.size() != expected.size()) {
            throw new ModelRefused("smoke score", Names.PYTHON_MODEL_METADATA_FILE
                    + " has no smoke rows with their probabilities; retrain with this version's python/train.py");
        }
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            if (row.size() != model.numFeatures()) {
                throw new ModelRefused("smoke score", "row " + i + " has " + row.size() + " values, the model "
                        + model.numFeatures() + " columns");
            }
            double[] values = new double[row.size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = row.get(c).asDouble();
            }
            double probability = model.probability(values);
            double recorded = expected.get(i).asDouble();
            if (!(Math.abs(probability - recorded) <= SMOKE_TOLERANCE)) {
                throw new ModelRefused("smoke score", "row " + i + " scores " + probability
                        + " here, but LightGBM gave " + recorded + " when the model was trained");
            }
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
        private LightGbmModel.ContributionBuffers contributionBuffers;

        private Evaluator() {
        }

        /**
         * This model's probability for a request another model of the same features.json has
         * already scored (the challenger beside the champion); NaN if this one cannot score it.
         */
        public double probability(FraudRequest request) {
            try {
                return inputs.fill(request, row) == null ? model.probability(row, ranks) : Double.NaN;
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }

        public ScoringModel scoring() {
            return ScoringModel.this;
        }

        /**
         * The features that pushed this request's score up most (TreeSHAP, as LightGBM's
         * {@code pred_contrib}), with their texts; for a request {@link #score} scored. About 2 ms of
         * CPU, some 250 times the score (docs/BENCHMARK.md): only flagged decisions get them.
         */
        public List<Reason> reasons(FraudRequest request, ReasonText texts) {
            if (contributionBuffers == null) {
                contributionBuffers = model.newContributionBuffers();
            }
            String problem = inputs.fill(request, row);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return texts.top(row, model.contributions(row, contributionBuffers));
        }

        /** @see ScoringModel#score */
        public Step<ScoreReply> score(FraudRequest request, long nowMs) {
            try {
                String problem = inputs.fill(request, row);
                if (problem != null) {
                    return failed(request, problem, nowMs);
                }
                double probability = model.probability(row, ranks);
                return Step.ok(ScoreReply.scored(probability, probability >= threshold, modelVersion, request));
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
        String cardToken = request.transaction() != null ? request.transaction().cardToken() : "";
        return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, problem, payload,
                transactionId, cardToken, origin, nowMs));
    }
}
