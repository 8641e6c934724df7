package org.example;

import org.example.definition.Names;
import com.hazelcast.jet.config.ProcessingGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSettingsTest {

    @Test
    void shouldDefaultToExactlyOnceAndTenPythonProcessesPerMember() {
        JobSettings settings = JobSettings.defaults();

        assertThat(settings.processingGuarantee()).isEqualTo(ProcessingGuarantee.EXACTLY_ONCE);
        assertThat(settings.pythonParallelism()).isEqualTo(10);
        assertThat(settings.kafkaTopic()).isEqualTo(Names.TRANSACTIONS_TOPIC);
        assertThat(settings.ifRunning()).isEqualTo(JobSettings.IfRunning.KEEP);
    }

    @Test
    void shouldPreferTheFlagOverTheEnvironmentOverTheDefault() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092", "PYTHON_PARALLELISM", "4");

        JobSettings settings = JobSettings.from(new String[]{"--python-parallelism", "2"}, env);

        assertThat(settings.pythonParallelism()).isEqualTo(2);
        assertThat(settings.kafkaBootstrapServers()).isEqualTo("env:9092");
        assertThat(settings.snapshotIntervalMs()).isEqualTo(10_000);
    }

    @Test
    void shouldScoreInPythonUnlessJavaIsAskedFor() {
        assertThat(JobSettings.defaults().scorer()).isEqualTo(JobSettings.ScorerKind.PYTHON);
        assertThat(JobSettings.from(new String[]{"--scorer", "java"}, Map.of()).scorer())
                .isEqualTo(JobSettings.ScorerKind.JAVA);
        assertThat(JobSettings.from(new String[0], Map.of("SCORER", "JAVA")).scorer())
                .isEqualTo(JobSettings.ScorerKind.JAVA);
        assertThatThrownBy(() -> JobSettings.from(new String[]{"--scorer", "onnx"}, Map.of()))
                .hasMessageContaining("Invalid value 'onnx' for --scorer / SCORER");
    }

    @Test
    void shouldAcceptFlagEqualsValue() {
        JobSettings settings = JobSettings.from(new String[]{"--if-running=replace"}, Map.of());

        assertThat(settings.ifRunning()).isEqualTo(JobSettings.IfRunning.REPLACE);
    }

    @Test
    void shouldReadExtraKafkaPropertiesFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), "security.protocol=SASL_SSL\n");

        JobSettings settings = JobSettings.from(new String[0], Map.of("KAFKA_PROPERTIES_FILE", file.toString()));

        assertThat(settings.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void shouldNameTheOptionOfAnInvalidValue() {
        assertThatThrownBy(() -> JobSettings.from(new String[]{"--processing-guarantee", "twice"}, Map.of()))
                .hasMessageContaining("Invalid value 'twice' for --processing-guarantee / PROCESSING_GUARANTEE");
        assertThatThrownBy(() -> JobSettings.from(new String[]{"--python-parallelism", "0"}, Map.of()))
                .hasMessageStartingWith("--python-parallelism must be at least 1, not 0 (PYTHON_PARALLELISM)");
    }

    @Test
    void shouldRejectAnUnknownFlag() {
        assertThatThrownBy(() -> JobSettings.from(new String[]{"--kafka-servers", "x"}, Map.of()))
                .hasMessageStartingWith("Unknown options: '--kafka-servers', 'x'")
                .hasMessageContaining("--kafka-bootstrap-servers=<value>");
    }

    @Test
    void shouldTakeEitherHelpFlagAsARequestForHelp() {
        // Main prints the options and submits nothing when asked for help.
        assertThat(JobCommandLine.parse(new String[]{"-h"}, Map.of()).helpRequested()).isTrue();
        assertThat(JobCommandLine.parse(new String[]{"--python-parallelism", "2", "--help"}, Map.of()).helpRequested())
                .isTrue();
        assertThat(JobCommandLine.parse(new String[]{"--python-parallelism", "2"}, Map.of()).helpRequested()).isFalse();
    }

    @Test
    void shouldListEveryOptionWithItsVariableAndDefaultInTheHelp() {
        String usage = JobCommandLine.parse(new String[]{"--help"}, Map.of()).usage();

        for (JobSettings.Option option : JobSettings.Option.values()) {
            assertThat(usage).contains("--" + option.flagName() + "=<value>", option.envVar());
        }
    }

    @Test
    void shouldSayWhichOptionLacksItsValue() {
        assertThatThrownBy(() -> JobSettings.from(new String[]{"--job-name"}, Map.of()))
                .hasMessageStartingWith("Missing required parameter for option '--job-name'");
    }
}
