package org.example.tools;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionProducerTest {

    private static final BooleanSupplier NEVER = () -> false;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private static String transaction(int i) {
        return ("{\"transaction_id\": \"T%012d\", \"cc_num\": \"40000000000000%02d\", \"merchant_code\": \"M00017\","
                + " \"amount\": 42.5, \"event_time_ms\": 1767225600000, \"latitude\": 40.71, \"longitude\": -74.01}")
                .formatted(i, i % 7);
    }

    private Path transactions(int n) throws IOException {
        List<String> lines = IntStream.rangeClosed(1, n).mapToObj(TransactionProducerTest::transaction).toList();
        return Files.write(dir.resolve("transactions.jsonl"), lines);
    }

    private TransactionProducer producer() {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        return new TransactionProducer(props, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    /** Acknowledges every send, except those whose line number is listed, which fail. */
    private static final class FailingSends extends MockProducer<String, String> {
        private final List<Integer> failingLines;
        private int sends;

        FailingSends(Integer... failingLines) {
            super(true, new StringSerializer(), new StringSerializer());
            this.failingLines = List.of(failingLines);
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
            sends++;
            if (failingLines.contains(sends)) {
                TimeoutException error = new TimeoutException("Expiring 1 record(s): 120000 ms has passed");
                callback.onCompletion(null, error);
                return CompletableFuture.failedFuture(error);
            }
            return super.send(record, callback);
        }
    }

    @Test
    void shouldSendEachLineAsItIsKeyedByItsCard() throws IOException {
        Path file = transactions(3);
        MockProducer<String, String> kafka = new MockProducer<>(true, new StringSerializer(), new StringSerializer());

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 0, 3, 0, NEVER);

        assertThat(kafka.history()).extracting(ProducerRecord::value).containsExactlyElementsOf(Files.readAllLines(file));
        assertThat(kafka.history()).extracting(ProducerRecord::key)
                .containsExactly("4000000000000001", "4000000000000002", "4000000000000003");
        assertThat(kafka.history()).extracting(ProducerRecord::topic).containsOnly("transactions");
        assertThat(summary.sent()).isEqualTo(3);
        assertThat(summary.lost()).isZero();
    }

    @Test
    void shouldSendOnlyTheFirstCountLines() throws IOException {
        Path file = transactions(10);
        MockProducer<String, String> kafka = new MockProducer<>(true, new StringSerializer(), new StringSerializer());

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 4, 4, 0, NEVER);

        assertThat(kafka.history()).hasSize(4);
        assertThat(summary.planned()).isEqualTo(4);
    }

    @Test
    void shouldCountEveryUnacknowledgedRecordAsLostAndStopSending() throws IOException {
        Path file = transactions(10);
        FailingSends kafka = new FailingSends(3);

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 0, 10, 0, NEVER);

        // Two acknowledged, the third failed, the other seven never sent.
        assertThat(summary.sent()).isEqualTo(2);
        assertThat(summary.lost()).isEqualTo(8);
        assertThat(summary.firstError()).startsWith("line 3: ").contains("Expiring 1 record(s)");
        assertThat(summary.describe()).contains("Sent 2 of 10").contains("LOST 8 of 10");
        assertThatThrownBy(summary::requireNothingLost).hasMessageContaining("LOST 8 of 10");
    }

    @Test
    void shouldCountRecordsAsLostWhenSendItselfThrows() throws IOException {
        Path file = transactions(5);
        MockProducer<String, String> kafka = new MockProducer<>(true, new StringSerializer(), new StringSerializer());
        kafka.sendException = new TimeoutException("Topic transactions not present in metadata after 60000 ms.");

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 0, 5, 0, NEVER);

        assertThat(summary.lost()).isEqualTo(5);
        assertThat(summary.firstError()).contains("not present in metadata");
    }

    @Test
    void shouldSendTheFirstLinesOnlyUntilAskedToStop() throws IOException {
        Path file = transactions(10);
        MockProducer<String, String> kafka = new MockProducer<>(true, new StringSerializer(), new StringSerializer());

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 0, 10, 0,
                () -> kafka.history().size() == 4);

        assertThat(kafka.history()).extracting(ProducerRecord::value)
                .containsExactlyElementsOf(Files.readAllLines(file).subList(0, 4));
        assertThat(summary.describe()).startsWith("Sent 4 of 4 transactions");
        assertThat(summary.lost()).isZero();
    }

    @Test
    void shouldKeepToTheRate() throws IOException {
        Path file = transactions(11);
        MockProducer<String, String> kafka = new MockProducer<>(true, new StringSerializer(), new StringSerializer());

        TransactionProducer.Summary summary = producer().send(kafka, file, "transactions", 0, 11, 50, NEVER);

        // The 11th record is due 10 / 50 s = 200 ms after the first.
        assertThat(summary.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(summary.sent()).isEqualTo(11);
    }

    @Test
    void shouldSendNothingWhenAnyLineLacksItsCard() throws IOException {
        Path file = transactions(3);
        Files.writeString(file, "{\"transaction_id\": \"T9\", \"amount\": 1.0}\n", java.nio.file.StandardOpenOption.APPEND);

        // Nothing listens on 127.0.0.1:1: getting past the check would fail differently.
        assertThatThrownBy(() -> producer().produce(file, "transactions", 0, 0))
                .isInstanceOf(JsonLines.BadLineException.class)
                .hasMessage(file + ":4: cc_num is missing, blank or not a string");
    }

    @Test
    void shouldRejectLinesThatAreNotJsonObjectsWithAStringCard() {
        Path file = Path.of("transactions.jsonl");

        assertThat(TransactionProducer.keyOf(transaction(5), file, 1)).isEqualTo("4000000000000005");
        assertThatThrownBy(() -> TransactionProducer.keyOf("not json", file, 7))
                .hasMessageStartingWith("transactions.jsonl:7: not JSON");
        assertThatThrownBy(() -> TransactionProducer.keyOf("[1, 2]", file, 8))
                .hasMessage("transactions.jsonl:8: not a JSON object");
        assertThatThrownBy(() -> TransactionProducer.keyOf("{\"cc_num\": 4000000000000005}", file, 9))
                .hasMessage("transactions.jsonl:9: cc_num is missing, blank or not a string");
    }

    @Test
    void shouldEnforceTheDeliverySettingsOverTheCallersAndSayWhy() {
        Properties given = new Properties();
        given.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
        given.setProperty(ProducerConfig.ACKS_CONFIG, "1");
        given.setProperty("security.protocol", "SASL_SSL");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Properties props = TransactionProducer.producerProperties(given, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("acks=1 overridden with all");
    }

    @Test
    void shouldTakeBootstrapServersFromTheFlagThenTheFileThenTheDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=kafka.example.com:9093\nsasl.mechanism=PLAIN\n");

        assertThat(TransactionProducer.clientProperties("", ""))
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        assertThat(TransactionProducer.clientProperties("", file.toString()))
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka.example.com:9093")
                .containsEntry("sasl.mechanism", "PLAIN");
        assertThat(TransactionProducer.clientProperties("127.0.0.1:9092", file.toString()))
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    }

    @Test
    void shouldExitWithUsageOnABadRate() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = TransactionProducer.run(new String[] {"--rate", "-5"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("Invalid value for option '--rate': must be a finite number of at least 0, not -5");
    }

    @Test
    void shouldFailWithoutTouchingKafkaWhenTheDataSetIsMissing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = TransactionProducer.run(new String[] {"--data-dir", dir.resolve("nowhere").toString()},
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("No " + dir.resolve("nowhere").resolve("transactions.jsonl"));
    }

    @Test
    void shouldFailInOneSentenceBeforeSendingWhenKafkaCannotBeReachedWithTheSettings() throws IOException {
        transactions(3);
        // The password comes from a file that is not there: a client cannot even be made.
        Path settings = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "config.providers=file",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                "sasl.jaas.config=${file:" + dir.resolve("missing.properties") + ":sasl.jaas.config}"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = TransactionProducer.run(new String[] {"--data-dir", dir.toString(), "--kafka-bootstrap-servers",
                "127.0.0.1:1", "--kafka-properties-file", settings.toString()}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("TransactionProducer failed: The Kafka client"
                + " settings for Kafka at 127.0.0.1:1 cannot make a client (Could not read properties from file "
                + dir.resolve("missing.properties") + "): fix them in the Kafka properties file\n");
    }

    @Test
    void shouldDescribeARunThatLostNothing() {
        TransactionProducer.Summary summary =
                new TransactionProducer.Summary("transactions", 20_000, 20_000, Duration.ofSeconds(4), null);

        assertThat(summary.describe()).isEqualTo("Sent 20,000 of 20,000 transactions to 'transactions' in 4.0 s (5,000/s)");
        assertThat(summary.requireNothingLost()).isSameAs(summary);
    }

    @Test
    void shouldNotCreateAProducerWithoutBootstrapServers() {
        assertThatThrownBy(() -> new TransactionProducer(new Properties()))
                .hasMessage("bootstrap.servers is not set");
    }
}
