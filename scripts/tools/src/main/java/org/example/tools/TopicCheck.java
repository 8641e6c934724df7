package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.example.definition.Names;
import org.example.policy.Band;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reads the decision topic (and the dead-letter topic) from the start as a downstream consumer
 * would, with {@code isolation.level=read_committed}, and counts what it sees: each input (by its
 * Kafka position, carried in every decision and dead letter) must appear exactly once. The
 * end-to-end test runs it after killing a member and the broker; the demo counts its decisions
 * with it. Exit 0 when every expected input was seen once, 1 when one is missing or seen twice.
 */
public final class TopicCheck {

    /**
     * What a topic held: inputs seen, the ones seen more than once, counts per decision and band, and
     * the flagged decisions (REVIEW, DECLINE) that came without reasons, which every scorer must give.
     */
    public static final class Tally {
        private final Set<String> inputs = new HashSet<>();
        private final Set<String> transactionIds = new HashSet<>();
        private final List<String> duplicates = new ArrayList<>();
        private static final Set<String> FLAGGED = Arrays.stream(Band.values()).filter(Band::isFlagged)
                .map(Band::name).collect(Collectors.toUnmodifiableSet());
        private final List<String> flaggedWithoutReasons = new ArrayList<>();
        private final Map<String, Long> byDecision = new TreeMap<>();
        private final Map<String, Long> byBand = new TreeMap<>();
        private long records;
        private long unreadable;

        /** One record's JSON value: a {@code Decision} or a {@code DeadLetter}. */
        public void add(String value) {
            records++;
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(value);
            } catch (Exception e) {
                unreadable++;
                return;
            }
            if (node == null || !node.hasNonNull("origin_offset")) {
                unreadable++;
                return;
            }
            String input = KafkaOrigin.key(node.path("origin_topic").asText(), node.path("origin_partition").asInt(),
                    node.path("origin_offset").asLong());
            if (!inputs.add(input)) {
                duplicates.add(input + " (" + node.path("transaction_id").asText() + ")");
            }
            String id = node.path("transaction_id").asText("");
            if (!id.isEmpty()) {
                transactionIds.add(id);
            }
            if (node.has("decision")) {
                byDecision.merge(node.get("decision").asText(), 1L, Long::sum);
                byBand.merge(node.hasNonNull("band") ? node.get("band").asText() : "(no band)", 1L, Long::sum);
                if (FLAGGED.contains(node.get("decision").asText()) && node.path("reasons").isEmpty()) {
                    flaggedWithoutReasons.add(input + " (" + id + ", " + node.get("decision").asText() + ")");
                }
            } else {
                byDecision.merge("dead letter: " + node.path("reason").asText("?"), 1L, Long::sum);
            }
        }


        public long distinctInputs() {
            return inputs.size();
        }

        public long distinctTransactionIds() {
            return transactionIds.size();
        }

        public List<String> duplicates() {
            return List.copyOf(duplicates);
        }

        /** REVIEW and DECLINE decisions whose {@code reasons} were missing or empty. */
        public List<String> flaggedWithoutReasons() {
            return List.copyOf(flaggedWithoutReasons);
        }

        public long records() {
            return records;
        }

        public long unreadable() {
            return unreadable;
        }

        /** Records per decision ({@code APPROVE}, {@code DECLINE}, {@code dead letter: <reason>}). */
        public Map<String, Long> byDecision() {
            return Map.copyOf(byDecision);
        }

        /** Decisions per risk band; {@code (no band)} for a decision written before the policy set one. */
        public Map<String, Long> byBand() {
            return Map.copyOf(byBand);
        }

        /** Empty when each of {@code expected} inputs was read exactly once; else what is wrong. */
        public List<String> problems(long expected) {
            List<String> problems = new ArrayList<>();
            if (distinctInputs() != expected) {
                problems.add(String.format("%,d distinct inputs, expected %,d", distinctInputs(), expected));
            }
            if (!duplicates.isEmpty()) {
                problems.add(String.format("%,d records seen twice, e.g. %s", duplicates.size(),
                        duplicates.subList(0, Math.min(5, duplicates.size()))));
            }
            if (!flaggedWithoutReasons.isEmpty()) {
                problems.add(String.format("%,d flagged decisions without reasons, e.g. %s", flaggedWithoutReasons.size(),
                        flaggedWithoutReasons.subList(0, Math.min(5, flaggedWithoutReasons.size()))));
            }
            if (unreadable > 0) {
                problems.add(String.format("%,d records that are neither a decision nor a dead letter", unreadable));
            }
            return problems;
        }

        public String describe() {
            return String.format("%,d records, %,d distinct inputs (%,d transaction ids), %,d seen twice; %s; per band %s; "
                            + "%,d flagged without reasons", records, distinctInputs(), distinctTransactionIds(),
                    duplicates.size(), byDecision, byBand, flaggedWithoutReasons.size());
        }
    }

    private TopicCheck() {
    }

    /**
     * Reads {@code topics} from their start, read_committed, until {@code expected} distinct inputs
     * are in, or {@code timeout} passes; then on to the end offsets of that moment, so a duplicate
     * committed before then is seen too.
     */
    public static Tally read(Properties clientProperties, List<String> topics, long expected, Duration timeout) {
        // Only what committed transactions hold: what a downstream consumer must act on.
        return read(clientProperties, topics, expected, timeout, IsolationLevel.READ_COMMITTED);
    }

    /**
     * As {@link #read(Properties, List, long, Duration)}, at another isolation level: read_uncommitted
     * shows what a consumer that ignores the transactions would act on.
     */
    public static Tally read(Properties clientProperties, List<String> topics, long expected, Duration timeout,
                             IsolationLevel isolation) {
        Tally tally = new Tally();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = fromStart(clientProperties, topics, isolation, timeout)) {
            while (tally.distinctInputs() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> tally.add(r.value()));
            }
            drainToEnd(consumer, deadline, tally::add);
        }
        return tally;
    }

    /** A consumer of every partition of {@code topics}, at their start, reading at {@code isolation}. */
    static KafkaConsumer<String, String> fromStart(Properties clientProperties, List<String> topics, IsolationLevel isolation,
                                                   Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                Objects.requireNonNull(infos, "no topic " + topic).forEach(
                        p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * Reads on to the end offsets of this moment (under read_committed, the last stable ones: all
     * committed records), so a duplicate committed before now is seen too.
     */
    static void drainToEnd(KafkaConsumer<String, String> consumer, long deadlineNanos, Consumer<String> each) {
        Set<TopicPartition> partitions = consumer.assignment();
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        while (System.nanoTime() < deadlineNanos && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                each.accept(r.value());
            }
        }
    }

    // ---- command line ----

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out, err), args, out, err);
    }

    @Command(name = "TopicCheck", description = "Reads the decision and dead-letter topics read_committed and checks"
            + " that each input appears exactly once.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
                description = "Kafka bootstrap servers; else the properties file's, else "
                        + TransactionProducer.DEFAULT_BOOTSTRAP_SERVERS + " (env KAFKA_BOOTSTRAP_SERVERS)")
        String bootstrapServers;

        @Option(names = "--kafka-properties-file", defaultValue = "${env:KAFKA_PROPERTIES_FILE}",
                description = "Properties file with extra Kafka client settings (SASL, TLS, ...) (env KAFKA_PROPERTIES_FILE)")
        String propertiesFile;

        @Option(names = "--topic", defaultValue = "${env:DECISIONS_TOPIC:-" + Names.DECISIONS_TOPIC + "}",
                description = "The decision topic (env DECISIONS_TOPIC)")
        String topic;

        @Option(names = "--dead-letters-topic", defaultValue = "${env:DEAD_LETTERS_TOPIC:-" + Names.DEAD_LETTERS_TOPIC + "}",
                description = "The dead-letter topic, counted with the decisions; empty: none (env DEAD_LETTERS_TOPIC)")
        String deadLettersTopic;

        @Option(names = "--expected", required = true, converter = Commands.NonNegativeLong.class,
                description = "Inputs that must each appear exactly once, as a decision or a dead letter")
        long expected;

        @Option(names = "--timeout-seconds", defaultValue = "120", converter = Commands.PositiveLong.class,
                description = "How long to wait for the expected inputs")
        long timeoutSeconds;

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
            Properties properties = Commands.beforeWork(spec, () -> TransactionProducer.clientProperties(
                    Objects.requireNonNullElse(bootstrapServers, ""), Objects.requireNonNullElse(propertiesFile, "")));
            List<String> topics = new ArrayList<>(List.of(topic));
            if (deadLettersTopic != null && !deadLettersTopic.isBlank()) {
                topics.add(deadLettersTopic);
            }
            Tally tally = read(properties, topics, expected, Duration.ofSeconds(timeoutSeconds));
            out.println(String.join(" + ", topics) + " (read_committed): " + tally.describe());
            List<String> problems = tally.problems(expected);
            if (!problems.isEmpty()) {
                err.println("TopicCheck failed: " + String.join("; ", problems));
                return 1;
            }
            out.printf("Each of the %,d inputs appears exactly once%n", expected);
            return 0;
        }
    }
}
