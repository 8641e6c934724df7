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
import org.example.definition.Names;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.ModelProblem;
import org.example.records.PythonRequest;
import org.example.records.ScoreReply;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;

import java.nio.file.Path;
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
 */
public final class PythonScorer {

    private static final ObjectReader REPLY_READER = Json.lenientReader(ScoreReply.class);

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
        ServiceFactory<ModelFollower, ModelFollower> models = ServiceFactory
                .withCreateContextFn(ctx -> ModelFollower.start(ctx.hazelcastInstance(), jobName, true))
                .withDestroyContextFn(ModelFollower::close)
                .withCreateServiceFn((ctx, follower) -> follower);
        ServiceFactory<?, ProblemReporter> reporter = ServiceFactories.sharedService(
                ctx -> new ProblemReporter(new ModelRegistry(ctx.hazelcastInstance()), jobName,
                        ctx.hazelcastInstance().getCluster().getLocalMember().getAddress().toString()));
        // Writing our own records cannot fail: INGEST and ENRICH let only values through that JSON holds.
        return requests -> python.apply(requests
                        .mapUsingService(models, (follower, request) -> Json.toJson(withModels(request, follower.current())))
                        .setName(Names.Stage.PREDICT + ":request"))
                .setLocalParallelism(parallelism)
                .setName(Names.Stage.PREDICT)
                .mapUsingService(reporter, (problems, reply) -> problems.noted(readReply(reply, System.currentTimeMillis())))
                .setName(Names.Stage.PREDICT + ":reply");
    }

    /** The request as Python gets it: with the member-local files of the models that score it. */
    static PythonRequest withModels(FraudRequest request, ModelFollower.Assignment models) {
        return new PythonRequest(request, models.champion().files(),
                models.challenger() == null ? null : models.challenger().files());
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
        return Step.ok(reply);
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
