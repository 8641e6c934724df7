package org.example.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FaultSoak's command line. Every case ends in a usage error before any work: the soak itself
 * needs root, the network lab and an hour (scripts/fault-soak.sh). The marker is given empty where
 * the case is about something else, so that a mistake in the test fails on it instead of starting a soak.
 */
class FaultSoakTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return FaultSoak.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseAnUnknownFaultNamingTheKnownOnes() {
        assertThat(run("--faults", "kill-member,flood-disk", "--process-marker=")).isEqualTo(2);

        assertThat(err()).startsWith("unknown fault 'flood-disk'; known: "
                + "[kill-member, sigterm-member, kill-broker, kill-python, isolate-member]").contains("Usage: FaultSoak");
    }

    @Test
    void shouldRefuseFaultsCloserThanThirtySecondsApartOrCutsUnderFive() {
        assertThat(run("--fault-every-seconds", "10", "--process-marker=")).isEqualTo(2);
        assertThat(run("--cut-seconds", "4", "--process-marker=")).isEqualTo(2);

        assertThat(err()).contains("Invalid value for option '--fault-every-seconds': must be at least 30, not 10",
                "Invalid value for option '--cut-seconds': must be at least 5, not 4");
    }

    @Test
    void shouldRefuseANegativeHeapGrowthLimitAndNoMinutes() {
        assertThat(run("--heap-growth-limit", "-0.1")).isEqualTo(2);
        assertThat(run("--minutes", "0")).isEqualTo(2);

        assertThat(err()).contains(
                "Invalid value for option '--heap-growth-limit': must be a finite number of at least 0, not -0.1",
                "Invalid value for option '--minutes': must be at least 1, not 0");
    }

    @Test
    void shouldRefuseToStartWithoutTheProcessMarkerTheScriptPasses() {
        assertThat(run("--minutes", "20", "--fault-every-seconds", "120", "--process-marker=")).isEqualTo(2);

        assertThat(err()).startsWith("--process-marker (PROCESS_MARKER) is required");
    }

    @Test
    void shouldListItsOwnTheLabRunsAndTheLabsOptionsInItsHelp() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: FaultSoak", "--minutes", "Default: 60",
                "--fault-every-seconds", "--faults", "Default: kill-member,sigterm-member",
                "--down-seconds", "--heap-growth-limit", "--scorer", "--python-parallelism", "--member-heap",
                "(env MEMBER_HEAP)", "--lab-subnet");
    }
}
