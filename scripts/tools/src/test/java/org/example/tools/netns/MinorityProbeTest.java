package org.example.tools.netns;

import org.example.tools.FreshJvm;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** MinorityProbe's command line; sampling a split is exercised by scripts/partition-test.sh. */
class MinorityProbeTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return MinorityProbe.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseToSampleWithoutTheMemberAndTheOutputFiles() {
        assertThat(run("--since-ms", "1700000000000")).isEqualTo(2);

        assertThat(err()).startsWith("Missing required options: '--address=<address>', '--out=<outPrefix>'")
                .contains("Usage: MinorityProbe");
    }

    @Test
    void shouldRefuseNoTimeToSampleNamingTheOption() {
        assertThat(run("--address", "10.250.0.2:5701", "--out", "probe", "--seconds", "0")).isEqualTo(2);

        assertThat(err()).startsWith("Invalid value for option '--seconds': must be at least 1, not 0");
    }

    @Test
    void shouldRefuseACutTimeThatIsNotANumber() {
        assertThat(run("--address", "10.250.0.2:5701", "--out", "probe", "--since-ms", "now")).isEqualTo(2);

        assertThat(err()).startsWith("Invalid value for option '--since-ms': must be a whole number, not 'now'");
    }

    @Test
    void shouldListItsOptionsAndTheirVariablesInItsHelp() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: MinorityProbe", "--address", "--since-ms",
                "--seconds", "Default: 50", "--out", "--cluster-name", "(env HZ_CLUSTER_NAME)", "--job-name", "(env JOB_NAME)");
    }

    @Test
    void shouldTakeTheClusterAndTheJobFromTheEnvironment() throws Exception {
        FreshJvm.Result help = FreshJvm.run(MinorityProbe.class, List.of("HZ_CLUSTER_NAME", "JOB_NAME"),
                Map.of("HZ_CLUSTER_NAME", "lab-cluster", "JOB_NAME", "lab-job"), "--help");
        FreshJvm.Result unset = FreshJvm.run(MinorityProbe.class, List.of("HZ_CLUSTER_NAME", "JOB_NAME"), Map.of(), "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Default: lab-cluster", "Default: lab-job");
        assertThat(unset.out()).contains("Default: fraud-detection").doesNotContain("lab-cluster", "lab-job");
    }
}
