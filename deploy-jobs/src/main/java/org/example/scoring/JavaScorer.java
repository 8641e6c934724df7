package org.example.scoring;

import com.hazelcast.jet.core.metrics.Metrics;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.policy.PolicyFollower;
import org.example.policy.ReasonText;
import org.example.records.FraudRequest;
import org.example.records.ScoreReply;
import org.example.scoring.ModelFollower.Assignment;
import org.example.stages.Scorer;
import org.example.stages.Step;

/**
 * PREDICT in the JVM ({@code --scorer java}): each request is scored where it is, by the same
 * LightGBM model and the same encoding the Python handler uses, with the models the job's pointer
 * names ({@link ModelFollower}), the champion and, when one is set, the challenger beside it. No
 * Python processes, no JSON, no batching: the work is a few microseconds of CPU per request, so a
 * plain {@code mapUsingService} runs it on Jet's own threads. Each member follows the pointer once
 * for all its processors; each processor has its own buffers.
 */
public final class JavaScorer implements Scorer {

    private final String jobName;

    private JavaScorer(String jobName) {
        this.jobName = jobName;
    }

    /** The scorer of job {@code jobName}'s champion (and challenger), as its pointer names them. */
    public static JavaScorer following(String jobName) {
        return new JavaScorer(jobName);
    }

    @Override
    public StreamStage<Step<ScoreReply>> score(StreamStage<FraudRequest> requests) {
        String job = jobName;
        // The models are the member's (Jet's service context), the buffers the processor's (the service).
        ServiceFactory<Followers, Scoring> scoring = ServiceFactory
                .withCreateContextFn(ctx -> Followers.start(ctx.hazelcastInstance(), job, false))
                .withDestroyContextFn(Followers::close)
                .withCreateServiceFn((ctx, followers) -> new Scoring(followers.models(), followers.policies()));
        return requests
                .mapUsingService(scoring, (service, request) ->
                        Step.apply(request, Names.Stage.PREDICT, System.currentTimeMillis(), service::score))
                .setName(Names.Stage.PREDICT);
    }

    /**
     * One processor's scoring: the member's current models, with evaluators of its own. A score
     * the model's policy flags gets its reasons here, where the model is; ACT decides the band
     * with the same policy, read again (docs/DESIGN.md, "Decisions: bands, policy, reasons").
     */
    static final class Scoring {
        private final ModelFollower follower;
        private final PolicyFollower policies;
        private final ReasonText reasonText = new ReasonText(FeatureDefinition.load());
        private Assignment seen;
        private ScoringModel.Evaluator champion;
        private ScoringModel.Evaluator challenger;

        Scoring(ModelFollower follower, PolicyFollower policies) {
            this.follower = follower;
            this.policies = policies;
        }

        Step<ScoreReply> score(FraudRequest request, long nowMs) {
            Assignment now = follower.current();
            if (now != seen) {
                seen = now;
                champion = now.champion().scoring().newEvaluator();
                challenger = now.challenger() == null ? null : now.challenger().scoring().newEvaluator();
            }
            Step<ScoreReply> step = champion.score(request, nowMs);
            if (!step.isOk()) {
                return step;
            }
            ScoreReply reply = step.value();
            if (policies.policyFor(reply.modelVersion()).band(reply.fraudProbability()).isFlagged()) {
                reply = reply.withReasons(champion.reasons(request, reasonText));
            }
            if (challenger != null) {
                reply = reply.withChallenger(challenger.probability(request), seen.challenger().version());
            }
            if (seen.problem() == null) {
                return Step.ok(reply);
            }
            Metrics.metric(ModelFollower.MODEL_PROBLEMS_METRIC).increment();
            return Step.ok(reply.withModelError(seen.problem()));
        }
    }
}
