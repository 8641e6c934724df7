package org.example;

import com.hazelcast.function.FunctionEx;
import com.hazelcast.function.SupplierEx;
import com.hazelcast.jet.core.Processor;
import com.hazelcast.jet.core.metrics.Metrics;
import com.hazelcast.jet.kafka.KafkaSources;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.features.CardFeaturesP;
import org.example.policy.PolicyFollower;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.FraudPrediction;
import org.example.records.FraudRequest;
import org.example.records.Hops;
import org.example.records.KafkaOrigin;
import org.example.records.KafkaMessage;
import org.example.records.ScoreReply;
import org.example.records.TransactionEvent;
import org.example.stages.Act;
import org.example.stages.Ingest;
import org.example.stages.ReadThrough;
import org.example.stages.ReferenceCache;
import org.example.stages.Scorer;
import org.example.stages.Step.StageFunction;
import org.example.stages.Step;
import org.example.stages.Transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.example.definition.Names.Stage.ACT;
import static org.example.definition.Names.Stage.ENRICH;
import static org.example.definition.Names.Stage.FEATURES;
import static org.example.definition.Names.Stage.INGEST;
import static org.example.definition.Names.Stage.PREDICT;
import static org.example.definition.Names.Stage.TRANSFORM;

/**
 * The fraud-detection pipeline, one method per stage:
 * <pre>
 * source → INGEST → FEATURES → ENRICH → TRANSFORM ─┬→ PREDICT → ACT ─┬→ prediction sink (+ decision topic)
 *                                                  └─────────────────┴→ dead-letter sink (+ dead-letter topic)
 * </pre>
 * Each stage passes a {@link Step} on: its value, or the dead letter that replaced it, which the
 * later stages let through ({@link Step#next}, which also turns any exception into that input's
 * dead letter). {@link #splitOffDeadLetters} sends them to the one dead-letter sink twice: before
 * PREDICT, whose scorer takes only requests, and after ACT. So every input ends as exactly one
 * prediction or one dead letter, and no input can fail the job.
 *
 * <p>What the pipeline reads, writes and calls is passed in: production reads Kafka, writes the
 * maps {@code predictionResult} and {@code deadLetters} and scores in Python ({@link FraudJob});
 * the pipeline's test reads a test source, writes lists and scores in Java.
 */
public class FraudPipeline {

    /** Job metric: predictions handed to the prediction sink. */
    public static final String PREDICTIONS_METRIC = "predictions";
    /** Job metric: dead letters of every reason, counted where they leave for their sink. */
    public static final String DEAD_LETTERS_METRIC = "deadLetters";
    /** Job metric: the dead letters no rule foresaw ({@code INTERNAL_ERROR}): each is a bug to look at. */
    public static final String INTERNAL_ERRORS_METRIC = "internalErrors";

    /**
     * Transactions one ENRICH processor holds while earlier ones wait for the reference database;
     * past them it takes no more, and the source slows down until the wait ends.
     */
    static final int ENRICH_MAX_PENDING = 1024;

    private final JobSettings settings;
    private final FeatureDefinition features;
    private final List<StreamStage<DeadLetter>> deadLetters = new ArrayList<>();

    protected FraudPipeline(JobSettings settings, FeatureDefinition features) {
        this.settings = settings;
        this.features = features;
    }

    /**
     * @param source      Kafka records, as {@link #kafkaSource} reads them
     * @param scorer      PREDICT
     * @param predictions where ACT writes each prediction
     * @param deadLetters where every stage's dead letters go
     */
    public static Pipeline build(JobSettings settings, FeatureDefinition features,
                                 StreamSource<KafkaMessage> source, Scorer scorer,
                                 Sink<? super FraudPrediction> predictions, Sink<? super DeadLetter> deadLetters) {
        return build(settings, features, source, scorer, predictions, deadLetters, List.of(), List.of());
    }

    /**
     * As above, and each prediction and each dead letter also to every sink of the lists (the
     * Kafka topics of {@link OutputTopics}); each sink receives every item once.
     */
    public static Pipeline build(JobSettings settings, FeatureDefinition features,
                                 StreamSource<KafkaMessage> source, Scorer scorer,
                                 Sink<? super FraudPrediction> predictions, Sink<? super DeadLetter> deadLetters,
                                 List<Sink<? super FraudPrediction>> morePredictions,
                                 List<Sink<? super DeadLetter>> moreDeadLetters) {
        return new FraudPipeline(settings, features)
                .assemble(source, scorer, predictions, deadLetters, morePredictions, moreDeadLetters);
    }

    /** The Kafka source: raw bytes, so INGEST sees, and can dead-letter, every message as it came. */
    public static StreamSource<KafkaMessage> kafkaSource(JobSettings settings) {
        Properties props = new Properties();
        // A new job reads the topic from its start: with Kafka keeping at least the longest window
        // of history, a replaced job rebuilds exact features (see docs/DESIGN.md).
        props.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A job started before its topic exists must not create it with the broker's default of
        // one partition: it waits for the topic, which the producer side creates properly.
        props.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.putAll(settings.kafkaProperties());
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        props.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return KafkaSources.kafka(props, Ingest::toMessage, settings.kafkaTopic());
    }

    /** Map {@code predictionResult}, keyed by {@link Act#key}. */
    public static Sink<FraudPrediction> predictionResultMap() {
        return Sinks.map(Names.PREDICTION_RESULT_MAP, Act::key, prediction -> prediction);
    }

    /** Map {@code deadLetters}, keyed by the Kafka position of the input. */
    public static Sink<DeadLetter> deadLettersMap() {
        return Sinks.map(Names.DEAD_LETTERS_MAP, DeadLetter::key, deadLetter -> deadLetter);
    }

    protected final Pipeline assemble(StreamSource<KafkaMessage> source, Scorer scorer,
                              Sink<? super FraudPrediction> predictions, Sink<? super DeadLetter> deadLetterSink) {
        return assemble(source, scorer, predictions, deadLetterSink, List.of(), List.of());
    }

    private Pipeline assemble(StreamSource<KafkaMessage> source, Scorer scorer,
                              Sink<? super FraudPrediction> predictions, Sink<? super DeadLetter> deadLetterSink,
                              List<Sink<? super FraudPrediction>> morePredictions,
                              List<Sink<? super DeadLetter>> moreDeadLetters) {
        Pipeline pipeline = Pipeline.create();
        StreamStage<KafkaMessage> messages = pipeline.readFrom(source)
                .withoutTimestamps()
                .setLocalParallelism(settings.kafkaSourceParallelism())
                .setName("kafka:" + settings.kafkaTopic());
        StreamStage<FraudRequest> requests = splitOffDeadLetters(TRANSFORM, transform(enrich(features(ingest(messages)))));
        StreamStage<FraudPrediction> decided = splitOffDeadLetters(ACT, act(predict(requests, scorer)))
                .map(FraudPipeline::countedPrediction).setName(ACT + ":counted");
        decided.writeTo(predictions).setName(Names.PREDICTION_RESULT_MAP);
        for (int i = 0; i < morePredictions.size(); i++) {
            decided.writeTo(morePredictions.get(i)).setName(ACT + ":predictions-" + (i + 1));
        }
        writeDeadLetters(pipeline, deadLetterSink, Names.DEAD_LETTERS_MAP);
        for (int i = 0; i < moreDeadLetters.size(); i++) {
            writeDeadLetters(pipeline, moreDeadLetters.get(i), ACT + ":dead-letters-" + (i + 1));
        }
        return pipeline;
    }

    /**
     * A card's transactions must reach FEATURES in their Kafka order. Jet keeps the order of items
     * only along a partitioned edge (one queue per sender and receiver), so every hop from the
     * source to FEATURES is partitioned by card number, and INGEST's dead letters travel on with
     * the rest instead of branching off in between, where a round-robin edge would reorder.
     */
    private StreamStage<Step<TransactionEvent>> ingest(StreamStage<KafkaMessage> messages) {
        StageFunction<KafkaMessage, TransactionEvent> ingest = ingestion(Ingest.Limits.of(settings.maxAmount()));
        return messages
                .rebalance(KafkaMessage::cardKey)
                .map(message -> Ingest.contain(message, System.currentTimeMillis(), ingest))
                .setName(INGEST);
    }

    private StreamStage<Step<FeaturedEvent>> features(StreamStage<Step<TransactionEvent>> ingested) {
        return ingested
                .groupingKey(Ingest::cardKey)
                .customTransform(FEATURES, featuresProcessor(features, settings.allowedLagMs()));
    }

    /**
     * Hits in the maps stay plain synchronous gets: both are local, so they cost microseconds,
     * while Hazelcast's asynchronous gets held the whole job to 2,000 transactions/s on one member
     * (16,700 with these; docs/DESIGN.md). FEATURES ran on the member that owns the card, so the
     * customer is read there, from the same partition; merchants come from each member's near
     * cache (scripts/hazelcast.yaml). Only what the maps miss waits for the reference database, on
     * threads of its own, for at most {@link ReadThrough#DEADLINE_MS}; hence an asynchronous stage.
     * Ordered, so that no item overtakes another and a snapshot needs no copy of those in flight
     * (it waits for them instead).
     */
    private StreamStage<Step<EnrichedEvent>> enrich(StreamStage<Step<FeaturedEvent>> featured) {
        FeatureDefinition definition = features;
        ReferenceCache.Lookup lookup = enrichment();
        ServiceFactory<?, ReferenceCache> lookUp = ServiceFactories.sharedService(
                ctx -> ReferenceCache.on(ctx, definition), ReferenceCache::close);
        return featured
                .mapUsingServiceAsync(lookUp, ENRICH_MAX_PENDING, true,
                        (refs, step) -> refs.next(step, lookup, System.currentTimeMillis()))
                .setName(ENRICH);
    }

    private StreamStage<Step<FraudRequest>> transform(StreamStage<Step<EnrichedEvent>> enriched) {
        StageFunction<EnrichedEvent, FraudRequest> toRequest = transformation(features.earthRadiusKm());
        return enriched
                .map(step -> Step.next(step, TRANSFORM, System.currentTimeMillis(), toRequest))
                .setName(TRANSFORM);
    }

    /**
     * The scorer, with the times its requests went in and its replies came out recorded on each
     * ({@link Hops}): what batching and the Python round trip add to a transaction's latency.
     */
    private StreamStage<Step<ScoreReply>> predict(StreamStage<FraudRequest> requests, Scorer scorer) {
        StreamStage<FraudRequest> stamped = requests
                .map(request -> request.withOrigin(passed(request.origin(), System.currentTimeMillis(), true)))
                .setName(PREDICT + ":in");
        return scorer.score(stamped)
                .map(step -> step.isOk() ? Step.ok(step.value().withRequest(step.value().request()
                        .withOrigin(passed(step.value().origin(), System.currentTimeMillis(), false)))) : step)
                .setName(PREDICT + ":out");
    }

    private static KafkaOrigin passed(KafkaOrigin origin, long nowMs, boolean in) {
        return origin.withHops(in ? origin.hops().predictInAt(nowMs) : origin.hops().predictOutAt(nowMs));
    }

    /**
     * The band needs the model's scoring policy: each member follows map {@code scoringPolicy}
     * ({@link PolicyFollower}), so a change applies within a second, with no restart.
     */
    private StreamStage<Step<FraudPrediction>> act(StreamStage<Step<ScoreReply>> scored) {
        FunctionEx<PolicyFollower, StageFunction<ScoreReply, FraudPrediction>> toPrediction = action();
        ServiceFactory<PolicyFollower, StageFunction<ScoreReply, FraudPrediction>> policies = ServiceFactory
                .withCreateContextFn(ctx -> PolicyFollower.start(ctx.hazelcastInstance()))
                .withDestroyContextFn(PolicyFollower::close)
                .withCreateServiceFn((ctx, follower) -> toPrediction.apply(follower));
        return scored
                .mapUsingService(policies, (act, step) -> Step.next(step, ACT, System.currentTimeMillis(), act))
                .setName(ACT);
    }

    // ---- What each stage does to one input ------------------------------------------------------
    // The stage methods above contain whatever these throw to the one input (Step.next,
    // Ingest.contain, CardFeaturesP). Each returns a serializable function, made here and run on
    // the members; a subclass may wrap one (the containment test makes each throw).

    /** INGEST: a raw Kafka message to a validated transaction. */
    protected StageFunction<KafkaMessage, TransactionEvent> ingestion(Ingest.Limits limits) {
        return (message, nowMs) -> Ingest.read(message, limits, nowMs);
    }

    /** FEATURES: the processor that keeps every card's windows (partitioned by card). */
    protected SupplierEx<Processor> featuresProcessor(FeatureDefinition windows, long allowedLagMs) {
        return () -> new CardFeaturesP(windows, allowedLagMs);
    }

    /** ENRICH: one transaction's lookups, given its member's maps and reference database. */
    protected ReferenceCache.Lookup enrichment() {
        return ReferenceCache::lookUp;
    }

    /** TRANSFORM: distance from home, and the scoring request. */
    protected StageFunction<EnrichedEvent, FraudRequest> transformation(double earthRadiusKm) {
        return (event, nowMs) -> Step.ok(Transform.toRequest(event, earthRadiusKm));
    }

    /** ACT: the scored transaction as the prediction to store, given the member's policies. */
    protected FunctionEx<PolicyFollower, StageFunction<ScoreReply, FraudPrediction>> action() {
        return policies -> (reply, nowMs) -> Step.ok(Act.toPrediction(reply, policies.policyFor(reply.modelVersion()), nowMs));
    }

    /** All dead letters into one sink. */
    @SuppressWarnings("unchecked")
    private void writeDeadLetters(Pipeline pipeline, Sink<? super DeadLetter> sink, String name) {
        pipeline.writeTo(sink, deadLetters.get(0), deadLetters.get(1),
                        deadLetters.subList(2, deadLetters.size()).toArray(new StreamStage[0]))
                .setName(name);
    }

    /**
     * Splits the steps after {@code stage}: the dead letters go to the dead-letter sink (counted in
     * the job's metrics), the values are returned for the next stage. Each branch is one
     * {@code map}: Jet emits nothing for an item mapped to {@code null}.
     */
    private <T> StreamStage<T> splitOffDeadLetters(String stage, StreamStage<Step<T>> steps) {
        deadLetters.add(steps.map(FraudPipeline::countedDeadLetter).setName(stage + ":dead"));
        return steps.map(Step::valueOrNull).setName(stage + ":ok");
    }

    private static FraudPrediction countedPrediction(FraudPrediction prediction) {
        Metrics.metric(PREDICTIONS_METRIC).increment();
        return prediction;
    }

    private static DeadLetter countedDeadLetter(Step<?> step) {
        DeadLetter deadLetter = step.deadLetterOrNull();
        if (deadLetter != null) {
            Metrics.metric(DEAD_LETTERS_METRIC).increment();
            if (DeadLetterReason.INTERNAL_ERROR.name().equals(deadLetter.reason())) {
                Metrics.metric(INTERNAL_ERRORS_METRIC).increment();
            }
        }
        return deadLetter;
    }
}
