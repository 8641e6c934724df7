package org.example.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.JobSettings;
import org.example.KafkaPreflight;
import org.example.definition.Names;
import org.example.records.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Replays {@code transactions.jsonl} into Kafka the way a payment system would publish them:
 * each line as it is (value = the JSON line, key = its {@code cc_num}, both UTF-8), in file
 * order, at a given rate or as fast as the broker takes them.
 *
 * <p>No record may go missing silently. The producer is idempotent with {@code acks=all} and one
 * request in flight, it starts only once every partition of the topic has a leader (a brand-new
 * topic on a Kafka 4.4 broker can otherwise answer {@code NOT_LEADER_OR_FOLLOWER} and then
 * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} and drop records), and the result of every send is counted:
 * {@link Summary#lost()} is what was not acknowledged, and the program fails when it is not zero.
 *
 * <p>As a library: {@code new TransactionProducer(kafkaProperties).ensureTopic(topic, 12, 1,
 * timeout)}, then {@code produce(file, topic, count, rate).requireNothingLost()}. As a program:
 * {@code java -cp fraud-detection-job.jar:<hazelcast jars> org.example.tools.TransactionProducer --help}.
 */
public final class TransactionProducer {

    public static final String TRANSACTIONS_FILE = "transactions.jsonl";
    /** 3 members × 2 cooperative threads × 2 would already read 12 partitions in parallel. */
    public static final int DEFAULT_PARTITIONS = 12;
    static final long DEFAULT_LEADER_TIMEOUT_SECONDS = 120;
    public static final Duration DEFAULT_LEADER_TIMEOUT = Duration.ofSeconds(DEFAULT_LEADER_TIMEOUT_SECONDS);
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    /**
     * Retention of a topic this tool creates: a replaced job rebuilds its 7-day windows from Kafka,
     * so a week plus the allowed lag must stay readable (docs/DESIGN.md).
     */
    static final Duration RETENTION = Duration.ofDays(8);

    /**
     * The outcome of one run.
     *
     * @param planned lines that were to be sent
     * @param sent    records the broker acknowledged
     */
    public record Summary(String topic, long planned, long sent, Duration elapsed, String firstError) {

        /** Planned records that were not acknowledged: failed, or never sent after a failure. */
        public long lost() {
            return planned - sent;
        }

        public double ratePerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds > 0 ? sent / seconds : 0;
        }

        public Summary requireNothingLost() {
            if (lost() > 0) {
                throw new IllegalStateException(describe());
            }
            return this;
        }

        public String describe() {
            String result = String.format(Locale.ROOT,
                    "Sent %,d of %,d transactions to '%s' in %.1f s (%,.0f/s)",
                    sent, planned, topic, elapsed.toNanos() / 1e9, ratePerSecond());
            if (lost() > 0) {
                result += String.format(Locale.ROOT, "; LOST %,d of %,d (first error: %s)", lost(), planned, firstError);
            }
            return result;
        }
    }

    private final Properties clientProperties;
    private final PrintStream console;

    /**
     * @param clientProperties Kafka client properties, at least {@code bootstrap.servers}; SASL and
     *                         TLS settings go here too. The delivery guarantees above are set on top.
     */
    public TransactionProducer(Properties clientProperties) {
        this(clientProperties, System.out);
    }

    public TransactionProducer(Properties clientProperties, PrintStream console) {
        if (clientProperties.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "").isBlank()) {
            throw new IllegalArgumentException(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG + " is not set");
        }
        this.clientProperties = clientProperties;
        this.console = console;
    }

    /**
     * The producer settings: the caller's, then the ones no record may be lost without. A caller's
     * conflicting value for those is overridden, and said so.
     */
    static Properties producerProperties(Properties clientProperties, PrintStream console) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        Map<String, String> required = Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        required.forEach((key, value) -> {
            Object given = props.get(key);
            if (given != null && !value.equals(given.toString())) {
                console.println("Note: " + key + "=" + given + " overridden with " + value + " so that no record is lost");
            }
            props.setProperty(key, value);
        });
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "transaction-producer");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        props.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    /**
     * Creates the topic if it does not exist, then waits until every partition has a leader.
     * An existing topic keeps its partitions; fewer than asked for is reported, not changed.
     * First, Kafka must accept the client settings ({@link KafkaPreflight}): a refused login or
     * certificate fails here in one sentence, not as a wait on the topic.
     */
    public void ensureTopic(String topic, int partitions, short replicationFactor, Duration leaderTimeout) {
        console.println(KafkaPreflight.check(clientProperties, topic).describe());
        try (Admin admin = Admin.create(clientProperties)) {
            if (describe(admin, topic, System.nanoTime() + leaderTimeout.toNanos()) == null) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RETENTION.toMillis())))))
                            .all().get();
                    console.printf("Created topic '%s' with %d partitions (replication factor %d)%n",
                            topic, partitions, replicationFactor);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic '" + topic + "': " + e.getCause(), e);
                    }
                    // Created by someone else meanwhile: fine, it is checked below like any other.
                }
            }
            awaitLeaders(admin, topic, partitions, leaderTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing topic '" + topic + "'", e);
        }
    }

    /** Deletes the topic of a finished run; a failure is reported, not thrown, as the run's result stands. */
    public void deleteTopic(String topic) {
        try (Admin admin = Admin.create(clientProperties)) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            console.printf("Interrupted while deleting topic '%s'%n", topic);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            console.printf("Could not delete topic '%s': %s%n", topic, e);
        }
    }

    private void awaitLeaders(Admin admin, String topic, int wantedPartitions, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem;
        while (true) {
            TopicDescription description = describe(admin, topic, deadline);
            if (description == null) {
                problem = "the topic does not exist (yet)";
            } else {
                List<Integer> leaderless = description.partitions().stream()
                        .filter(p -> p.leader() == null || p.leader().isEmpty())
                        .map(TopicPartitionInfo::partition)
                        .toList();
                if (leaderless.isEmpty()) {
                    int count = description.partitions().size();
                    if (count < wantedPartitions) {
                        console.printf("Note: topic '%s' exists with %d partitions, fewer than %d: some of the"
                                + " job's source processors will have nothing to read%n", topic, count, wantedPartitions);
                    }
                    return;
                }
                problem = "partitions without a leader: " + leaderless;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topic '" + topic + "' not ready after " + timeout.toSeconds()
                        + " s: " + problem);
            }
            Thread.sleep(200);
        }
    }

    /**
     * The topic's description, or null when it does not exist. A busy broker may take long to
     * answer: it has until the caller's deadline, not a fixed time of its own.
     */
    private static TopicDescription describe(Admin admin, String topic, long deadlineNanos) throws InterruptedException {
        long waitNanos = Math.max(TimeUnit.SECONDS.toNanos(1), deadlineNanos - System.nanoTime());
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(waitNanos, TimeUnit.NANOSECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new IllegalStateException("Cannot describe topic '" + topic + "': " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not describe topic '" + topic + "' within "
                    + TimeUnit.NANOSECONDS.toSeconds(waitNanos) + " s", e);
        }
    }

    /**
     * Sends the first {@code count} lines of {@code file} ({@code 0} = all), at most
     * {@code ratePerSecond} per second ({@code 0} = as fast as possible). Every line is checked
     * before the first is sent, so a bad file sends nothing.
     *
     * @return what was sent and what was lost; see {@link Summary#requireNothingLost()}
     * @throws JsonLines.BadLineException when a line is not a JSON object with a {@code cc_num}
     */
    public Summary produce(Path file, String topic, long count, double ratePerSecond) {
        return produce(file, topic, count, ratePerSecond, () -> false);
    }

    /**
     * As {@link #produce(Path, String, long, double)}, but sending no further line once
     * {@code stopped} says so: the lines sent before then are the plan, and the first ones of the file.
     */
    public Summary produce(Path file, String topic, long count, double ratePerSecond, BooleanSupplier stopped) {
        long planned = JsonLines.forEachLine(file, count, (lineNumber, line) -> keyOf(line, file, lineNumber));
        if (planned == 0) {
            throw new IllegalArgumentException(file + " is empty");
        }
        try (Producer<String, String> producer = new KafkaProducer<>(producerProperties(clientProperties, console))) {
            return send(producer, file, topic, count, planned, ratePerSecond, stopped);
        }
    }

    /** Why the sending loop ended before the file did: the caller asked it to stop. */
    private static final class StopRequested extends RuntimeException {
        StopRequested() {
            super(null, null, false, false);
        }
    }

    /**
     * Sends {@code planned} checked lines with {@code producer}, none once {@code stopped} says so,
     * and counts what was acknowledged.
     */
    Summary send(Producer<String, String> producer, Path file, String topic, long count, long planned,
                 double ratePerSecond, BooleanSupplier stopped) {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[] attempted = {0};
        long start = System.nanoTime();
        double nanosPerRecord = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        ConsoleProgress progress = ConsoleProgress.start(topic, planned, console);
        try {
            JsonLines.forEachLine(file, count, (lineNumber, line) -> {
                if (firstError.get() != null) {
                    // The run has failed already; sending on would only wait on a broken
                    // connection record by record.
                    throw new IllegalStateException("stopped after the first failed send");
                }
                if (stopped.getAsBoolean()) {
                    throw new StopRequested();
                }
                if (nanosPerRecord > 0) {
                    long due = start + (long) (attempted[0] * nanosPerRecord);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                attempted[0]++;
                producer.send(new ProducerRecord<>(topic, keyOf(line, file, lineNumber), line), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        firstError.compareAndSet(null, "line " + lineNumber + ": " + error);
                    }
                    completed.incrementAndGet();
                });
                progress.update(attempted[0]);
            });
        } catch (StopRequested stop) {
            planned = attempted[0];
        } catch (RuntimeException sendFailed) {
            // A send failed, or send() itself threw (no metadata within max.block.ms, ...): the
            // rest would fail alike, so stop here; everything not acknowledged counts as lost.
            firstError.compareAndSet(null, "sending stopped after " + attempted[0] + " records: " + sendFailed);
        }
        // Returns once every send has completed and its callback has run.
        producer.flush();
        progress.finish(acknowledged.get());
        if (completed.get() != attempted[0]) {
            firstError.compareAndSet(null, (attempted[0] - completed.get()) + " sends never completed");
        }
        return new Summary(topic, planned, acknowledged.get(), Duration.ofNanos(System.nanoTime() - start),
                firstError.get());
    }

    /** The message key: the line's {@code cc_num}, which must be a non-blank string. */
    static String keyOf(String line, Path file, long lineNumber) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new JsonLines.BadLineException(file, lineNumber, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new JsonLines.BadLineException(file, lineNumber, "not a JSON object");
        }
        JsonNode ccNum = node.get("cc_num");
        if (ccNum == null || !ccNum.isTextual() || ccNum.asText().isBlank()) {
            throw new JsonLines.BadLineException(file, lineNumber, "cc_num is missing, blank or not a string");
        }
        return ccNum.asText();
    }

    // ---- command line ----

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The program: 0 when every record was acknowledged, 1 when any was lost or sending failed, 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out, err), args, out, err);
    }

    @Command(name = "TransactionProducer",
            description = "Sends " + TRANSACTIONS_FILE + ", line by line, to a Kafka topic (key = cc_num).")
    static final class Program implements Callable<Integer> {

        @Option(names = "--data-dir", defaultValue = "${env:DATA_DIR:-python/data}",
                description = "Directory with " + TRANSACTIONS_FILE + " (env DATA_DIR)")
        Path dataDir;

        @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
                description = "Kafka bootstrap servers; else the properties file's, else " + DEFAULT_BOOTSTRAP_SERVERS
                        + " (env KAFKA_BOOTSTRAP_SERVERS)")
        String bootstrapServers;

        @Option(names = "--topic", defaultValue = "${env:KAFKA_TOPIC:-" + Names.TRANSACTIONS_TOPIC + "}",
                description = "Topic to send to (env KAFKA_TOPIC)")
        String topic;

        @Option(names = "--decisions-topic", defaultValue = "${env:DECISIONS_TOPIC:-" + Names.DECISIONS_TOPIC + "}",
                description = "The job's decision topic, created beside the input topic if missing; empty: none"
                        + " (env DECISIONS_TOPIC)")
        String decisionsTopic;

        @Option(names = "--dead-letters-topic", defaultValue = "${env:DEAD_LETTERS_TOPIC:-" + Names.DEAD_LETTERS_TOPIC + "}",
                description = "The job's dead-letter topic, created beside the input topic if missing; empty: none"
                        + " (env DEAD_LETTERS_TOPIC)")
        String deadLettersTopic;

        @Option(names = "--rate", defaultValue = "0", converter = Commands.NonNegativeNumber.class,
                description = "Transactions per second; 0 = as fast as possible")
        double rate;

        @Option(names = "--count", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "Send only the first N lines; 0 = all")
        long count;

        @Option(names = "--partitions", defaultValue = "" + DEFAULT_PARTITIONS, converter = Commands.PositiveInt.class,
                description = "Partitions when the topic has to be created")
        int partitions;

        @Option(names = "--replication-factor", defaultValue = "1", converter = Commands.PositiveInt.class,
                description = "Replication factor when creating the topic")
        int replicationFactor;

        @Option(names = "--kafka-properties-file", defaultValue = "${env:KAFKA_PROPERTIES_FILE}",
                description = "Properties file with extra Kafka client settings (SASL, TLS, ...) (env KAFKA_PROPERTIES_FILE)")
        String propertiesFile;

        @Option(names = "--leader-timeout-seconds", defaultValue = "" + DEFAULT_LEADER_TIMEOUT_SECONDS,
                converter = Commands.PositiveLong.class,
                description = "How long to wait for partition leaders")
        long leaderTimeoutSeconds;

        @Option(names = "--until-file",
                description = "Stop sending once this file exists (the lines sent are the file's first ones,"
                        + " as many as the summary says): traffic for as long as another command takes")
        Path untilFile;

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private final PrintStream err;

        Program(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            Properties properties = Commands.beforeWork(spec, () -> clientProperties(
                    Objects.requireNonNullElse(bootstrapServers, ""), Objects.requireNonNullElse(propertiesFile, "")));
            Path file = dataDir.resolve(TRANSACTIONS_FILE);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("No " + file + " (generate the data set first: docs/DATA.md)");
            }
            TransactionProducer producer = new TransactionProducer(properties, out);
            // The job's output topics too, before the first transaction: a transactional producer
            // writing to a topic the broker has just auto-created gets one partition, and the
            // broker bugs of a brand-new topic (docs/DESIGN.md) hit the job instead of this tool.
            for (String each : new String[]{topic, decisionsTopic, deadLettersTopic}) {
                if (each != null && !each.isBlank()) {
                    producer.ensureTopic(each, partitions, (short) Math.min(Short.MAX_VALUE, replicationFactor),
                            Duration.ofSeconds(leaderTimeoutSeconds));
                }
            }
            Summary summary = untilFile == null ? producer.produce(file, topic, count, rate)
                    : producer.produce(file, topic, count, rate, () -> Files.exists(untilFile));
            out.println(summary.describe());
            if (summary.lost() > 0) {
                err.printf("TransactionProducer failed: %,d of %,d transactions were lost%n",
                        summary.lost(), summary.planned());
                return 1;
            }
            return 0;
        }
    }

    /**
     * The settings of an optional properties file (SASL, TLS, ...) plus the bootstrap servers: the
     * given ones, else the file's, else {@value #DEFAULT_BOOTSTRAP_SERVERS}.
     */
    static Properties clientProperties(String bootstrapServers, String propertiesFile) {
        Properties properties = JobSettings.readKafkaProperties(propertiesFile.strip());
        if (!bootstrapServers.isBlank()) {
            properties.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        } else {
            properties.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP_SERVERS);
        }
        return properties;
    }
}
