package org.example.it;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.FraudJob;
import org.example.JobSettings;
import org.example.definition.Names;
import org.example.it.MessageMutator.Message;
import org.example.it.MessageOracle.Verdict;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudPrediction;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.example.records.KafkaTransaction;
import org.example.records.Transaction;
import org.example.tokens.CardTokens;
import org.example.tools.EmbeddedCluster;
import org.example.tools.RepositoryFiles;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile traffic through the real pipeline: an in-JVM Kafka broker, an embedded member and the
 * real Python model. At least 10,000 mutants of valid messages ({@link MessageMutator}, seeded)
 * are mixed into a stream of valid ones. The job must stay RUNNING; every message must end as
 * exactly one outcome; INGEST must judge every message as {@link MessageOracle} does, from the
 * rules alone (so no prediction is built from a coerced or out-of-range value, and a stored
 * prediction holds exactly the values written); duplicates and late events must be exactly the
 * ones the rules make; and every prediction must carry the exact features of what its card had
 * passed through FEATURES so far. Prints the count per outcome.
 */
class FuzzIntegrationTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final int CARDS = 200;
    private static final int MERCHANTS = 30;
    private static final int VALID_MESSAGES = 4_000;
    private static final int MUTANTS = Integer.getInteger("fuzz.mutants", 10_000);
    private static final double MAX_AMOUNT = 1_000_000;
    private static final long LAG_MS = Duration.ofHours(1).toMillis();
    private static final long DAY_MS = Duration.ofDays(1).toMillis();
    private static final long WEEK_MS = 7 * DAY_MS;
    private static final Duration TIMEOUT = Duration.ofMinutes(6);
    private static final String TOPIC = "fuzz";

    /** A message as it was appended, and what the rules say of it. */
    private record Sent(Message message, KafkaOrigin origin, Verdict verdict) {
    }

    @Test
    void shouldGiveEveryHostileMessageOneOutcomeAndScoreTheRestExactly() throws Exception {
        PythonHandler.assumeRunnable();
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        Random random = new Random(SEED);
        List<String> cards = new ArrayList<>();
        for (int i = 0; i < CARDS; i++) {
            cards.add("4" + (500_000_000_000_000L + i));
        }
        List<String> merchants = new ArrayList<>();
        for (int i = 0; i < MERCHANTS; i++) {
            merchants.add(String.format("M%05d", i));
        }

        // Given: valid transactions over the last two days, and mutants of them mixed in after each
        List<KafkaTransaction> valid = validTransactions(random, cards, merchants, now);
        MessageMutator mutator = new MessageMutator(SEED, now);
        List<Message> stream = new ArrayList<>();
        int mutants = 0;
        for (int i = 0; i < valid.size(); i++) {
            KafkaTransaction txn = valid.get(i);
            stream.add(new Message(txn.ccNum(), Json.toJson(txn).getBytes(UTF_8), "valid"));
            int quota = (int) ((long) MUTANTS * (i + 1) / valid.size()) - mutants;
            for (int m = 0; m < quota; m++) {
                stream.add(mutator.mutate(valid.get(random.nextInt(i + 1)), txn.eventTimeMs()));
                mutants++;
            }
        }

        try (CardNumberScan.LogCapture log = new CardNumberScan.LogCapture();
             EmbeddedKafka kafka = EmbeddedKafka.start();
             EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                     "fuzz-" + ProcessHandle.current().pid(), 1, 5891)) {
            kafka.createTopic(TOPIC, 4);
            HazelcastInstance hz = cluster.member();
            loadReferenceData(hz, cards, merchants);
            MessageOracle oracle = new MessageOracle(MAX_AMOUNT);
            List<Sent> sent = send(kafka.bootstrapServers(), stream, oracle);

            // When: the job reads them all
            JobSettings settings = JobSettings.from(new String[]{"--kafka-bootstrap-servers", kafka.bootstrapServers(),
                    "--kafka-topic", TOPIC, "--python-parallelism", "2", "--kafka-source-parallelism", "2",
                    "--max-amount", String.valueOf(MAX_AMOUNT), "--allowed-lag-ms", String.valueOf(LAG_MS)}, Map.of());
            Job job = FraudJob.deploy(hz, settings);
            awaitOutcomes(hz, job, sent.size());
            Map<String, FraudPrediction> predictions = hz.<Object, FraudPrediction>getMap(Names.PREDICTION_RESULT_MAP)
                    .values().stream().collect(Collectors.toMap(
                            p -> KafkaOrigin.key(p.originTopic(), p.originPartition(), p.originOffset()), p -> p));
            Map<String, DeadLetter> deadLetters = new HashMap<>(hz.<String, DeadLetter>getMap(Names.DEAD_LETTERS_MAP));

            // Then
            assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
            assertEveryMessageHasExactlyOneOutcome(sent, predictions, deadLetters);
            assertIngestJudgedAsTheRulesDo(sent, predictions, deadLetters);
            Set<String> knownCards = cards.stream().map(CardTokens.configured()::token).collect(Collectors.toSet());
            int scoredValid = assertLaterStagesFollowTheRules(sent, predictions, deadLetters, knownCards,
                    Set.copyOf(merchants));
            printCounts(sent, predictions, deadLetters, mutants, scoredValid, started);
            assertThat(scoredValid).as("valid messages scored, of %d", valid.size()).isEqualTo(valid.size());
            assertNoCardNumberAtRest(hz, job, cardNumbersSent(stream), log, kafka.bootstrapServers());
        }
    }

    /** Per card, times that go forward (a few a little late), amounts in cents. */
    private static List<KafkaTransaction> validTransactions(Random random, List<String> cards, List<String> merchants,
                                                            long now) {
        List<KafkaTransaction> valid = new ArrayList<>();
        long start = now - 2 * DAY_MS;
        for (int i = 0; i < VALID_MESSAGES; i++) {
            long time = start + (2 * DAY_MS) * i / VALID_MESSAGES - (random.nextInt(10) == 0 ? random.nextInt(1_800_000) : 0);
            valid.add(new KafkaTransaction("V-" + i, cards.get(random.nextInt(cards.size())),
                    merchants.get(random.nextInt(merchants.size())), (1 + random.nextInt(50_000)) / 100.0, time,
                    25 + random.nextDouble() * 20, -120 + random.nextDouble() * 50));
        }
        return valid;
    }

    /** The cards and merchants of the valid messages; mutants may name others. */
    private static void loadReferenceData(HazelcastInstance hz, List<String> cards, List<String> merchants) {
        Map<String, Customer> customers = new HashMap<>();
        for (String card : cards) {
            String token = CardTokens.configured().token(card);
            customers.put(token, new Customer(token, "Ada", "Lovelace", "F", LocalDate.of(1980, 4, 2), "Engineer",
                    "1 Main St", "Springfield", "IL", "62701", 39.8, -89.6, 116_250, "urban"));
        }
        hz.getMap(Names.CUSTOMERS_MAP).putAll(customers);
        Map<String, Merchant> known = new HashMap<>();
        for (String code : merchants) {
            known.put(code, new Merchant(code, "Shop " + code, "grocery_pos", 39.0, -90.0));
        }
        hz.getMap(Names.MERCHANTS_MAP).putAll(known);
    }

    /** Sends in order, checks every send, and judges each message with its append time. */
    private static List<Sent> send(String bootstrapServers, List<Message> stream, MessageOracle oracle) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                // Idempotent: in order, and a lost record fails its send, which get() below reports.
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (Message message : stream) {
                futures.add(producer.send(new ProducerRecord<>(TOPIC, message.key(), message.value())));
            }
            List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < stream.size(); i++) {
                RecordMetadata metadata = futures.get(i).get();
                Message message = stream.get(i);
                // The key as the job reads it back: the producer wrote it as UTF-8.
                String key = message.key() == null ? null
                        : new String(message.key().getBytes(UTF_8), UTF_8);
                sent.add(new Sent(message, new KafkaOrigin(TOPIC, metadata.partition(), metadata.offset(), metadata.timestamp()),
                        oracle.judge(key, message.value(), metadata.timestamp())));
            }
            return sent;
        }
    }

    private static void awaitOutcomes(HazelcastInstance hz, Job job, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long done;
        while ((done = hz.getMap(Names.PREDICTION_RESULT_MAP).size() + hz.getMap(Names.DEAD_LETTERS_MAP).size()) < expected) {
            JobStatus status = job.getStatus();
            assertThat(status).as("the job, after %d of %d outcomes", done, expected)
                    .isIn(JobStatus.NOT_RUNNING, JobStatus.STARTING, JobStatus.RUNNING);
            assertThat(System.nanoTime()).as("%d of %d outcomes within %s", done, expected, TIMEOUT).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static void assertEveryMessageHasExactlyOneOutcome(List<Sent> sent, Map<String, FraudPrediction> predictions,
                                                               Map<String, DeadLetter> deadLetters) {
        Set<String> inputs = sent.stream().map(s -> s.origin().key()).collect(Collectors.toSet());
        assertThat(predictions.keySet()).as("predictions of no input").isSubsetOf(inputs);
        assertThat(deadLetters.keySet()).as("dead letters of no input").isSubsetOf(inputs);
        assertThat(predictions.keySet()).as("inputs with two outcomes").doesNotContainAnyElementsOf(deadLetters.keySet());
        assertThat(predictions.size() + deadLetters.size()).isEqualTo(sent.size());
    }

    /** INGEST refuses what the rules refuse, for their reason, and passes on exactly the values written. */
    private static void assertIngestJudgedAsTheRulesDo(List<Sent> sent, Map<String, FraudPrediction> predictions,
                                                       Map<String, DeadLetter> deadLetters) {
        for (Sent s : sent) {
            String position = s.origin().key();
            DeadLetter deadLetter = deadLetters.get(position);
            String context = s.message().kind() + " " + abbreviated(s.message().text()) + " -> "
                    + (deadLetter == null ? "prediction" : deadLetter.reason() + ": " + deadLetter.detail());
            if (!s.verdict().valid()) {
                assertThat(deadLetter).as(context).isNotNull();
                assertThat(deadLetter.stage() + " " + deadLetter.reason()).as(context)
                        .isEqualTo("INGEST " + s.verdict().reason());
                continue;
            }
            boolean refusedAtIngest = deadLetter != null && deadLetter.stage().equals(Names.Stage.INGEST);
            assertThat(refusedAtIngest).as("valid by the rules: %s", context).isFalse();
            FraudPrediction prediction = predictions.get(position);
            if (prediction != null) {
                Transaction stored = new Transaction(prediction.transactionId(), prediction.cardToken(), prediction.bin(),
                        prediction.last4(), prediction.merchantCode(), prediction.amount(), prediction.eventTimeMs(),
                        prediction.latitude(), prediction.longitude());
                assertThat(stored).as(context).isEqualTo(s.verdict().transaction());
            }
        }
    }

    /**
     * FEATURES, ENRICH and PREDICT as the rules make them: a held id is a duplicate (delivery or
     * conflict), an event more than the lag behind its card's newest is late, the reference data
     * decides ENRICH, and every prediction has the features of what its card passed through
     * FEATURES before it. Returns how many valid (unmutated) messages were scored.
     */
    private static int assertLaterStagesFollowTheRules(List<Sent> sent, Map<String, FraudPrediction> predictions,
                                                       Map<String, DeadLetter> deadLetters, Set<String> knownCards,
                                                       Set<String> knownMerchants) {
        Map<String, List<Transaction>> passedByCard = new HashMap<>();
        Map<Integer, List<String>> cardsByPartition = new HashMap<>();
        int scoredValid = 0;
        // Kafka keeps order per partition only; within one, the offsets give each card's order.
        List<Sent> inOrder = sent.stream().sorted(Comparator.comparing((Sent s) -> s.origin().partition())
                .thenComparing(s -> s.origin().offset())).toList();
        for (Sent s : inOrder) {
            if (!s.verdict().valid()) {
                continue;
            }
            Transaction txn = s.verdict().transaction();
            String position = s.origin().key();
            DeadLetter deadLetter = deadLetters.get(position);
            String context = s.message().kind() + " " + txn + " -> "
                    + (deadLetter == null ? "prediction" : deadLetter.reason() + ": " + deadLetter.detail());
            List<Transaction> passed = passedByCard.computeIfAbsent(txn.cardToken(), c -> new ArrayList<>());
            Transaction sameId = passed.stream().filter(p -> p.transactionId().equals(txn.transactionId()))
                    .findFirst().orElse(null);
            long newest = passed.stream().mapToLong(Transaction::eventTimeMs).max().orElse(Long.MIN_VALUE);
            if (sameId != null) {
                assertThat(deadLetter).as(context).isNotNull();
                assertThat(deadLetter.reason()).as(context).isEqualTo(sameId.equals(txn)
                        ? DeadLetterReason.DUPLICATE_DELIVERY.name() : DeadLetterReason.DUPLICATE_TRANSACTION_ID.name());
                continue;
            }
            if (!passed.isEmpty() && newest - txn.eventTimeMs() > LAG_MS) {
                assertThat(deadLetter).as(context).isNotNull();
                assertThat(deadLetter.reason()).as(context).isEqualTo(DeadLetterReason.LATE_EVENT.name());
                continue;
            }
            if (deadLetter != null && deadLetter.reason().equals(DeadLetterReason.LATE_EVENT.name())) {
                // A card not held may be late only if its partition evicted a card its window could reach.
                assertThat(passed).as(context).isEmpty();
                assertThat(couldHaveEvicted(cardsByPartition.getOrDefault(s.origin().partition(), List.of()),
                        passedByCard, txn)).as(context).isTrue();
                continue;
            }
            assertThat(deadLetter == null || !deadLetter.stage().equals(Names.Stage.FEATURES)).as(context).isTrue();
            passed.add(txn);
            cardsByPartition.computeIfAbsent(s.origin().partition(), p -> new ArrayList<>()).add(txn.cardToken());
            if (!knownCards.contains(txn.cardToken())) {
                assertThat(deadLetter == null ? null : deadLetter.reason()).as(context).isEqualTo("UNKNOWN_CARD");
            } else if (!knownMerchants.contains(txn.merchantCode())) {
                assertThat(deadLetter == null ? null : deadLetter.reason()).as(context).isEqualTo("UNKNOWN_MERCHANT");
            } else {
                assertThat(deadLetter).as("scored: %s", context).isNull();
                assertThat(features(predictions.get(position))).as(context).isEqualTo(exactFeatures(passed, txn));
                scoredValid += s.message().kind().equals("valid") ? 1 : 0;
            }
        }
        return scoredValid;
    }

    /** The windows of features.json over what the card passed so far, amounts summed in cents. */
    private static CardFeatures exactFeatures(List<Transaction> passed, Transaction txn) {
        long t = txn.eventTimeMs();
        int day = 0;
        int week = 0;
        long cents = 0;
        for (Transaction p : passed) {
            long time = p.eventTimeMs();
            if (time <= t && time > t - DAY_MS) {
                day++;
                cents += Math.round(p.amount() * 100);
            }
            if (time <= t && time > t - WEEK_MS) {
                week++;
            }
        }
        return new CardFeatures(day, cents / 100.0, week);
    }

    private static boolean couldHaveEvicted(List<String> partitionCards, Map<String, List<Transaction>> passedByCard,
                                            Transaction txn) {
        long clock = partitionCards.stream().flatMap(c -> passedByCard.get(c).stream())
                .mapToLong(Transaction::eventTimeMs).max().orElse(Long.MIN_VALUE);
        return partitionCards.stream().distinct().anyMatch(card -> {
            long newest = passedByCard.get(card).stream().mapToLong(Transaction::eventTimeMs).max().orElseThrow();
            return newest <= clock - (WEEK_MS + LAG_MS) && txn.eventTimeMs() - WEEK_MS < newest;
        });
    }

    /**
     * Every card number the stream carried: each message's key and each {@code cc_num} value
     * (text or JSON number) shaped like one (12 to 19 digits). Other digit runs (event times are
     * 13 digits) are not card numbers and may be stored.
     */
    private static Set<String> cardNumbersSent(List<Message> stream) {
        Set<String> cards = new TreeSet<>();
        Pattern card = Pattern.compile("[0-9]{12,19}");
        Pattern ccNum = Pattern.compile("\"cc_num\"\\s*:\\s*\"?([0-9]{12,19})(?![0-9])");
        for (Message message : stream) {
            if (message.key() != null && card.matcher(message.key()).matches()) {
                cards.add(message.key());
            }
            Matcher matcher = ccNum.matcher(message.text());
            while (matcher.find()) {
                cards.add(matcher.group(1));
            }
        }
        return cards;
    }

    /**
     * PCI DSS 3.5.1: no card number the stream carried is in any map the cluster holds (Jet's
     * snapshots of the card state included: the test waits for one to complete first), nor in
     * anything logged while the job ran.
     */
    private static void assertNoCardNumberAtRest(HazelcastInstance hz, Job job, Set<String> cards,
                                                 CardNumberScan.LogCapture log, String bootstrapServers)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (CardNumberScan.mapNames(hz).stream().noneMatch(name -> name.startsWith("__jet.snapshot"))) {
            assertThat(System.nanoTime()).as("a snapshot of job %s", job.getIdString()).isLessThan(deadline);
            Thread.sleep(500);
        }
        Set<String> maps = CardNumberScan.mapNames(hz);
        List<String> found = new ArrayList<>(CardNumberScan.inMaps(hz, cards));
        found.addAll(CardNumberScan.inText(log.text(), "the log", cards));
        List<String> topics = List.of(Names.DECISIONS_TOPIC, Names.DEAD_LETTERS_TOPIC);
        long records = 0;
        for (String topic : topics) {
            List<byte[]> written = CardNumberScan.everyRecord(bootstrapServers, topic);
            records += written.size();
            written.forEach(bytes -> CardNumberScan.inBytes(bytes, cards)
                    .forEach(card -> found.add("card ..." + card.substring(card.length() - 4) + " in topic " + topic)));
        }
        System.out.printf("  card numbers sent: %,d; looked for in %d maps %s, %,d characters of log and %,d records"
                + " of the topics %s%n", cards.size(), maps.size(), maps, log.text().length(), records, topics);
        assertThat(records).as("records the job wrote to %s", topics).isGreaterThan(0);
        assertThat(cards).as("card numbers to look for").hasSizeGreaterThanOrEqualTo(CARDS);
        assertThat(found).as("card numbers at rest").isEmpty();
    }

    private static CardFeatures features(FraudPrediction p) {
        Objects.requireNonNull(p, "no prediction");
        return new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
    }

    private static void printCounts(List<Sent> sent, Map<String, FraudPrediction> predictions,
                                    Map<String, DeadLetter> deadLetters, int mutants, int scoredValid, long startedNanos) {
        Map<String, Long> byOutcome = new TreeMap<>(deadLetters.values().stream()
                .collect(Collectors.groupingBy(d -> d.stage() + " " + d.reason(), Collectors.counting())));
        Map<String, Long> byKind = sent.stream()
                .collect(Collectors.groupingBy(s -> s.message().kind(), TreeMap::new, Collectors.counting()));
        System.out.printf("%nFuzz run, seed %d: %,d messages (%,d valid, %,d mutants) in %.1f s%n", SEED, sent.size(),
                sent.size() - mutants, mutants, (System.nanoTime() - startedNanos) / 1e9);
        System.out.printf("  %-40s %,7d  (%,d of the valid messages)%n", "prediction", predictions.size(), scoredValid);
        byOutcome.forEach((outcome, count) -> System.out.printf("  %-40s %,7d%n", outcome, count));
        System.out.println("  mutations: " + byKind);
    }

    private static String abbreviated(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...(" + text.length() + " chars)";
    }
}
