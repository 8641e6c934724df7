package org.example;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.example.records.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.prediction;

class OutputTopicsTest {

    @Test
    void shouldWriteDecisionsAndDeadLettersToTheirTopicsByDefault() {
        JobSettings settings = JobSettings.defaults();

        assertThat(settings.decisionsTopic()).isEqualTo("fraud-decisions");
        assertThat(settings.deadLettersTopic()).isEqualTo("fraud-dead-letters");
        assertThat(OutputTopics.decisionSinks(settings)).hasSize(1);
        assertThat(OutputTopics.deadLetterSinks(settings)).hasSize(1);
    }

    @Test
    void shouldWriteToNoTopicWhenItsNameIsEmpty() {
        JobSettings settings = JobSettings.from(new String[]{"--decisions-topic=", "--dead-letters-topic="}, Map.of());

        assertThat(OutputTopics.decisionSinks(settings)).isEmpty();
        assertThat(OutputTopics.deadLetterSinks(settings)).isEmpty();
    }

    @Test
    void shouldTakeTheTopicsFromTheEnvironment() {
        JobSettings settings = JobSettings.from(new String[0],
                Map.of("DECISIONS_TOPIC", "risk.decisions", "DEAD_LETTERS_TOPIC", "risk.dlq"));

        assertThat(settings.decisionsTopic()).isEqualTo("risk.decisions");
        assertThat(settings.deadLettersTopic()).isEqualTo("risk.dlq");
    }

    @Test
    void shouldGiveTheProducersTheJobsKafkaSettingsAndALongTransactionTimeout(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"),
                "security.protocol=SASL_SSL\nbootstrap.servers=ignored:1\n");
        JobSettings settings = JobSettings.from(new String[]{"--kafka-bootstrap-servers", "broker:9093",
                "--kafka-properties-file", file.toString()}, Map.of());

        Properties props = OutputTopics.producerProperties(settings);

        assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(props.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9093");
        assertThat(props.getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)).isEqualTo("900000");
        assertThat(props).doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        // Records wait for the commit anyway: batch them instead of a request every few records.
        assertThat(props.getProperty(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("50");
        assertThat(props.getProperty(ProducerConfig.BATCH_SIZE_CONFIG)).isEqualTo("262144");
    }

    @Test
    void shouldLetTheKafkaPropertiesFileOverrideOurProducerDefaults(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), "transaction.timeout.ms=120000\nlinger.ms=0\n");

        Properties props = OutputTopics.producerProperties(
                JobSettings.from(new String[]{"--kafka-properties-file", file.toString()}, Map.of()));

        assertThat(props.getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)).isEqualTo("120000");
        assertThat(props.getProperty(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("0");
    }

    @Test
    void shouldKeyEachDecisionRecordByCardToken() {
        Decision decision = Decision.of(prediction("T1").build());

        ProducerRecord<String, String> record = OutputTopics.record("fraud-decisions", decision);

        assertThat(record.topic()).isEqualTo("fraud-decisions");
        assertThat(record.key()).isEqualTo(decision.cardToken());
        assertThat(record.value()).contains("\"transaction_id\":\"T1\"");
    }
}
