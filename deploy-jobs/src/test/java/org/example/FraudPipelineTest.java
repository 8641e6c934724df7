package org.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.collection.IList;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import org.example.features.FeatureDefinition;
import org.example.model.CardFeatures;
import org.example.model.DeadLetter;
import org.example.model.FraudPrediction;
import org.example.model.Json;
import org.example.model.KafkaMessage;
import org.example.model.KafkaOrigin;
import org.example.model.Merchant;
import org.example.model.Transaction;
import org.example.stages.Predict;
import org.example.stages.Scorer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.time.Duration.ofHours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.OTHER_CARD;
import static org.example.TestData.at;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

/**
 * The whole pipeline on one embedded member, with nothing outside the JVM: a test source instead
 * of Kafka, lists instead of the maps, and a Java handler instead of Python that speaks the
 * handler's JSON contract (so PREDICT's request writing and reply reading run as in production).
 * One stream walks every branch; each input must end as exactly one outcome. The same pipeline
 * with Kafka, the maps and the real Python model is {@code FraudPipelineIntegrationTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FraudPipelineTest {

    private static final String UNKNOWN_CARD = "4999999999999999";
    /** A category the model has never seen: the handler answers with an error, as the real one does. */
    private static final String CRYPTO_MERCHANT = "M00002";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private HazelcastInstance member;
    private Job job;
    private final List<KafkaMessage> inputs = new ArrayList<>();
    private List<FraudPrediction> predictions;
    private List<DeadLetter> deadLetters;

    @BeforeAll
    void runThePipelineOnAKnownStream() throws Exception {
        member = Hazelcast.newHazelcastInstance(singleMemberConfig());
        member.getMap(Names.CUSTOMERS_MAP).putAll(Map.of(CARD, customer(CARD), OTHER_CARD, customer(OTHER_CARD)));
        member.getMap(Names.MERCHANTS_MAP).putAll(Map.of(MERCHANT, merchant(MERCHANT),
                CRYPTO_MERCHANT, new Merchant(CRYPTO_MERCHANT, "Coin Corner", "crypto_exchange", 40.7, -74.0)));

        // Given: a stream with valid transactions and one input for each way an input can fail
        send(0, txn("T1").card(CARD).amount(10).at(at(ofHours(0))).build());
        send(0, txn("T2").card(CARD).amount(20).at(at(ofHours(1))).build());
        send(0, txn("T3").card(CARD).amount(30).at(at(ofHours(25))).build());
        send(1, txn("T4").card(OTHER_CARD).amount(5).at(at(ofHours(2))).location(34.05, -118.24).build());
        sendRaw(0, CARD, "{\"transaction_id\": \"T5\", oops", at(ofHours(25)));
        sendRaw(0, CARD, "{\"transaction_id\": \"T6\", \"cc_num\": \"" + CARD + "\"}", at(ofHours(25)));
        send(2, txn("T7").card(UNKNOWN_CARD).at(at(ofHours(25))).build());
        send(0, txn("T8").card(CARD).merchant("M99999").at(at(ofHours(25))).build());
        send(0, txn("T9").card(CARD).merchant(CRYPTO_MERCHANT).at(at(ofHours(26))).build());
        send(0, txn("T10").card(CARD).at(at(ofHours(20))).build());
        // Appended 27 hours before it claims to have happened.
        sendRaw(1, OTHER_CARD, Json.toJson(txn("T11").card(OTHER_CARD).at(at(ofHours(30))).build()), at(ofHours(3)));

        // When: the pipeline runs on them
        JobSettings settings = JobSettings.from(new String[]{
                "--allowed-lag-ms", String.valueOf(ofHours(1).toMillis()), "--kafka-source-parallelism", "1"}, Map.of());
        Pipeline pipeline = FraudPipeline.build(settings, FeatureDefinition.load(), listSource(inputs),
                javaScorer(), Sinks.list("predictions"), Sinks.list("deadLetters"));
        job = member.getJet().newJob(pipeline);
        IList<FraudPrediction> predictionList = member.getList("predictions");
        IList<DeadLetter> deadLetterList = member.getList("deadLetters");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (predictionList.size() + deadLetterList.size() < inputs.size()) {
            assertThat(System.nanoTime()).as("outcomes within %s; job %s", TIMEOUT, job.getStatus()).isLessThan(deadline);
            Thread.sleep(50);
        }
        predictions = List.copyOf(predictionList);
        deadLetters = List.copyOf(deadLetterList);
    }

    @AfterAll
    void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    @Test
    void shouldEndEveryInputAsExactlyOneOutcomeAndKeepRunning() {
        Set<String> outcomes = new HashSet<>();
        predictions.forEach(p -> assertThat(outcomes.add(KafkaOrigin.key(p.originPartition(), p.originOffset())))
                .as("second outcome for %s", p.transactionId()).isTrue());
        deadLetters.forEach(d -> assertThat(outcomes.add(d.key())).as("second outcome for %s", d.key()).isTrue());

        assertThat(outcomes).isEqualTo(inputs.stream().map(m -> m.origin().key()).collect(Collectors.toSet()));
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldStoreTheScoredTransactionWithItsFeaturesAndTimings() {
        FraudPrediction t3 = byId(predictions, FraudPrediction::transactionId).get("T3");
        KafkaMessage input = inputs.get(2);

        // T2 happened exactly 24 h before T3: outside T3's 24-hour window, inside its 7-day one.
        assertThat(t3).isEqualTo(new FraudPrediction("T3", CARD, MERCHANT, "grocery_pos", 30.0, at(ofHours(25)),
                TestData.NEW_YORK_LAT, TestData.NEW_YORK_LON, 1, 30.0, 3, 0.0, 0.03, false, StubHandler.VERSION,
                0, input.origin().offset(), input.origin().appendTimeMs(), t3.storedTimeMs()));
        assertThat(t3.storedTimeMs()).isGreaterThanOrEqualTo(input.origin().appendTimeMs());
        Map<String, FraudPrediction> byId = byId(predictions, FraudPrediction::transactionId);
        assertThat(features(byId.get("T1"))).isEqualTo(new CardFeatures(1, 10.0, 1));
        assertThat(features(byId.get("T2"))).isEqualTo(new CardFeatures(2, 30.0, 2));
        assertThat(byId.get("T4").distanceKm()).isBetween(3930.0, 3945.0);
        assertThat(byId).containsOnlyKeys("T1", "T2", "T3", "T4");
    }

    @Test
    void shouldDeadLetterEachKindOfBadInputWithItsStageAndReason() {
        Map<Long, DeadLetter> byOffset = byId(deadLetters, DeadLetter::originOffset);

        assertThat(reasonAndStage(byOffset.get(4L))).isEqualTo("MALFORMED_JSON at INGEST");
        assertThat(byOffset.get(4L).payload()).contains("oops");
        assertThat(reasonAndStage(byOffset.get(5L))).isEqualTo("INVALID_FIELD at INGEST");
        assertThat(reasonAndStage(byOffset.get(6L))).isEqualTo("UNKNOWN_CARD at ENRICH");
        assertThat(reasonAndStage(byOffset.get(7L))).isEqualTo("UNKNOWN_MERCHANT at ENRICH");
        assertThat(reasonAndStage(byOffset.get(8L))).isEqualTo("SCORING_ERROR at PREDICT");
        assertThat(byOffset.get(8L).detail()).isEqualTo("unknown category 'crypto_exchange'");
        assertThat(reasonAndStage(byOffset.get(9L))).isEqualTo("LATE_EVENT at FEATURES");
        assertThat(reasonAndStage(byOffset.get(10L))).isEqualTo("EVENT_TIME_IN_FUTURE at INGEST");
        assertThat(deadLetters).extracting(DeadLetter::reason).containsExactlyInAnyOrderElementsOf(
                List.of("MALFORMED_JSON", "INVALID_FIELD", "UNKNOWN_CARD", "UNKNOWN_MERCHANT", "SCORING_ERROR",
                        "LATE_EVENT", "EVENT_TIME_IN_FUTURE"));
    }

    // ---- the stream ----

    private void send(int partition, Transaction txn) {
        inputs.add(message(partition, txn.ccNum(), Json.toJson(txn), txn.eventTimeMs() + 1000));
    }

    private void sendRaw(int partition, String key, String value, long appendTimeMs) {
        inputs.add(message(partition, key, value, appendTimeMs));
    }

    /** Offsets count up over the whole stream, so an offset names one input. */
    private KafkaMessage message(int partition, String key, String value, long appendTimeMs) {
        return new KafkaMessage(new KafkaOrigin(partition, inputs.size(), appendTimeMs), key,
                value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The messages in order, then nothing: a stream source, as the pipeline needs, whose supply
     * ends. The messages travel to the member as {@link Raw}, a serializable copy.
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

    private record Raw(int partition, long offset, long appendTimeMs, String key, byte[] value) implements Serializable {
        static Raw of(KafkaMessage m) {
            return new Raw(m.origin().partition(), m.origin().offset(), m.origin().appendTimeMs(), m.key(), m.value());
        }

        KafkaMessage message() {
            return new KafkaMessage(new KafkaOrigin(partition, offset, appendTimeMs), key, value);
        }
    }

    private static Scorer javaScorer() {
        return Predict.overJson(requests -> requests.map(StubHandler::reply));
    }

    /**
     * In place of {@code fraud_handler.transform_list}: the same reply shapes, with a probability
     * of amount / 1000, and an error for a category outside the model's vocabulary.
     */
    static final class StubHandler {
        static final String VERSION = "java-stub";

        static String reply(String requestJson) throws Exception {
            JsonNode request = Json.MAPPER.readTree(requestJson);
            ObjectNode reply = Json.MAPPER.createObjectNode();
            String category = request.path("category").asText();
            if (category.equals("crypto_exchange")) {
                reply.put("error", "unknown category '" + category + "'");
            } else {
                double probability = request.path("transaction").path("amount").asDouble() / 1000;
                reply.put("fraud_probability", probability).put("is_fraud", probability >= 0.5)
                        .put("model_version", VERSION);
            }
            reply.set("request", request);
            return Json.MAPPER.writeValueAsString(reply);
        }
    }

    // ---- helpers ----

    private static Config singleMemberConfig() {
        Config config = new Config().setClusterName("pipeline-test-" + ProcessHandle.current().pid());
        config.getJetConfig().setEnabled(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(5951).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        return config;
    }

    private static <K, V> Map<K, V> byId(List<V> values, java.util.function.Function<V, K> id) {
        return values.stream().collect(Collectors.toMap(id, v -> v));
    }

    private static CardFeatures features(FraudPrediction p) {
        return new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
    }

    private static String reasonAndStage(DeadLetter deadLetter) {
        return deadLetter.reason() + " at " + deadLetter.stage();
    }
}
