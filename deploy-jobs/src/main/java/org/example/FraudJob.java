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
import org.example.registry.ModelEntry;
import org.example.registry.ModelPointer;
import org.example.registry.ModelRegistry;
import org.example.scoring.BundledModel;
import org.example.scoring.JavaScorer;
import org.example.scoring.PythonScorer;
import org.example.stages.Scorer;

import java.util.List;
import java.util.Optional;
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
     * {@code --scorer java}) with the models the job's pointer in the registry names. A first
     * deployment makes the JAR's model the job's champion; a later one leaves the pointer alone (a
     * model goes into service while the job runs: scripts/deploy-model.sh). If a job of the same
     * name is running, {@link JobSettings.IfRunning} decides: keep it (and return it), or cancel it,
     * wait until it has stopped, and submit anew, which rebuilds the card state from the topic.
     * Everything that can refuse the submission runs before a running job is touched. Either way
     * the maps' SQL mappings exist afterwards, and so does the job's {@link JobSupervisor}, unless
     * {@code --resume-attempts} is 0.
     */
    public static Job deploy(HazelcastInstance hz, JobSettings settings) {
        KafkaPreflight.Reachable kafka = KafkaPreflight.check(settings); // Kafka refusing these settings fails the submit here, in one sentence
        OutputTopics.ensureExist(settings, kafka.partitions());
        List<MemberCheck.Report> members = MemberCheck.ask(hz);
        String key = MemberCheck.sameTokenKey(members);
        MemberCheck.threadPerCompletionWarning(members).ifPresent(LOG::warning);
        Pipeline pipeline = FraudPipeline.build(settings, FeatureDefinition.load(),
                FraudPipeline.kafkaSource(settings), scorer(settings),
                FraudPipeline.predictionResultMap(), FraudPipeline.deadLettersMap(),
                OutputTopics.decisionSinks(settings), OutputTopics.deadLetterSinks(settings));
        ModelPointer models = ensureChampion(new ModelRegistry(hz), settings.jobName());
        SqlMappings.create(hz);
        JetService jet = hz.getJet();
        Job running = jet.getJob(settings.jobName());
        if (running != null && !running.getStatus().isTerminal()) {
            if (settings.ifRunning() == JobSettings.IfRunning.KEEP) {
                LOG.info("Job '" + settings.jobName() + "' is already " + running.getStatus()
                        + "; keeping it (use --if-running REPLACE to replace it and rebuild its state from the topic)");
                superviseIfAsked(hz, settings);
                return running;
            }
            LOG.info("Replacing job '" + settings.jobName() + "': cancelling " + running.getIdString()
                    + "; the new job rebuilds its state from the topic");
            cancelAndWait(running);
        }
        // newJobIfAbsent: if another submitter won the race, its job is returned instead of a twin.
        Job job = jet.newJobIfAbsent(pipeline, jobConfig(settings));
        LOG.info("Job '" + settings.jobName() + "' submitted: " + job.getIdString() + ", scoring with model "
                + models.champion() + (models.challenger() != null ? ", challenger " + models.challenger() : "")
                + "; card tokens of key " + key.substring(0, key.indexOf(':')));
        superviseIfAsked(hz, settings);
        return job;
    }

    /**
     * The job's pointer; a job that has none yet gets the JAR's model as its champion, published
     * into the registry. Two submitters at once agree: the pointer is set by compare-and-set.
     */
    static ModelPointer ensureChampion(ModelRegistry registry, String jobName) {
        Optional<ModelPointer> pointer = registry.pointer(jobName);
        if (pointer.isPresent()) {
            return pointer.get();
        }
        ModelEntry bundled = BundledModel.entry(System.currentTimeMillis(), "submit");
        registry.publish(bundled);
        return registry.setChampion(jobName, bundled.version(), System.currentTimeMillis(), "submit");
    }

    private static void superviseIfAsked(HazelcastInstance hz, JobSettings settings) {
        if (settings.resumeAttempts() > 0) {
            Job supervisor = JobSupervisor.ensureRunning(hz, settings.jobName(), JobSupervisor.Policy.of(settings));
            LOG.info("Job '" + settings.jobName() + "' is supervised by job '" + supervisor.getName() + "'");
        }
    }

    /** PREDICT: the job's models, in Python processes or in the JVM. */
    static Scorer scorer(JobSettings settings) {
        return switch (settings.scorer()) {
            case PYTHON -> PythonScorer.python(PythonBaseDir.extract(), settings.pythonBatchSize(),
                    settings.pythonParallelism(), settings.jobName());
            case JAVA -> JavaScorer.following(settings.jobName());
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
