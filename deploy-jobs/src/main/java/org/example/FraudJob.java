package org.example;

import org.example.scoring.PythonBaseDir;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.JetService;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.example.definition.FeatureDefinition;
import org.example.records.KafkaMessage;
import org.example.records.KafkaMessageSerializer;
import org.example.scoring.JavaScorer;
import org.example.scoring.PythonScorer;
import org.example.stages.Scorer;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

/**
 * Submits the fraud-detection job, whether {@code Main} runs under {@code hz-cli submit} or the
 * demo and the tests call it with their own instance.
 */
public final class FraudJob {

    private static final ILogger LOG = Logger.getLogger(FraudJob.class);

    private FraudJob() {
    }

    /**
     * Submits the pipeline: Kafka in, the maps out, scoring in Python (in Java with
     * {@code --scorer java}). If a job of the same name is running, {@link JobSettings.IfRunning}
     * decides: keep it (and return it), or cancel it, wait until it has stopped, and submit anew.
     * Either way the maps' SQL mappings exist afterwards, and so does the job's
     * {@link JobSupervisor}, unless {@code --resume-attempts} is 0.
     */
    public static Job deploy(HazelcastInstance hz, JobSettings settings) {
        // Before anything else: a model directory that does not fit fails here, with the running job untouched.
        Path pythonDir = PythonBaseDir.extract(settings.modelDir());
        SqlMappings.create(hz);
        JetService jet = hz.getJet();
        Job running = jet.getJob(settings.jobName());
        if (running != null && !running.getStatus().isTerminal()) {
            if (settings.ifRunning() == JobSettings.IfRunning.KEEP) {
                LOG.info("Job '" + settings.jobName() + "' is already " + running.getStatus()
                        + "; keeping it (use --if-running REPLACE to replace it)");
                superviseIfAsked(hz, settings);
                return running;
            }
            LOG.info("Replacing job '" + settings.jobName() + "': cancelling " + running.getIdString());
            cancelAndWait(running);
        }
        Pipeline pipeline = FraudPipeline.build(settings, FeatureDefinition.load(),
                FraudPipeline.kafkaSource(settings), scorer(settings, pythonDir),
                FraudPipeline.predictionResultMap(), FraudPipeline.deadLettersMap());
        // newJobIfAbsent: if another submitter won the race, its job is returned instead of a twin.
        Job job = jet.newJobIfAbsent(pipeline, jobConfig(settings));
        LOG.info("Job '" + settings.jobName() + "' submitted: " + job.getIdString() + ", scoring with model "
                + PythonBaseDir.modelVersion(pythonDir)
                + (settings.modelDir().isBlank() ? " of the job JAR" : " from " + settings.modelDir()));
        superviseIfAsked(hz, settings);
        return job;
    }

    private static void superviseIfAsked(HazelcastInstance hz, JobSettings settings) {
        if (settings.resumeAttempts() > 0) {
            Job supervisor = JobSupervisor.ensureRunning(hz, settings.jobName(), JobSupervisor.Policy.of(settings));
            LOG.info("Job '" + settings.jobName() + "' is supervised by job '" + supervisor.getName() + "'");
        }
    }

    /** PREDICT, with the model files of {@code modelFiles} (the JAR's, or those of --model-dir). */
    static Scorer scorer(JobSettings settings, Path modelFiles) {
        return switch (settings.scorer()) {
            case PYTHON -> PythonScorer.python(modelFiles, settings.pythonBatchSize(), settings.pythonParallelism());
            case JAVA -> JavaScorer.from(modelFiles);
        };
    }

    static JobConfig jobConfig(JobSettings settings) {
        return new JobConfig()
                .setName(settings.jobName())
                .setProcessingGuarantee(settings.processingGuarantee())
                .setSnapshotIntervalMillis(settings.snapshotIntervalMs())
                .setMetricsEnabled(true)
                .setStoreMetricsAfterJobCompletion(true)
                // A failure (a Python worker killed, say) suspends the job with its snapshot, per-card
                // histories included, instead of ending it; the JobSupervisor resumes it, nothing lost.
                .setSuspendOnFailure(true)
                // In a network split only the side with more than half of the members the job has run
                // on restarts it; the other side waits and is merged into it. Without this, both sides
                // would read the same Kafka partitions, each with part of the card histories
                // (docs/DESIGN.md, "Network partitions").
                .setSplitBrainProtection(true)
                .registerSerializer(KafkaMessage.class, KafkaMessageSerializer.class);
    }

    private static void cancelAndWait(Job job) {
        try {
            job.cancel();
        } catch (IllegalStateException alreadyStopping) {
            // It finished or failed meanwhile: nothing to cancel, but still wait below.
        }
        try {
            job.join();
        } catch (CancellationException expected) {
            // join() of a cancelled job reports the cancellation: the job has stopped.
        } catch (RuntimeException failedMeanwhile) {
            LOG.warning("Job " + job.getIdString() + " ended with " + failedMeanwhile);
        }
    }
}
