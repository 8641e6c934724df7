package org.example.it;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.IsolationLevel;
import org.example.FraudJob;
import org.example.JobSettings;
import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.Json;
import org.example.records.KafkaTransaction;
import org.example.records.Merchant;
import org.example.tokens.CardTokens;
import org.example.tools.EmbeddedCluster;
import org.example.tools.RepositoryFiles;
import org.example.tools.TopicCheck;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision and dead-letter topics, every part real: an in-JVM Kafka broker, three Hazelcast
 * members, the job as {@link FraudJob} submits it (scoring in the JVM, so the test is about the
 * topics, not about starting Python). A consumer reading {@code read_committed}, as docs/DEPLOY.md
 * tells downstream systems to, must see each input exactly once, as a decision or a dead letter,
 * also when a member is killed mid-stream and the job restarts from its snapshot.
 */
class DecisionTopicIntegrationTest {

    private static final String INPUT = "decision-it";
    private static final int CARDS = 50;
    private static final int PER_PHASE = 2_000;
    private static final int MALFORMED_PER_PHASE = 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Test
    void shouldWriteEachDecisionAndDeadLetterOnceEvenWhenAMemberIsKilledMidStream() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                     "decision-it-" + ProcessHandle.current().pid(), 3, 5931)) {
            // Given: the input topic (the submit creates the output topics), and the reference data
            kafka.createTopic(INPUT, 6);
            HazelcastInstance hz = cluster.member();
            loadReferenceData(hz);
            kafka.send(INPUT, phase(0));

            // When: the job runs, snapshots, loses a member mid-stream, and reads the rest
            JobSettings settings = JobSettings.from(new String[]{"--kafka-bootstrap-servers", kafka.bootstrapServers(),
                    "--kafka-topic", INPUT, "--scorer", "java", "--kafka-source-parallelism", "2",
                    "--snapshot-interval-ms", "1000"}, Map.of());
            Job job = FraudJob.deploy(hz, settings);
            assertThat(partitions(kafka, topics())).as("output topics made at submit, partitioned as the input")
                    .isEqualTo(Map.of(Names.DECISIONS_TOPIC, 6, Names.DEAD_LETTERS_TOPIC, 6));
            Properties client = new Properties();
            client.setProperty("bootstrap.servers", kafka.bootstrapServers());
            long firstPhase = PER_PHASE + MALFORMED_PER_PHASE;
            TopicCheck.Tally beforeKill = TopicCheck.read(client, topics(), firstPhase, TIMEOUT);
            assertThat(beforeKill.problems(firstPhase)).as("before the kill").isEmpty();
            kafka.send(INPUT, phase(1));
            cluster.kill(2);

            // Then: each of the inputs once, as a read_committed consumer sees them
            long all = 2 * firstPhase;
            TopicCheck.Tally committed = TopicCheck.read(client, topics(), all, TIMEOUT);
            TopicCheck.Tally uncommitted = TopicCheck.read(client, topics(), all, Duration.ofSeconds(30),
                    IsolationLevel.READ_UNCOMMITTED);
            System.out.printf("read_committed: %s%nread_uncommitted: %s%njob %s on %d members%n",
                    committed.describe(), uncommitted.describe(), job.getStatus(), hz.getCluster().getMembers().size());
            assertThat(committed.problems(all)).isEmpty();
            assertThat(committed.byDecision()).containsEntry("dead letter: MALFORMED_JSON", 2L * MALFORMED_PER_PHASE);
            assertThat(committed.distinctTransactionIds()).isEqualTo(2L * PER_PHASE);
            assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
        }
    }

    private static Map<String, Integer> partitions(TestBroker kafka, List<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<String, Integer> partitions = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get()
                    .forEach((topic, description) -> partitions.put(topic, description.partitions().size()));
            return partitions;
        }
    }

    private static List<String> topics() {
        return List.of(Names.DECISIONS_TOPIC, Names.DEAD_LETTERS_TOPIC);
    }

    /** Valid transactions of the phase's ids, with a malformed message after every hundredth. */
    private static List<Map.Entry<String, String>> phase(int phase) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        long start = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
        for (int i = 0; i < PER_PHASE; i++) {
            int n = phase * PER_PHASE + i;
            String card = card(n % CARDS);
            records.add(entry(card, Json.toJson(new KafkaTransaction("D-" + n, card, merchant(n % 10),
                    1 + n % 300, start + n * 1000L, 40.0, -90.0))));
            if (i % 100 == 99) {
                records.add(entry(card, "{\"transaction_id\": \"broken-" + n + "\", oops"));
            }
        }
        return records;
    }

    private static String card(int i) {
        return "4" + (600_000_000_000_000L + i);
    }

    private static String merchant(int i) {
        return String.format("M%05d", i);
    }

    private static void loadReferenceData(HazelcastInstance hz) {
        Map<String, Customer> customers = new HashMap<>();
        for (int i = 0; i < CARDS; i++) {
            String token = CardTokens.configured().token(card(i));
            customers.put(token, new Customer(token, "Ada", "Lovelace", "F", LocalDate.of(1980, 4, 2), "Engineer",
                    "1 Main St", "Springfield", "IL", "62701", 39.8, -89.6, 116_250, "urban"));
        }
        hz.getMap(Names.CUSTOMERS_MAP).putAll(customers);
        Map<String, Merchant> merchants = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            merchants.put(merchant(i), new Merchant(merchant(i), "Shop " + i, "grocery_pos", 39.0, -90.0));
        }
        hz.getMap(Names.MERCHANTS_MAP).putAll(merchants);
    }
}
