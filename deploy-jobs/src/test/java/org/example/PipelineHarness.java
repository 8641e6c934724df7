package org.example;

import com.hazelcast.collection.IList;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import org.example.definition.FeatureDefinition;
import org.example.records.CardFeatures;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudRequest;
import org.example.records.ScoreReply;
import org.example.policy.PolicyStore;
import org.example.stages.Scorer;
import org.example.stages.Step;
import org.example.definition.Names;
import org.example.records.FraudPrediction;
import org.example.records.Json;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline on one embedded member with nothing outside the JVM: the messages of a test
 * come from a stream source, the outcomes go to two lists, and PREDICT is {@link StubScorer}, an
 * injected scorer in Java. The JSON to and from Python is PythonScorerTest's, and the real scorers
 * run in JavaScorerPipelineTest and the integration tests.
 */
final class PipelineHarness implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    final HazelcastInstance member;
    final List<KafkaMessage> inputs = new ArrayList<>();
    private Job job;

    PipelineHarness(String name) {
        Config config = new Config().setClusterName(name + "-" + ProcessHandle.current().pid());
        config.getJetConfig().setEnabled(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // Job metrics every second, so a test can read a counter soon after the items passed.
        config.getMetricsConfig().setCollectionFrequencySeconds(1);
        config.getNetworkConfig().setPort(5951).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
        // The stub's model is in no registry, so it has no metadata to default from: it gets a policy.
        new PolicyStore(member).set(StubScorer.VERSION, StubScorer.REVIEW_FROM, StubScorer.DECLINE_FROM,
                "pipeline-harness", 0);
    }

    // ---- the stream ----

    /** A valid transaction, keyed by its card, appended a second after it happened. */
    KafkaMessage send(int partition, TestData.TxnBuilder txn) {
        return sendRaw(partition, txn.card(), txn.json(), txn.eventTimeMs() + 1000);
    }

    /** Offsets count up over the whole stream, so an offset names one input. */
    KafkaMessage sendRaw(int partition, String key, String value, long appendTimeMs) {
        KafkaMessage message = new KafkaMessage(new KafkaOrigin(TestData.TOPIC, partition, inputs.size(), appendTimeMs),
                key, key == null ? "" : TestData.token(key), value.getBytes(StandardCharsets.UTF_8));
        inputs.add(message);
        return message;
    }

    // ---- the run ----

    /** Job settings from flags; the test source is one processor, as Jet runs any non-distributed source. */
    static JobSettings settings(String... flags) {
        String[] all = Stream.concat(Stream.of("--kafka-source-parallelism", "1"), Stream.of(flags))
                .toArray(String[]::new);
        return JobSettings.from(all, Map.of());
    }

    /** Runs the production pipeline on the messages sent so far, scored by {@link StubScorer}. */
    Outcomes run(JobSettings settings) throws InterruptedException {
        return run(FraudPipeline.build(settings, FeatureDefinition.load(), listSource(inputs),
                StubScorer.scorer(StubScorer::score), Sinks.list("predictions"), Sinks.list("deadLetters")));
    }

    /** Runs a pipeline assembled by {@code pipeline} from the harness's source and sinks. */
    Outcomes run(PipelineFactory pipeline) throws InterruptedException {
        return run(pipeline.assemble(listSource(inputs), Sinks.list("predictions"), Sinks.list("deadLetters")));
    }

    /** A pipeline still missing its source and sinks, which the harness provides. */
    @FunctionalInterface
    interface PipelineFactory {
        Pipeline assemble(StreamSource<KafkaMessage> source, Sink<FraudPrediction> predictions, Sink<DeadLetter> deadLetters);
    }

    private Outcomes run(Pipeline pipeline) throws InterruptedException {
        job = member.getJet().newJob(pipeline, new JobConfig().setName("pipeline-test"));
        IList<FraudPrediction> predictions = member.getList("predictions");
        IList<DeadLetter> deadLetters = member.getList("deadLetters");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (predictions.size() + deadLetters.size() < inputs.size()) {
            assertThat(System.nanoTime()).as("outcomes within %s; job %s", TIMEOUT, job.getStatus()).isLessThan(deadline);
            // NOT_RUNNING: submitted, not started yet (the master may still be initialising).
            assertThat(job.getStatus()).isIn(JobStatus.NOT_RUNNING, JobStatus.STARTING, JobStatus.RUNNING);
            Thread.sleep(50);
        }
        return new Outcomes(List.copyOf(predictions), List.copyOf(deadLetters));
    }

    /**
     * Starts the production pipeline, scored by {@link StubScorer}, on an endless stream of one
     * card's transactions, one every 5 ms: ids {@code E0, E1, ...}, amounts cycling through
     * {@code amounts}, so the stub's probabilities do; predictions go to list {@code predictions}.
     */
    Job startEndless(JobSettings settings, double... amounts) {
        return startEndless(settings, new JobConfig(), amounts);
    }

    /** As above, with a job configuration of the test's (snapshots, say). */
    Job startEndless(JobSettings settings, JobConfig config, double... amounts) {
        double[] cycle = amounts.clone();
        StreamSource<KafkaMessage> endless = SourceBuilder.stream("endless-messages", ctx -> new long[1])
                .<KafkaMessage>fillBufferFn((next, buffer) -> {
                    Thread.sleep(5);
                    long n = next[0]++;
                    TestData.TxnBuilder txn = TestData.txn("E" + n).card(TestData.CARD)
                            .amount(cycle[(int) (n % cycle.length)]).at(TestData.START + n * 60_000);
                    buffer.add(new KafkaMessage(new KafkaOrigin(TestData.TOPIC, 0, n, txn.eventTimeMs() + 1000),
                            TestData.CARD, TestData.token(TestData.CARD), txn.json().getBytes(StandardCharsets.UTF_8)));
                })
                .build();
        job = member.getJet().newJob(FraudPipeline.build(settings, FeatureDefinition.load(), endless,
                        StubScorer.scorer(StubScorer::score), Sinks.list("predictions"), Sinks.list("deadLetters")),
                config.setName("pipeline-test-endless"));
        return job;
    }

    Job job() {
        return job;
    }

    /** A job metric summed over all processors, once the member has collected it. */
    long metric(String name, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long value;
        while ((value = job.getMetrics().get(name).stream().mapToLong(m -> m.value()).sum()) < atLeast
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return value;
    }

    @Override
    public void close() {
        member.shutdown();
    }

    record Outcomes(List<FraudPrediction> predictions, List<DeadLetter> deadLetters) {

        Map<String, FraudPrediction> predictionsById() {
            return predictions.stream().collect(Collectors.toMap(FraudPrediction::transactionId, p -> p));
        }

        Map<Long, DeadLetter> deadLettersByOffset() {
            return deadLetters.stream().collect(Collectors.toMap(DeadLetter::originOffset, d -> d));
        }
    }

    static CardFeatures features(FraudPrediction p) {
        return new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
    }

    /**
     * The messages in order, then nothing: a stream source, as the pipeline needs, whose supply
     * ends. They travel to the member as {@link Raw}, a serializable copy.
     */
    private static StreamSource<KafkaMessage> listSource(List<KafkaMessage> messages) {
        ArrayList<Raw> raw = messages.stream().map(Raw::of).collect(Collectors.toCollection(ArrayList::new));
        return SourceBuilder.stream("test-messages", ctx -> new ArrayDeque<>(raw))
                .<KafkaMessage>fillBufferFn((queue, buffer) -> {
                    Raw next = queue.poll();
                    if (next != null) {
                        buffer.add(next.message());
                    }
                })
                .build();
    }

    private record Raw(String topic, int partition, long offset, long appendTimeMs, String key, String cardKey,
                       byte[] value) implements Serializable {
        static Raw of(KafkaMessage m) {
            return new Raw(m.origin().topic(), m.origin().partition(), m.origin().offset(), m.origin().appendTimeMs(),
                    m.key(), m.cardKey(), m.value());
        }

        KafkaMessage message() {
            return new KafkaMessage(new KafkaOrigin(topic, partition, offset, appendTimeMs), key, cardKey, value);
        }
    }

    /**
     * PREDICT in place of a real model: a probability of amount / 1000, and a dead letter for a card
     * holder born after the transaction, a rule of the real scorers' too.
     */
    static final class StubScorer {
        static final String VERSION = "java-stub";
        /** Its policy when a test sets none: amounts from 300 are REVIEW, from 500 DECLINE. */
        static final double REVIEW_FROM = 0.3;
        static final double DECLINE_FROM = 0.5;

        private StubScorer() {
        }

        /** PREDICT as the stage that applies {@code score} to each request, containing what it throws. */
        static Scorer scorer(Step.StageFunction<FraudRequest, ScoreReply> score) {
            return requests -> requests
                    .map(request -> Step.apply(request, Names.Stage.PREDICT, System.currentTimeMillis(), score))
                    .setName(Names.Stage.PREDICT);
        }

        static Step<ScoreReply> score(FraudRequest request, long nowMs) {
            long eventDay = Math.floorDiv(request.transaction().eventTimeMs(), 86_400_000L);
            if (request.dateOfBirth().toEpochDay() > eventDay) {
                return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR,
                        "date_of_birth is after the transaction's date", request.transaction(), request.origin(), nowMs));
            }
            double probability = request.transaction().amount() / 1000;
            return Step.ok(ScoreReply.scored(probability, probability >= 0.5, VERSION, request));
        }
    }
}
