package org.example.tools;

import org.example.tools.netns.LabCluster;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the drills' shared options turn into: the run's {@link LabRun.Options} and the lab cluster's settings. */
class LabRunOptionsTest {

    private static final Path ROOT = Path.of("/checkout");
    /** Where the tests' variables could come from; unset in the fresh JVMs, so the defaults show. */
    private static final List<String> VARIABLES = List.of("LAB_PREFIX", "LAB_SUBNET", "LAB_MEMBERS", "PYTHON_VENV",
            "MEMBER_JVM_OPTS", "PROCESS_MARKER", "MEMBER_HEAP", "KAFKA_HEAP");

    @Command(name = "Drill")
    static final class Drill {
        @Mixin
        LabRunOptions lab;

        @Spec
        CommandSpec spec;
    }

    private static Drill parse(String... args) {
        Drill drill = new Drill();
        new CommandLine(drill).parseArgs(args);
        return drill;
    }

    @Test
    void shouldStartTheRunAsScriptsLibLabShWritesIt() {
        // Given the command line lab_run builds: the marker and the member options attached with '='
        Drill drill = parse("--process-marker=-Dfraud.home=/checkout", "--member-jvm-opts=-XX:+UseG1GC  -Xss1m",
                "--data-dir", "python/data/soak", "--run-dir", ".run/fault-soak", "--scorer", "PYTHON",
                "--python-parallelism", "1", "--member-heap", "2g", "--kafka-heap", "256m", "--python-venv", "/opt/venv");

        // When
        LabRun.Options options = drill.lab.options(drill.spec, ROOT);
        LabCluster.Settings settings = drill.lab.clusterSettings(drill.spec, ROOT, drill.lab.runDir(ROOT));

        // Then
        assertThat(options).isEqualTo(new LabRun.Options(ROOT, ROOT.resolve("python/data/soak"),
                ROOT.resolve("python/data/soak/expected-features.csv"), 1500, Duration.ofSeconds(5), "python", 1));
        assertThat(settings).isEqualTo(new LabCluster.Settings(ROOT, ROOT.resolve(".run/fault-soak"), Path.of("/opt/venv"),
                List.of("-XX:+UseG1GC", "-Xss1m"), "-Dfraud.home=/checkout", "2g", "256m"));
    }

    @Test
    void shouldTakeTheExpectedFeaturesFromTheirOwnOptionWhenGiven() {
        Drill drill = parse("--data-dir", "d", "--expected-features", "features/exact.csv", "--rate", "200",
                "--hostile-every-seconds", "0");

        LabRun.Options options = drill.lab.options(drill.spec, ROOT);

        assertThat(options.expectedFeatures()).isEqualTo(ROOT.resolve("features/exact.csv"));
        assertThat(options.rate()).isEqualTo(200);
        assertThat(options.hostileEvery()).isZero();
        assertThat(options.scorer()).isEqualTo("java");
    }

    @Test
    void shouldRefuseToStartMembersWithoutTheProcessMarker() {
        Drill drill = parse("--process-marker=");

        assertThatThrownBy(() -> drill.lab.clusterSettings(drill.spec, ROOT, ROOT))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--process-marker (PROCESS_MARKER) is required: scripts/partition-test.sh sets it");
    }

    @Test
    void shouldRefuseARateBelowOneTransactionPerSecond() {
        Drill drill = parse("--rate", "0.5");

        assertThatThrownBy(() -> drill.lab.options(drill.spec, ROOT))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--rate': must be at least 1.0, not 0.5");
    }

    @Test
    void shouldRefuseAScorerOtherThanJavaOrPython() {
        assertThatThrownBy(() -> parse("--scorer", "rust"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--scorer': must be java or python, not 'rust'");
    }

    @Test
    void shouldTakeTheMembersSettingsFromTheEnvironmentAndRefuseAnEmptyOneAtOnce() throws Exception {
        FreshJvm.Result help = FreshJvm.run(PartitionDrill.class, VARIABLES, Map.of("PROCESS_MARKER", "-Dfraud.home=/env",
                "MEMBER_HEAP", "3g", "KAFKA_HEAP", "768m", "PYTHON_VENV", "/env/venv", "LAB_MEMBERS", "5"), "--help");
        FreshJvm.Result emptyHeap = FreshJvm.run(PartitionDrill.class, VARIABLES, Map.of("MEMBER_HEAP", ""));
        FreshJvm.Result noMarker = FreshJvm.run(FaultSoak.class, VARIABLES, Map.of());

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Default: -Dfraud.home=/env", "Default: 3g", "Default: 768m", "Default: /env/venv",
                "Default: 5");
        // An empty variable would otherwise surface minutes later, as a member that does not start.
        assertThat(emptyHeap.exitCode()).isEqualTo(2);
        assertThat(emptyHeap.err()).startsWith("Invalid value for option '--member-heap': must not be empty");
        assertThat(noMarker.exitCode()).isEqualTo(2);
        assertThat(noMarker.err()).startsWith("--process-marker (PROCESS_MARKER) is required");
    }
}
