package org.example;

import com.hazelcast.jet.kafka.KafkaSinks;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import com.hazelcast.jet.pipeline.Sink;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.records.DeadLetter;
import org.example.records.Decision;
import org.example.records.FraudPrediction;
import org.example.records.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The Kafka topics ACT writes besides the maps: every decision to {@code --decisions-topic}, every
 * dead letter to {@code --dead-letters-topic}, each as JSON (docs/DATA.md), each in Kafka
 * transactions that Jet commits when a snapshot completes. A consumer reading with
 * {@code isolation.level=read_committed} therefore sees each record once, whatever member or
 * broker fails in between; one reading uncommitted sees records a restart later writes again
 * (docs/DESIGN.md, "Decisions on a Kafka topic").
 *
 * <p>Jet names each producer's {@code transactional.id} after the job's id, the sink's name and
 * the processor's index, so two jobs, or the two sinks of one job, never fence each other; it
 * refuses a {@code transactional.id} in the client settings.
 */
public final class OutputTopics {

    /**
     * How long a transaction may stay open before the broker aborts it, unless the Kafka properties
     * file says otherwise: the broker's default ceiling ({@code transaction.max.timeout.ms}). A
     * transaction stays open from one snapshot to the next, and across a restart until the job
     * commits it from its snapshot; if the broker aborted it first, its records would be lost, so
     * the longer the better. Kafka's producer default of 60 s is shorter than a member's restart
     * plus a Python start on a busy machine.
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /**
     * How long a producer waits for more records before it sends a batch, and how large a batch may
     * grow, unless the Kafka properties file says otherwise. A consumer reading read_committed sees
     * a record only when its transaction commits, at the job's next snapshot (every 10 s by
     * default), so a wait of tens of milliseconds before the send delays nothing anyone sees. The
     * client's own defaults (3.x: send at once, 16 KB) make a produce request of every few records:
     * measured, that cost the member and the broker more CPU than the rest of a transaction's
     * scoring (docs/BENCHMARK.md, "What the decision and dead-letter topics cost").
     */
    static final int LINGER_MS = 50;
    static final int BATCH_BYTES = 256 * 1024;

    private static final ILogger LOG = Logger.getLogger(OutputTopics.class);

    private OutputTopics() {
    }

    /**
     * Partitions of an output topic the submit creates, when the input topic has none to copy: as
     * many as the producer tool gives the input topic.
     */
    static final int DEFAULT_PARTITIONS = 12;

    /**
     * Creates the output topics that do not exist yet, with as many partitions as the input topic
     * (at least one), and waits until each partition has a leader. Run at submit: a sink whose topic
     * is missing would fail inside the running job, again after every restart, on a broker that does
     * not create topics on the first write; one that does would make it with one partition.
     *
     * @throws IllegalStateException naming the topics, the cause and the two ways out, when Kafka
     *                               refuses or does not answer
     */
    static void ensureExist(JobSettings settings, int inputPartitions) {
        List<String> wanted = Stream.of(settings.decisionsTopic(), settings.deadLettersTopic())
                .filter(topic -> !topic.isEmpty()).toList();
        if (wanted.isEmpty()) {
            return;
        }
        Properties client = new Properties();
        client.putAll(settings.kafkaProperties());
        client.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        Duration timeout = KafkaPreflight.timeoutOf(client);
        int partitions = inputPartitions > 0 ? inputPartitions : DEFAULT_PARTITIONS;
        List<String> missing = new ArrayList<>();
        try (Admin admin = Admin.create(client)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            wanted.stream().filter(topic -> !existing.contains(topic)).forEach(missing::add);
            if (missing.isEmpty()) {
                return;
            }
            try {
                // The broker's replication factor: the job does not know the cluster's size.
                admin.createTopics(missing.stream()
                                .map(topic -> new NewTopic(topic, Optional.of(partitions), Optional.empty())).toList())
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another submitter's creation is fine; anything else is reported below
                }
            }
            awaitLeaders(admin, missing, System.nanoTime() + timeout.toNanos());
            LOG.info("Created the job's output topic(s) " + missing + " with " + partitions + " partitions");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Cannot create the job's output topic(s) " + missing + " at Kafka "
                    + settings.kafkaBootstrapServers() + " (" + cause + "): create them (scripts/load.sh transactions"
                    + " creates them with the input topic), or turn them off with --decisions-topic= and"
                    + " --dead-letters-topic=", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the job's output topics " + missing, e);
        }
    }

    /** A brand-new topic's first writes meet leaders still being elected: wait for them here instead. */
    private static void awaitLeaders(Admin admin, List<String> topics, long deadlineNanos)
            throws ExecutionException, InterruptedException, TimeoutException {
        while (true) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            boolean led = described.values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
            if (led) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new TimeoutException("partitions of " + topics + " still without a leader");
            }
            Thread.sleep(100);
        }
    }

    /** The prediction sinks beside the map: the decision topic, unless {@code --decisions-topic} is empty. */
    static List<Sink<? super FraudPrediction>> decisionSinks(JobSettings settings) {
        return settings.decisionsTopic().isEmpty() ? List.of() : List.of(decisions(settings));
    }

    /** The dead-letter sinks beside the map: the dead-letter topic, unless {@code --dead-letters-topic} is empty. */
    static List<Sink<? super DeadLetter>> deadLetterSinks(JobSettings settings) {
        return settings.deadLettersTopic().isEmpty() ? List.of() : List.of(deadLetters(settings));
    }

    /** Each prediction as its {@link Decision}, keyed by card token: one card's decisions share a partition. */
    public static Sink<FraudPrediction> decisions(JobSettings settings) {
        String topic = settings.decisionsTopic();
        return KafkaSinks.<FraudPrediction>kafka(producerProperties(settings))
                .toRecordFn(prediction -> record(topic, Decision.of(prediction)))
                .exactlyOnce(true)
                .build();
    }

    static ProducerRecord<String, String> record(String topic, Decision decision) {
        return new ProducerRecord<>(topic, decision.key(), Json.toJson(decision));
    }

    /**
     * Each dead letter, keyed by its input's Kafka position ({@link DeadLetter#key()}): a dead
     * letter holds the card's token and a masked payload only, never a card number.
     */
    public static Sink<DeadLetter> deadLetters(JobSettings settings) {
        return KafkaSinks.<DeadLetter>kafka(producerProperties(settings))
                .topic(settings.deadLettersTopic())
                .extractKeyFn(DeadLetter::key)
                .extractValueFn(Json::toJson)
                .exactlyOnce(true)
                .build();
    }

    /**
     * The producers' settings: our defaults (the transaction timeout, the batching), then the job's
     * Kafka properties file (TLS, SASL, and whatever it overrides), then what the sink cannot work
     * without.
     */
    static Properties producerProperties(JobSettings settings) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
        props.setProperty(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(LINGER_MS));
        props.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(BATCH_BYTES));
        props.putAll(settings.kafkaProperties());
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        props.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }
}
