package org.example.scoring;

import org.example.stages.Step;
import org.example.stages.Scorer;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.core.metrics.Metrics;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.jet.python.PythonServiceConfig;
import com.hazelcast.jet.python.PythonTransforms;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.policy.ReasonText;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.ModelProblem;
import org.example.records.PythonRequest;
import org.example.records.Reason;
import org.example.records.ScoreReply;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PREDICT: the requests go, as JSON, to {@code fraud_handler.transform_list} in Python processes
 * that Jet starts on every member ({@code mapUsingPython}); each reply comes back as JSON with the
 * request echoed in it. A reply that carries an error becomes a dead letter.
 *
 * <p>Which model scores a request is decided here, in Java, as the request leaves for Python: the
 * member's {@link ModelFollower} writes the models the job's pointer names to the member's disk,
 * and each request names the champion (and challenger) and where their files are. A Python process
 * loads a model the first time a request names it, and keeps every model it loaded; one it cannot
 * load leaves the one it has scoring, and its replies say so ({@link ModelProblem}), which is
 * counted in the job metric {@value ModelFollower#MODEL_PROBLEMS_METRIC} and recorded in map {@code modelStatus}.
 * The edge from the request stage to Python is local, so the files are on the member that reads them.
 *
 * <p>Each request also carries the champion policy's review threshold; for a score at or above it
 * the handler returns LightGBM's TreeSHAP contributions, and the reply stage turns them into the
 * decision's reasons with the same texts the Java scorer gives ({@link #reasons}).
 */
public final class PythonScorer {

    private static final ObjectReader REPLY_READER = Json.lenientReader(ScoreReply.class);
    /** features.json of the job JAR: the one shipped to the Python processes beside the handler. */
    private static final FeatureDefinition DEFINITION = FeatureDefinition.load();
    private static final ModelInputs INPUTS = ModelInputs.of(DEFINITION);
    private static final ReasonText REASON_TEXT = new ReasonText(DEFINITION);

    private PythonScorer() {
    }

    /**
     * The production scorer for job {@code jobName}: {@code mapUsingPython} with {@code parallelism}
     * Python processes per member, at most {@code batchSize} requests per call. Requests go as JSON;
     * the replies are read here, whoever wrote them (docs/DATA.md).
     */
    public static Scorer python(Path baseDir, int batchSize, int parallelism, String jobName) {
        FunctionEx<StreamStage<String>, StreamStage<String>> python =
                PythonTransforms.mapUsingPython(pythonConfig(baseDir), batchSize);
        ServiceFactory<Followers, Followers> followers = ServiceFactory
                .withCreateContextFn(ctx -> Followers.start(ctx.hazelcastInstance(), jobName, true))
                .withDestroyContextFn(Followers::close)
                .withCreateServiceFn((ctx, both) -> both);
        ServiceFactory<?, ProblemReporter> reporter = ServiceFactories.sharedService(
                ctx -> new ProblemReporter(new ModelRegistry(ctx.hazelcastInstance()), jobName,
                        ctx.hazelcastInstance().getCluster().getLocalMember().getAddress().toString()));
        // Writing our own records cannot fail: INGEST and ENRICH let only values through that JSON holds.
        return requests -> python.apply(requests
                        .mapUsingService(followers, (both, request) -> Json.toJson(forPython(request, both)))
                        .setName(Names.Stage.PREDICT + ":request"))
                .setLocalParallelism(parallelism)
                .setName(Names.Stage.PREDICT)
                .mapUsingService(reporter, (problems, reply) -> problems.noted(readReply(reply, System.currentTimeMillis())))
                .setName(Names.Stage.PREDICT + ":reply");
    }

    /**
     * The request as Python gets it: with the member-local files of the models that score it, and
     * the probability from which its reply carries contributions for the reasons (the champion's
     * review threshold, so that every REVIEW and DECLINE has them and no APPROVE pays for them).
     */
    static PythonRequest forPython(FraudRequest request, Followers followers) {
        ModelFollower.Assignment models = followers.models().current();
        Double reasonsFrom;
        try {
            reasonsFrom = followers.policies().policyFor(models.champion().version()).reviewFrom();
        } catch (RuntimeException unknown) {
            // A policy that cannot be read now is ACT's to dead-letter; the score itself is still wanted.
            reasonsFrom = null;
        }
        return new PythonRequest(request, models.champion().files(),
                models.challenger() == null ? null : models.challenger().files(), reasonsFrom);
    }

    /** The Python service: a base directory holding the handler, the model and the feature file. */
    public static PythonServiceConfig pythonConfig(Path baseDir) {
        return new PythonServiceConfig()
                .setBaseDir(baseDir.toString())
                .setHandlerModule(Names.PYTHON_HANDLER_MODULE)
                .setHandlerFunction(Names.PYTHON_HANDLER_FUNCTION);
    }

    /**
     * Never throws: an exception no rule foresaw becomes an {@code INTERNAL_ERROR} dead letter,
     * of the request if the reply names one that can be read, else of the reply itself.
     *
     * @param nowMs the time a dead letter is recorded at
     */
    public static Step<ScoreReply> readReply(String replyJson, long nowMs) {
        try {
            return readChecked(replyJson, nowMs);
        } catch (Exception e) {
            FraudRequest request = requestIn(replyJson);
            String detail = DeadLetter.unexpected(e);
            return Step.failed(request != null
                    ? DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.INTERNAL_ERROR, detail,
                            request.transaction(), request.origin(), nowMs)
                    : DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.INTERNAL_ERROR, detail, replyJson,
                            "", "", KafkaOrigin.unknown(String.valueOf(replyJson)), nowMs));
        }
    }

    /** The request a reply echoes, if it can be read at all; {@code null} otherwise. */
    private static FraudRequest requestIn(String replyJson) {
        try {
            ScoreReply reply = REPLY_READER.readValue(replyJson);
            FraudRequest request = reply == null ? null : reply.request();
            return request != null && request.transaction() != null && request.origin() != null ? request : null;
        } catch (Exception unreadable) {
            return null;
        }
    }

    private static Step<ScoreReply> readChecked(String replyJson, long nowMs) {
        if (replyJson == null) {
            return unmatched("no reply at all from the Python handler", "null", nowMs);
        }
        ScoreReply reply;
        try {
            reply = REPLY_READER.readValue(replyJson);
        } catch (JacksonException e) {
            return unmatched("unreadable reply from the Python handler: " + e.getOriginalMessage(), replyJson, nowMs);
        }
        if (reply == null) {
            return unmatched("the Python handler replied with JSON null", replyJson, nowMs);
        }
        FraudRequest request = reply.request();
        if (request == null || request.transaction() == null || request.origin() == null) {
            return unmatched("reply without its request" + (reply.error() != null ? ": " + reply.error() : ""),
                    replyJson, nowMs);
        }
        if (reply.isError()) {
            String detail = reply.error() != null ? reply.error() : "reply lacks fraud_probability or is_fraud";
            return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, detail,
                    request.transaction(), request.origin(), nowMs));
        }
        return Step.ok(reply.contributions() == null ? reply : reply.withReasons(reasons(request, reply.contributions())));
    }

    /**
     * The reasons of a flagged score, from the contributions Python gave and the model input row,
     * built here again as the Java scorer builds it; the texts are {@link ReasonText}'s, as for the
     * Java scorer. Throws (an {@code INTERNAL_ERROR}) when they do not fit the columns: the handler
     * and the job would disagree about the model.
     */
    static List<Reason> reasons(FraudRequest request, double[] contributions) {
        double[] row = new double[INPUTS.width()];
        String problem = INPUTS.fill(request, row);
        if (problem != null) {
            throw new IllegalArgumentException("Python scored a request the job cannot build a row of: " + problem);
        }
        if (contributions.length != row.length + 1) {
            throw new IllegalArgumentException("Python gave " + contributions.length + " contributions for "
                    + row.length + " model columns and the expected value");
        }
        return REASON_TEXT.top(row, contributions);
    }

    /**
     * A reply that cannot be tied to its input breaks the handler's contract (it echoes every
     * request). It is still recorded, under a position derived from its content.
     */
    private static Step<ScoreReply> unmatched(String detail, String replyJson, long nowMs) {
        return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, detail, replyJson,
                "", "", KafkaOrigin.unknown(replyJson), nowMs));
    }

    /**
     * Counts the replies scored by another model than asked for, and records each model a Python
     * process of this member could not load in map {@code modelStatus}, once.
     */
    static final class ProblemReporter {
        private final ModelRegistry registry;
        private final String jobName;
        private final String member;
        private final Set<String> recorded = ConcurrentHashMap.newKeySet();

        ProblemReporter(ModelRegistry registry, String jobName, String member) {
            this.registry = registry;
            this.jobName = jobName;
            this.member = member;
        }

        Step<ScoreReply> noted(Step<ScoreReply> step) {
            ModelProblem problem = step.isOk() ? step.value().modelError() : null;
            if (problem != null) {
                Metrics.metric(ModelFollower.MODEL_PROBLEMS_METRIC).increment();
                if (recorded.add(problem.version() + "\n" + problem.problem())) {
                    registry.report(new ModelStatus(jobName, member, "python", problem.version(),
                            ModelStatus.State.FAILED.name(), problem.problem(), System.currentTimeMillis()));
                }
            }
            return step;
        }
    }
}
