package org.example;

import com.hazelcast.jet.kafka.KafkaSources;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.jet.python.PythonTransforms;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.example.features.CardFeaturesP;
import org.example.features.FeatureDefinition;
import org.example.model.DeadLetter;
import org.example.model.EnrichedEvent;
import org.example.model.FeaturedEvent;
import org.example.model.KafkaMessage;
import org.example.model.ScoreReply;
import org.example.model.TransactionEvent;
import org.example.stages.Act;
import org.example.stages.Enrich;
import org.example.stages.Enrich.ReferenceData;
import org.example.stages.Ingest;
import org.example.stages.Predict;
import org.example.stages.Step;
import org.example.stages.Transform;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.example.Names.Stage.ACT;
import static org.example.Names.Stage.ENRICH;
import static org.example.Names.Stage.FEATURES;
import static org.example.Names.Stage.INGEST;
import static org.example.Names.Stage.PREDICT;
import static org.example.Names.Stage.TRANSFORM;

/**
 * The fraud-detection pipeline, one method per stage:
 * <pre>
 * Kafka → INGEST → FEATURES → ENRICH → TRANSFORM → PREDICT → ACT → predictionResult
 *                       └─────────┴──────────────────────┴──→ deadLetters
 * </pre>
 * Every stage returns a {@link Step}; {@link #passOn} splits it into values for the next stage and
 * dead letters, which all end in one sink. So every input ends as exactly one prediction or one
 * dead letter.
 */
public final class FraudPipeline {

    private final JobSettings settings;
    private final FeatureDefinition features;
    private final Path pythonBaseDir;
    private final List<StreamStage<DeadLetter>> deadLetters = new ArrayList<>();

    private FraudPipeline(JobSettings settings, FeatureDefinition features, Path pythonBaseDir) {
        this.settings = settings;
        this.features = features;
        this.pythonBaseDir = pythonBaseDir;
    }

    /**
     * @param source        Kafka in production; tests may pass any source of {@link KafkaMessage}s
     * @param pythonBaseDir a directory with the handler, model and feature file (see
     *                      {@link PythonBaseDir})
     */
    public static Pipeline build(StreamSource<KafkaMessage> source, JobSettings settings,
                                 FeatureDefinition features, Path pythonBaseDir) {
        return new FraudPipeline(settings, features, pythonBaseDir).assemble(source);
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

    private Pipeline assemble(StreamSource<KafkaMessage> source) {
        Pipeline pipeline = Pipeline.create();
        StreamStage<KafkaMessage> messages = pipeline.readFrom(source)
                .withoutTimestamps()
                .setLocalParallelism(settings.kafkaSourceParallelism())
                .setName("kafka:" + settings.kafkaTopic());
        StreamStage<ScoreReply> scored = predict(transform(enrich(features(ingest(messages)))));
        act(scored);
        writeDeadLetters(pipeline);
        return pipeline;
    }

    /**
     * A card's transactions must reach FEATURES in their Kafka order. Jet keeps the order of items
     * only along a partitioned edge (one queue per sender and receiver), so every hop from the
     * source to FEATURES is partitioned by card number, and INGEST's dead letters travel on to
     * FEATURES instead of branching off in between, where a round-robin edge would reorder.
     */
    private StreamStage<Step<TransactionEvent>> ingest(StreamStage<KafkaMessage> messages) {
        return messages
                .rebalance(KafkaMessage::cardKey)
                .map(Ingest::parse)
                .setName(INGEST);
    }

    private StreamStage<FeaturedEvent> features(StreamStage<Step<TransactionEvent>> ingested) {
        FeatureDefinition windows = features;
        long allowedLagMs = settings.allowedLagMs();
        return passOn(INGEST + "+" + FEATURES, ingested
                .groupingKey(Ingest::cardKey)
                .<Step<FeaturedEvent>>customTransform(FEATURES, () -> new CardFeaturesP(windows, allowedLagMs)));
    }

    private StreamStage<EnrichedEvent> enrich(StreamStage<FeaturedEvent> featured) {
        // Plain gets, not asynchronous lookups: both are local, so they cost microseconds, while
        // async lookups held the whole job to 2,000 transactions/s on one member (16,700 with
        // these; docs/DESIGN.md). Keyed by card number, the customer is read on the member that
        // owns it; merchants come from each member's near cache (scripts/hazelcast.yaml).
        ServiceFactory<?, ReferenceData> referenceData = ServiceFactories.sharedService(ctx -> new ReferenceData(
                ctx.hazelcastInstance().getMap(Names.CUSTOMERS_MAP),
                ctx.hazelcastInstance().getMap(Names.MERCHANTS_MAP)));
        return passOn(ENRICH, featured
                .groupingKey(event -> event.transaction().ccNum())
                .mapUsingService(referenceData, (refs, ccNum, event) -> refs.lookUp(event))
                .setName(ENRICH));
    }

    private StreamStage<String> transform(StreamStage<EnrichedEvent> enriched) {
        double earthRadiusKm = features.earthRadiusKm();
        return enriched
                .map(event -> Transform.toJson(Transform.toRequest(event, earthRadiusKm)))
                .setName(TRANSFORM);
    }

    private StreamStage<ScoreReply> predict(StreamStage<String> requests) {
        StreamStage<String> replies = requests
                .apply(PythonTransforms.mapUsingPython(Predict.pythonConfig(pythonBaseDir), settings.pythonBatchSize()))
                .setLocalParallelism(settings.pythonParallelism())
                .setName(PREDICT);
        return passOn(PREDICT, replies.map(Predict::readReply).setName(PREDICT + ":reply"));
    }

    private void act(StreamStage<ScoreReply> scored) {
        scored.map(reply -> Act.toPrediction(reply, System.currentTimeMillis()))
                .setName(ACT)
                .writeTo(Sinks.map(Names.PREDICTION_RESULT_MAP, Act::key, prediction -> prediction))
                .setName(Names.PREDICTION_RESULT_MAP);
    }

    /** All stages' dead letters into one map, keyed by their input's Kafka position. */
    @SuppressWarnings("unchecked")
    private void writeDeadLetters(Pipeline pipeline) {
        Sink<DeadLetter> sink = Sinks.map(Names.DEAD_LETTERS_MAP, DeadLetter::key, deadLetter -> deadLetter);
        pipeline.writeTo(sink, deadLetters.get(0), deadLetters.get(1),
                        deadLetters.subList(2, deadLetters.size()).toArray(new StreamStage[0]))
                .setName(Names.DEAD_LETTERS_MAP);
    }

    /**
     * Sends a stage's dead letters to the dead-letter sink and returns its values for the next stage.
     * Each branch is one {@code map}: Jet emits nothing for an item mapped to {@code null}.
     */
    private <T> StreamStage<T> passOn(String stage, StreamStage<Step<T>> steps) {
        deadLetters.add(steps.map(Step::deadLetterOrNull).setName(stage + ":dead"));
        return steps.map(Step::valueOrNull).setName(stage + ":ok");
    }
}
