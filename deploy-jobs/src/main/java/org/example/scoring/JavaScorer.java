package org.example.scoring;

import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import org.example.Names;
import org.example.model.FraudRequest;
import org.example.model.ScoreReply;
import org.example.stages.Scorer;
import org.example.stages.Step;

/**
 * PREDICT in the JVM ({@code --scorer java}): each request is scored where it is, by the same
 * LightGBM model and the same encoding the Python handler uses, read from the job's resources.
 * No Python processes, no JSON, no batching: the work is a few microseconds of CPU per request, so
 * a plain {@code mapUsingService} runs it on Jet's own threads. The model is parsed once per
 * member and shared by its processors; each processor has its own buffers.
 */
public final class JavaScorer implements Scorer {

    private JavaScorer() {
    }

    /**
     * The scorer, after loading the model once here: a model that does not load, or does not fit
     * features.json, fails the submission instead of every member's job.
     */
    public static JavaScorer fromResources() {
        ScoringModel.loadFromResources();
        return new JavaScorer();
    }

    @Override
    public StreamStage<Step<ScoreReply>> score(StreamStage<FraudRequest> requests) {
        // The model is the member's (Jet's service context), its buffers the processor's (the service).
        ServiceFactory<ScoringModel, ScoringModel.Evaluator> evaluators = ServiceFactory
                .withCreateContextFn(ctx -> ScoringModel.loadFromResources())
                .withCreateServiceFn((ctx, model) -> model.newEvaluator());
        return requests
                .mapUsingService(evaluators, (evaluator, request) ->
                        evaluator.score(request, System.currentTimeMillis()))
                .setName(Names.Stage.PREDICT);
    }
}
