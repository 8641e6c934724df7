package org.example.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.map.IMap;
import com.hazelcast.sql.SqlResult;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.example.FraudJob;
import org.example.JobSettings;
import org.example.TestData;
import org.example.definition.Names;
import org.example.definition.FeatureDefinition;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.FraudPrediction;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.example.records.PredictionKey;
import org.example.records.Transaction;
import org.example.stages.Transform;
import org.example.tools.EmbeddedCluster;
import org.example.tools.RepositoryFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.time.Duration.ofHours;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.OTHER_CARD;
import static org.example.TestData.at;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

/**
 * The whole job, every part real: a Kafka broker, two Hazelcast members (so records cross the
 * network between stages), Python processes running the real handler and model. A small known
 * stream goes in; every input must come out as exactly one prediction or one dead letter, with
 * the expected features, and with the probability the model gives when called directly.
 * Subclasses say where the broker comes from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FraudPipelineScenario {

    private static final String UNKNOWN_CARD = "4999999999999999";
    private static final String CRYPTO_MERCHANT = "M00002";
    /** Born after the transactions of the scenario, but before today. */
    private static final String YOUNG_CARD = "4000000000000003";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final double EARTH_RADIUS_KM = FeatureDefinition.load().earthRadiusKm();

    private TestBroker kafka;
    private EmbeddedCluster cluster;
    private HazelcastInstance hz;
    private Job job;
    private final List<Map.Entry<String, String>> stream = new ArrayList<>();
    private List<RecordMetadata> appended;

    @BeforeAll
    void runTheJobOnAKnownStream() throws Exception {
        PythonHandler.assumeRunnable();
        kafka = startBroker();
        kafka.createTopic(Names.TRANSACTIONS_TOPIC, 4);
        cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                getClass().getSimpleName() + "-" + ProcessHandle.current().pid(), 2, 5811);
        hz = cluster.member();
        loadReferenceData();

        send(txn("T1").card(CARD).amount(10).at(at(ofHours(0))));
        send(txn("T2").card(CARD).amount(20).at(at(ofHours(1))));
        send(txn("T3").card(CARD).amount(30).at(at(ofHours(25))));
        send(txn("T4").card(OTHER_CARD).amount(5).at(at(ofHours(2))).location(34.05, -118.24));
        stream.add(entry(CARD, "{\"transaction_id\": \"T5\", oops"));
        stream.add(entry(CARD, "{\"transaction_id\": \"T6\", \"cc_num\": \"" + CARD + "\"}"));
        send(txn("T7").card(UNKNOWN_CARD).at(at(ofHours(25))));
        send(txn("T8").card(CARD).merchant("M99999").at(at(ofHours(25))));
        send(txn("T9").card(CARD).merchant(CRYPTO_MERCHANT).at(at(ofHours(26))));
        send(txn("T11").card(YOUNG_CARD).at(at(ofHours(26))));
        send(txn("T10").card(CARD).at(at(ofHours(20))));
        appended = kafka.send(Names.TRANSACTIONS_TOPIC, stream);

        JobSettings settings = JobSettings.from(new String[]{
                "--kafka-bootstrap-servers", kafka.bootstrapServers(),
                "--python-parallelism", "1",
                "--snapshot-interval-ms", "1000",
                "--allowed-lag-ms", String.valueOf(ofHours(1).toMillis())}, Map.of());
        job = FraudJob.deploy(hz, settings);
        awaitOutcomes(stream.size());
    }

    /** A running broker for the scenario. */
    abstract TestBroker startBroker() throws Exception;

    @AfterAll
    void stop() throws Exception {
        if (job != null) {
            job.cancel();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldAccountForEveryInputExactlyOnce() {
        Set<String> outcomes = new HashSet<>();
        predictions().values().forEach(p -> assertThat(outcomes.add(
                KafkaOrigin.key(p.originTopic(), p.originPartition(), p.originOffset()))).isTrue());
        deadLetters().keySet().forEach(key -> assertThat(outcomes.add(key)).as("twice: %s", key).isTrue());

        Set<String> inputs = appended.stream().map(m -> KafkaOrigin.key(m.topic(), m.partition(), m.offset()))
                .collect(Collectors.toSet());
        assertThat(outcomes).isEqualTo(inputs);
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldComputeExactWindowFeaturesIncludingTheCurrentTransaction() {
        Map<String, FraudPrediction> byId = predictionsById();

        assertThat(features(byId.get("T1"))).isEqualTo(new CardFeatures(1, 10.0, 1));
        assertThat(features(byId.get("T2"))).isEqualTo(new CardFeatures(2, 30.0, 2));
        // T2 happened exactly 24 h before T3: outside T3's 24-hour window, inside its 7-day one.
        assertThat(features(byId.get("T3"))).isEqualTo(new CardFeatures(1, 30.0, 3));
        assertThat(features(byId.get("T4"))).isEqualTo(new CardFeatures(1, 5.0, 1));
        assertThat(byId.get("T4").distanceKm()).isBetween(3930.0, 3945.0);
        assertThat(byId).containsOnlyKeys("T1", "T2", "T3", "T4");
    }

    @Test
    void shouldStoreTheProbabilityThePythonModelGivesForTheSameRequest() throws Exception {
        List<FraudPrediction> stored = List.copyOf(predictionsById().values());
        List<String> requests = stored.stream().map(FraudPipelineScenario::requestFor).toList();

        List<JsonNode> direct = PythonHandler.score(requests);

        for (int i = 0; i < stored.size(); i++) {
            assertThat(stored.get(i).fraudProbability())
                    .as("probability of %s", stored.get(i).transactionId())
                    .isEqualTo(direct.get(i).path("fraud_probability").asDouble());
            assertThat(stored.get(i).fraud()).isEqualTo(direct.get(i).path("is_fraud").asBoolean());
            assertThat(stored.get(i).modelVersion()).isEqualTo(direct.get(i).path("model_version").asText());
        }
    }

    @Test
    void shouldDeadLetterEachBadInputWithItsReason() {
        Map<String, DeadLetter> byTxn = new HashMap<>();
        List<DeadLetter> unparsed = new ArrayList<>();
        deadLetters().values().forEach(d -> {
            if (d.transactionId().isEmpty()) {
                unparsed.add(d);
            } else {
                byTxn.put(d.transactionId(), d);
            }
        });

        assertThat(unparsed).extracting(DeadLetter::reason).containsExactlyInAnyOrder(
                DeadLetterReason.MALFORMED_JSON.name(), DeadLetterReason.INVALID_FIELD.name());
        assertThat(unparsed).extracting(DeadLetter::payload).anyMatch(p -> p.contains("oops"));
        assertThat(byTxn.get("T7").reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
        assertThat(byTxn.get("T8").reason()).isEqualTo(DeadLetterReason.UNKNOWN_MERCHANT.name());
        assertThat(byTxn.get("T9").reason()).isEqualTo(DeadLetterReason.INVALID_REFERENCE_DATA.name());
        assertThat(byTxn.get("T9").detail()).contains("crypto_exchange");
        // The real model's own rule, which ENRICH does not check: scored in Python, refused there.
        assertThat(byTxn.get("T11").reason()).isEqualTo(DeadLetterReason.SCORING_ERROR.name());
        assertThat(byTxn.get("T11").detail()).isEqualTo("date_of_birth is after the transaction's date");
        assertThat(byTxn.get("T10").reason()).isEqualTo(DeadLetterReason.LATE_EVENT.name());
        assertThat(byTxn.get("T10").stage()).isEqualTo(Names.Stage.FEATURES);
    }

    @Test
    void shouldMakePredictionsQueryableWithSql() {
        try (SqlResult result = hz.getSql().execute(
                "SELECT transactionId, txnCount7d FROM predictionResult WHERE cardToken = ? ORDER BY eventTimeMs",
                TestData.token(CARD))) {
            List<String> ids = new ArrayList<>();
            result.forEach(row -> ids.add(row.getObject("transactionId")));
            assertThat(ids).containsExactly("T1", "T2", "T3");
        }
    }

    @Test
    void shouldKeepTheRunningJobWhenSubmittedAgain() {
        Job again = FraudJob.deploy(hz, JobSettings.defaults().withKafka(kafka.bootstrapServers(), Names.TRANSACTIONS_TOPIC));

        assertThat(again.getId()).isEqualTo(job.getId());
        assertThat(hz.getJet().getJobs(Names.DEFAULT_JOB_NAME)).hasSize(1);
    }

    private void loadReferenceData() {
        IMap<String, Customer> customers = hz.getMap(Names.CUSTOMERS_MAP);
        for (Customer customer : List.of(customer(CARD), customer(OTHER_CARD),
                customer(YOUNG_CARD, LocalDate.of(2026, 1, 20), 40.7, -74.0))) {
            customers.put(customer.cardToken(), customer);
        }
        IMap<String, Merchant> merchants = hz.getMap(Names.MERCHANTS_MAP);
        merchants.put(MERCHANT, merchant(MERCHANT));
        merchants.put(CRYPTO_MERCHANT, new Merchant(CRYPTO_MERCHANT, "Coin Corner", "crypto_exchange", 40.7, -74.0));
    }

    private void send(TestData.TxnBuilder txn) {
        stream.add(entry(txn.card(), txn.json()));
    }

    private void awaitOutcomes(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (predictions().size() + deadLetters().size() < expected) {
            if (System.nanoTime() > deadline || job.getStatus().isTerminal() || job.getStatus() == JobStatus.SUSPENDED) {
                throw new AssertionError("Only " + predictions().size() + " predictions and " + deadLetters().size()
                        + " dead letters of " + expected + " inputs; job " + job.getStatus());
            }
            Thread.sleep(200);
        }
    }

    private IMap<PredictionKey, FraudPrediction> predictions() {
        return hz.getMap(Names.PREDICTION_RESULT_MAP);
    }

    private IMap<String, DeadLetter> deadLetters() {
        return hz.getMap(Names.DEAD_LETTERS_MAP);
    }

    private Map<String, FraudPrediction> predictionsById() {
        return predictions().values().stream().collect(Collectors.toMap(FraudPrediction::transactionId, p -> p));
    }

    private static CardFeatures features(FraudPrediction p) {
        return new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
    }

    /** The request the job must have sent for this prediction, rebuilt from what was stored. */
    private static String requestFor(FraudPrediction p) {
        Transaction txn = new Transaction(p.transactionId(), p.cardToken(), p.bin(), p.last4(), p.merchantCode(),
                p.amount(), p.eventTimeMs(), p.latitude(), p.longitude());
        String card = p.cardToken().equals(TestData.token(CARD)) ? CARD : OTHER_CARD;
        EnrichedEvent enriched = new EnrichedEvent(
                new FeaturedEvent(txn, new KafkaOrigin(p.originTopic(), p.originPartition(), p.originOffset(),
                        p.appendTimeMs()), features(p)),
                customer(card), merchant(p.merchantCode()));
        return Json.toJson(Transform.toRequest(enriched, EARTH_RADIUS_KM));
    }
}
