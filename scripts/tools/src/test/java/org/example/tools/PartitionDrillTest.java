package org.example.tools;

import org.example.tools.netns.MinorityProbe;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PartitionDrill's command line, and its rule for the job statuses the cut-off side gives. Every
 * command-line case ends in a usage error before any work: the drill itself needs root and the
 * network lab (scripts/partition-test.sh, about 4 minutes a scenario). The marker is given empty
 * where the case is about something else, so that a mistake in the test fails on it instead of
 * starting a drill.
 */
class PartitionDrillTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PartitionDrill.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static final long ALONE = 100_000;

    private static List<MinorityProbe.Sample> statuses(String... perSecond) {
        List<MinorityProbe.Sample> samples = new ArrayList<>();
        for (int i = 0; i < perSecond.length; i++) {
            samples.add(new MinorityProbe.Sample(ALONE - 2_000 + i * 1_000L, 1, perSecond[i], 0));
        }
        return samples;
    }

    @Test
    void shouldLetTheCutOffMasterSayRunningUntilItFirstRefusesARestart() {
        // Samples at alone -2 s, -1 s, 0, +1 s, +2 s, +3 s; the restart refused at +2.5 s.
        var samples = statuses("RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "NOT_RUNNING");

        assertThat(PartitionDrill.minorityRunning(samples, ALONE, OptionalLong.of(ALONE + 2_500))).isEmpty();
    }

    @Test
    void shouldFailARunningAnswerAfterTheRefusedRestart() {
        var samples = statuses("RUNNING", "RUNNING", "NOT_RUNNING", "NOT_RUNNING", "RUNNING");

        assertThat(PartitionDrill.minorityRunning(samples, ALONE, OptionalLong.of(ALONE + 500)))
                .contains("the job was RUNNING on the cut-off side 1.5 s after it had refused to restart it for want of a quorum");
    }

    @Test
    void shouldFailARunningAnswerOnceAloneWhenNoRestartWasEverRefused() {
        var samples = statuses("NOT_RUNNING", "NOT_RUNNING", "NOT_RUNNING", "RUNNING");

        assertThat(PartitionDrill.minorityRunning(samples, ALONE, OptionalLong.empty())).contains(
                "the job was RUNNING on the cut-off side once it was alone (1 answers) and it never refused a restart for want of a quorum");
        assertThat(PartitionDrill.minorityRunning(statuses("RUNNING", "RUNNING", "NOT_RUNNING"), ALONE, OptionalLong.empty()))
                .as("RUNNING before it was alone is the job at work").isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownScenarioNamingTheKnownOnes() {
        assertThat(run("--scenarios", "isolate-master, isolate-everyone", "--process-marker=")).isEqualTo(2);

        assertThat(err()).startsWith("unknown scenario 'isolate-everyone'; known: "
                + "[isolate-member, isolate-master, broker-unreachable]").contains("Usage: PartitionDrill");
    }

    @Test
    void shouldRefuseACutTooShortToWatch() {
        assertThat(run("--cut-seconds", "5", "--process-marker=")).isEqualTo(2);
        assertThat(run("--recovery-timeout-seconds", "10", "--process-marker=")).isEqualTo(2);

        assertThat(err()).contains("Invalid value for option '--cut-seconds': must be at least 10, not 5",
                "Invalid value for option '--recovery-timeout-seconds': must be at least 30, not 10");
    }

    @Test
    void shouldRefuseTheLabsOptionsLikeLabDoes() {
        assertThat(run("--lab-members", "10", "--process-marker=")).isEqualTo(2);

        assertThat(err()).startsWith("a lab has 1 to 9 members, not 10");
    }

    @Test
    void shouldRefuseToStartWithoutTheProcessMarkerTheScriptPasses() {
        assertThat(run("--scenarios", "isolate-member", "--process-marker=")).isEqualTo(2);

        assertThat(err()).startsWith("--process-marker (PROCESS_MARKER) is required: scripts/partition-test.sh sets it");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("isolate-member ====");
    }

    @Test
    void shouldRefuseAnUnknownOption() {
        assertThat(run("--scenario", "isolate-member")).isEqualTo(2);

        assertThat(err()).startsWith("Unknown options: '--scenario', 'isolate-member'")
                .contains("Possible solutions: --scorer, --scenarios");
    }

    @Test
    void shouldListItsOwnTheLabRunsAndTheLabsOptionsInItsHelp() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: PartitionDrill", "--scenarios",
                "Default: isolate-member,isolate-master,broker-unreachable", "--cut-seconds", "--settle-seconds",
                "--recovery-timeout-seconds", "--data-dir", "--scorer", "--rate", "--process-marker",
                "--member-jvm-opts", "--lab-prefix", "(env LAB_PREFIX)", "--lab-members");
    }
}
