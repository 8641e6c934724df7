package org.example.scoring;

import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamStage;
import org.example.definition.Names;
import org.example.records.FraudRequest;
import org.example.records.ScoreReply;
import org.example.stages.Scorer;
import org.example.stages.Step;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PREDICT in the JVM ({@code --scorer java}): each request is scored where it is, by the same
 * LightGBM model and the same encoding the Python handler uses, read from the job's resources.
 * No Python processes, no JSON, no batching: the work is a few microseconds of CPU per request, so
 * a plain {@code mapUsingService} runs it on Jet's own threads. The model is parsed once per
 * member and shared by its processors; each processor has its own buffers.
 */
public final class JavaScorer implements Scorer {

    private final String modelText;
    private final String metadataJson;

    private JavaScorer(String modelText, String metadataJson) {
        this.modelText = modelText;
        this.metadataJson = metadataJson;
    }

    /**
     * The scorer of the model files in {@code dir} (the job's resources as {@code PythonBaseDir}
     * extracted them, or {@code --model-dir}'s), after parsing them once here: a model that does
     * not load, or does not fit features.json, fails the submission instead of every member's job.
     * The files' texts travel with the job, as Python's base directory does.
     */
    public static JavaScorer from(Path dir) {
        try {
            JavaScorer scorer = new JavaScorer(Files.readString(dir.resolve(Names.PYTHON_MODEL_FILE)),
                    Files.readString(dir.resolve(Names.PYTHON_MODEL_METADATA_FILE)));
            ScoringModel.parse(scorer.modelText, scorer.metadataJson);
            return scorer;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model files of " + dir, e);
        }
    }

    /** The scorer of the model in the job's own resources. */
    public static JavaScorer fromResources() {
        return from(PythonBaseDir.extract());
    }

    @Override
    public StreamStage<Step<ScoreReply>> score(StreamStage<FraudRequest> requests) {
        String model = modelText;
        String metadata = metadataJson;
        // The model is the member's (Jet's service context), its buffers the processor's (the service).
        ServiceFactory<ScoringModel, ScoringModel.Evaluator> evaluators = ServiceFactory
                .withCreateContextFn(ctx -> ScoringModel.parse(model, metadata))
                .withCreateServiceFn((ctx, scoringModel) -> scoringModel.newEvaluator());
        return requests
                .mapUsingService(evaluators, (evaluator, request) ->
                        Step.apply(request, Names.Stage.PREDICT, System.currentTimeMillis(), evaluator::score))
                .setName(Names.Stage.PREDICT);
    }
}
