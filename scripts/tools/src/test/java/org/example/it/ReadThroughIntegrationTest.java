package org.example.it;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.map.IMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.FraudJob;
import org.example.TestData.TxnBuilder;
import org.example.JobSettings;
import org.example.definition.Names;
import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudPrediction;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;
import org.example.tools.EmbeddedCluster;
import org.example.tools.LocalPostgres;
import org.example.tools.RepositoryFiles;
import org.example.stages.ReadThrough;
import org.example.stages.ReferenceCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.NEW_YORK_LAT;
import static org.example.TestData.NEW_YORK_LON;
import static org.example.TestData.START;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.token;
import static org.example.TestData.txn;

/**
 * Reference data read through from a real PostgreSQL while the job runs, on a real Kafka broker
 * and two embedded members, scored by the in-JVM model (the Python path is the subject of
 * FraudPipelineScenario). The database starts with every card holder and merchant and the maps
 * empty, as after a full cluster restart. In order, one phase per test:
 * <ol>
 *   <li>cards the maps do not hold are read from the database on their first transaction; a card
 *   inserted while the job runs is scored; a card in neither is UNKNOWN_CARD;</li>
 *   <li>a changed address reaches scoring within the refresh age;</li>
 *   <li>the database stopped under load for longer than a lookup's deadline, and started again: no
 *   stall, what the maps hold is scored throughout (however old), what they miss waits, then is
 *   REFERENCE_DATA_UNAVAILABLE once the database is known down, is read again once it is back;
 *   every input has exactly one outcome;</li>
 *   <li>every member stopped and started again, the job submitted again: it replays the topic and
 *   reads the reference data through, so no transaction is dead-lettered for missing reference
 *   data (those of the outage included).</li>
 * </ol>
 * It prints what it measured: the latency the outage added, the time a change took to reach
 * scoring, and the time from the restart to scoring again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadThroughIntegrationTest {

    /** The refresh age here (60 s in scripts/hazelcast.yaml): a change must reach scoring within it. */
    private static final int REFRESH_SECONDS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String UNKNOWN_CARD = "4999999999999999";
    private static final String NEW_CARD = "4000000000009999";
    /** Cards the database holds from the start; their transactions are the "cached" load. */
    private static final List<String> CARDS = cards(4_000_000_000_000_100L, 20);
    /** Cards the database holds that no transaction names before phase 3: each one a miss. */
    private static final List<String> FRESH_CARDS = cards(4_000_000_000_100_000L, 2_000);
    private static final double LOS_ANGELES_LAT = 34.05;
    private static final double LOS_ANGELES_LON = -118.24;

    /** The tokens of {@link #CARDS}: what predictions, dead letters and the maps hold of a card. */
    private final Set<String> cards = CARDS.stream().map(org.example.TestData::token).collect(Collectors.toSet());
    private EmbeddedKafka kafka;
    private LocalPostgres postgres;
    private EmbeddedCluster cluster;
    private HazelcastInstance hz;
    private Job job;
    private KafkaProducer<String, String> producer;
    /** Every record appended, by its Kafka position, with its transaction. */
    private final Map<String, Transaction> appended = new HashMap<>();
    private long nextEventTimeMs = START;
    private int nextId;

    private static List<String> cards(long first, int count) {
        List<String> cards = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cards.add(String.valueOf(first + i));
        }
        return cards;
    }

    @BeforeAll
    void startEverything() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(Names.TRANSACTIONS_TOPIC, 4);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(props);

        postgres = LocalPostgres.start("read-through");
        try (Connection db = postgres.connect()) {
            db.createStatement().execute(new String(ReadThroughIntegrationTest.class
                    .getResourceAsStream("/org/example/tools/reference-schema.sql").readAllBytes()));
            for (String card : CARDS) {
                upsert(db, customer(card));
            }
            for (String card : FRESH_CARDS) {
                upsert(db, customer(card));
            }
            try (PreparedStatement upsert = db.prepareStatement(ReferenceTables.UPSERT_MERCHANT)) {
                ReferenceTables.bind(upsert, merchant(MERCHANT));
                upsert.executeUpdate();
            }
        }
        startClusterAndSubmit();
    }

    private void startClusterAndSubmit() {
        cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                getClass().getSimpleName() + "-" + ProcessHandle.current().pid(), 2, 5841,
                EmbeddedCluster.referenceDatabase(postgres.jdbcUrl())
                        .andThen(config -> config.setProperty(ReferenceCache.REFRESH_PROPERTY, String.valueOf(REFRESH_SECONDS))));
        hz = cluster.member();
        JobSettings settings = JobSettings.from(new String[]{
                "--kafka-bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-source-parallelism", "2",
                "--scorer", "JAVA",
                "--snapshot-interval-ms", "1000"}, Map.of());
        job = FraudJob.deploy(hz, settings);
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (job != null) {
            job.cancel();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void shouldScoreCardsTheMapsMissIncludingOneInsertedWhileTheJobRunsAndCallACardInNeitherUnknown() throws Exception {
        for (String card : CARDS) {
            send(card);
        }
        try (Connection db = postgres.connect()) {
            upsert(db, customer(NEW_CARD));
        }
        send(NEW_CARD);
        send(UNKNOWN_CARD);

        awaitEveryOutcome();

        assertThat(predictionsByCard().keySet()).containsAll(cards).contains(token(NEW_CARD)).doesNotContain(token(UNKNOWN_CARD));
        assertThat(deadLetters().values()).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
            assertThat(d.cardToken()).isEqualTo(token(UNKNOWN_CARD));
        });
        assertThat(customers().containsKey(token(NEW_CARD))).as("kept in the map, by its token").isTrue();
    }

    @Test
    @Order(2)
    void shouldScoreWithAChangedAddressWithinTheRefreshAge() throws Exception {
        String moved = CARDS.get(0);
        long changedAt = System.currentTimeMillis();
        try (Connection db = postgres.connect()) {
            upsert(db, customer(moved, LocalDate.of(1985, 12, 10), LOS_ANGELES_LAT, LOS_ANGELES_LON));
        }

        long deadline = changedAt + TimeUnit.SECONDS.toMillis(REFRESH_SECONDS + 10);
        double distanceKm = 0;
        long seenAt = 0;
        while (distanceKm < 3_000 && System.currentTimeMillis() < deadline) {
            String id = send(moved).transactionId();
            awaitEveryOutcome();
            FraudPrediction scored = predictions().values().stream().filter(p -> p.transactionId().equals(id))
                    .findFirst().orElseThrow();
            distanceKm = scored.distanceKm();
            seenAt = scored.storedTimeMs();
            Thread.sleep(1000);
        }

        assertThat(distanceKm).as("distance from the new home in Los Angeles").isBetween(3_900.0, 4_000.0);
        System.out.printf("A changed address reached scoring %.1f s after the database changed (refresh age %d s;"
                + " a transaction a second)%n", (seenAt - changedAt) / 1000.0, REFRESH_SECONDS);
    }

    @Test
    @Order(3)
    void shouldKeepScoringWhatTheMapsHoldWhileTheDatabaseIsDownAndReadAgainOnceItIsBack() throws Exception {
        int ratePerSecond = 200;
        long before = 1500;
        // Longer than the deadline of a lookup, so that the job finds the database down, not just slow.
        long down = ReadThrough.DEADLINE_MS + 3000;
        long after = 4000;
        // Every cached card in the maps, as the first phase left them.
        assertThat(customers().keySet()).containsAll(cards);
        Set<String> fresh = new HashSet<>();
        Load load = new Load(ratePerSecond, fresh);

        long loadStart = System.currentTimeMillis();
        load.runFor(before);
        long stopping = System.currentTimeMillis();
        postgres.stop();
        long stopped = System.currentTimeMillis();
        load.runFor(down);
        long starting = System.currentTimeMillis();
        postgres.start();
        long started = System.currentTimeMillis();
        load.runFor(after);
        awaitEveryOutcome();

        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
        Map<String, DeadLetter> outageDeadLetters = deadLetters().values().stream()
                .filter(d -> d.appendTimeMs() >= loadStart).collect(Collectors.toMap(DeadLetter::key, d -> d));
        assertThat(outageDeadLetters.values()).as("dead letters of the outage").isNotEmpty()
                .allSatisfy(d -> {
                    assertThat(d.reason()).isEqualTo(DeadLetterReason.REFERENCE_DATA_UNAVAILABLE.name());
                    assertThat(fresh).as("a card the maps did not hold").contains(d.cardToken());
                    // Appended before the database was back (one appended just before the stop may be
                    // looked up after it, when the job lags behind the stream).
                    assertThat(d.appendTimeMs()).isLessThan(started + 5000);
                });
        List<FraudPrediction> cached = predictions().values().stream()
                .filter(p -> p.appendTimeMs() >= loadStart && cards.contains(p.cardToken())).toList();
        List<FraudPrediction> cachedDuringOutage = cached.stream()
                .filter(p -> p.appendTimeMs() >= stopped && p.storedTimeMs() < starting).toList();
        assertThat(cachedDuringOutage).as("cached cards scored while the database was down").isNotEmpty();
        List<FraudPrediction> freshAfter = predictions().values().stream()
                .filter(p -> fresh.contains(p.cardToken()) && p.appendTimeMs() >= started).toList();
        assertThat(freshAfter).as("cards the maps missed, scored once the database is back").isNotEmpty();
        assertThat(deadLetters().values()).noneMatch(d -> d.appendTimeMs() > started + 5000);

        long[] beforeMs = latencies(cached.stream().filter(p -> p.appendTimeMs() < stopping));
        long[] duringMs = latencies(cached.stream().filter(p -> p.appendTimeMs() >= stopping && p.appendTimeMs() < started));
        long firstFreshBack = freshAfter.stream().mapToLong(FraudPrediction::storedTimeMs).min().orElseThrow();
        System.out.printf("Database down %.1f s (stop took %d ms, start %d ms) under %d transactions/s, half of them of"
                        + " cards the maps missed: %d REFERENCE_DATA_UNAVAILABLE; cached cards append→stored p50/p99/max"
                        + " %d/%d/%d ms before, %d/%d/%d ms during the outage (%d of them scored while it lasted);"
                        + " first missed card scored %d ms after the database was up%n",
                (starting - stopped) / 1000.0, stopped - stopping, started - starting, ratePerSecond,
                outageDeadLetters.size(), beforeMs[0], beforeMs[1], beforeMs[2], duringMs[0], duringMs[1], duringMs[2],
                cachedDuringOutage.size(), firstFreshBack - started);
    }

    @Test
    @Order(4)
    void shouldScoreEveryTransactionAgainAfterAFullClusterRestartWithNoneDeadLetteredForMissingReferenceData()
            throws Exception {
        int inputs = appended.size();
        cluster.close();
        long restarting = System.currentTimeMillis();

        startClusterAndSubmit();
        long submitted = System.currentTimeMillis();
        long firstStored = awaitFirstPrediction();
        awaitEveryOutcome();
        long allStored = predictions().values().stream().mapToLong(FraudPrediction::storedTimeMs).max().orElseThrow();

        assertThat(deadLetters().values()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name()));
        assertThat(predictions().size()).isEqualTo(inputs - 1);
        System.out.printf("Full restart: members up and job submitted %.1f s after all stopped, first prediction %.1f s,"
                        + " all %,d outcomes %.1f s after; the job replayed the whole topic (%,d records) to rebuild every"
                        + " card's history and read %,d card holders through from the database%n",
                (submitted - restarting) / 1000.0, (firstStored - restarting) / 1000.0, inputs,
                (allStored - restarting) / 1000.0, inputs, customers().size());
    }

    /** Sends at a fixed rate: even items name a cached card, odd ones a fresh card each (its token into {@code fresh}). */
    private final class Load {
        private final int ratePerSecond;
        private final Set<String> fresh;
        private int sent;

        Load(int ratePerSecond, Set<String> fresh) {
            this.ratePerSecond = ratePerSecond;
            this.fresh = fresh;
        }

        void runFor(long millis) throws Exception {
            long end = System.currentTimeMillis() + millis;
            List<Future<RecordMetadata>> pending = new ArrayList<>();
            List<Transaction> batch = new ArrayList<>();
            while (System.currentTimeMillis() < end) {
                long tick = System.currentTimeMillis();
                for (int i = 0; i < ratePerSecond / 10; i++, sent++) {
                    String card = sent % 2 == 0 ? CARDS.get((sent / 2) % CARDS.size()) : FRESH_CARDS.get(fresh.size());
                    if (sent % 2 == 1) {
                        fresh.add(token(card));
                    }
                    TxnBuilder t = transaction(card);
                    batch.add(t.build());
                    pending.add(producer.send(new ProducerRecord<>(Names.TRANSACTIONS_TOPIC, card, t.json())));
                }
                Thread.sleep(Math.max(0, 100 - (System.currentTimeMillis() - tick)));
            }
            for (int i = 0; i < pending.size(); i++) {
                record(pending.get(i).get(), batch.get(i));
            }
        }
    }

    private Transaction send(String card) throws Exception {
        TxnBuilder t = transaction(card);
        record(producer.send(new ProducerRecord<>(Names.TRANSACTIONS_TOPIC, card, t.json())).get(), t.build());
        return t.build();
    }

    /** The message keyed and carrying the card number, as a producer sends it; INGEST tokenizes it. */
    private TxnBuilder transaction(String card) {
        nextEventTimeMs += 1000;
        return txn("RT" + nextId++).card(card).at(nextEventTimeMs).location(NEW_YORK_LAT, NEW_YORK_LON);
    }

    private void record(RecordMetadata metadata, Transaction t) {
        appended.put(KafkaOrigin.key(metadata.topic(), metadata.partition(), metadata.offset()), t);
    }

    private static void upsert(Connection db, Customer customer) throws Exception {
        try (PreparedStatement upsert = db.prepareStatement(ReferenceTables.UPSERT_CUSTOMER)) {
            ReferenceTables.bind(upsert, customer.cardToken(), customer);
            upsert.executeUpdate();
        }
    }

    /** Until every input appended has its one outcome; fails on a duplicate, a stall or a stopped job. */
    private void awaitEveryOutcome() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Set<String> outcomes = new HashSet<>();
            predictions().values().forEach(p -> assertThat(outcomes.add(
                    KafkaOrigin.key(p.originTopic(), p.originPartition(), p.originOffset())))
                    .as("one outcome per input").isTrue());
            deadLetters().keySet().forEach(key -> assertThat(outcomes.add(key)).as("one outcome per input").isTrue());
            if (outcomes.equals(appended.keySet())) {
                return;
            }
            assertThat(appended.keySet()).as("outcomes only of inputs").containsAll(outcomes);
            if (System.nanoTime() > deadline || job.getStatus().isTerminal() || job.getStatus() == JobStatus.SUSPENDED) {
                throw new AssertionError(outcomes.size() + " outcomes of " + appended.size() + " inputs after " + TIMEOUT
                        + "; job " + job.getStatus());
            }
            Thread.sleep(200);
        }
    }

    private long awaitFirstPrediction() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (predictions().isEmpty()) {
            assertThat(System.nanoTime()).as("a prediction within %s", TIMEOUT).isLessThan(deadline);
            Thread.sleep(100);
        }
        return System.currentTimeMillis();
    }

    private static long[] latencies(java.util.stream.Stream<FraudPrediction> predictions) {
        long[] sorted = predictions.mapToLong(p -> p.storedTimeMs() - p.appendTimeMs()).sorted().toArray();
        if (sorted.length == 0) {
            return new long[]{-1, -1, -1};
        }
        return new long[]{sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
                sorted[sorted.length - 1]};
    }

    private Map<String, FraudPrediction> predictionsByCard() {
        return predictions().values().stream().collect(Collectors.toMap(FraudPrediction::cardToken, p -> p, (a, b) -> a));
    }

    private IMap<Object, FraudPrediction> predictions() {
        return hz.getMap(Names.PREDICTION_RESULT_MAP);
    }

    private IMap<String, DeadLetter> deadLetters() {
        return hz.getMap(Names.DEAD_LETTERS_MAP);
    }

    private IMap<String, Object> customers() {
        return hz.getMap(Names.CUSTOMERS_MAP);
    }
}
