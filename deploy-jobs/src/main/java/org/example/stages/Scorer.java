package org.example.stages;

import com.hazelcast.jet.pipeline.StreamStage;
import org.example.records.FraudRequest;
import org.example.records.ScoreReply;

/**
 * PREDICT as the pipeline sees it: each scoring request becomes its reply, or the dead letter that
 * says why it could not be scored. Production passes {@link Predict#python} (the default) or
 * {@code JavaScorer} ({@code --scorer java}); the pipeline's own test passes a stub in Java that
 * speaks the handler's JSON, so the whole pipeline runs without Python.
 */
@FunctionalInterface
public interface Scorer {

    /** Adds the stage (or stages) that score {@code requests} to their pipeline. */
    StreamStage<Step<ScoreReply>> score(StreamStage<FraudRequest> requests);
}
