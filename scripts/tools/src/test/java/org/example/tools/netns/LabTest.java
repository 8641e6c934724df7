package org.example.tools.netns;

import org.example.tools.FreshJvm;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lab's command line. Every case here ends before the lab is touched (building it needs root and
 * {@code ip netns}; scripts/partition-test.sh does that).
 */
class LabTest {

    private static final List<String> LAB_VARIABLES = List.of("LAB_PREFIX", "LAB_SUBNET", "LAB_MEMBERS");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Lab.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseACommandLineWithoutUpOrDown() {
        assertThat(run("--lab-members", "3")).isEqualTo(2);

        assertThat(err()).startsWith("Missing required parameter: 'up|down'").contains("Usage: Lab");
    }

    @Test
    void shouldRefuseAnActionOtherThanUpOrDown() {
        assertThat(run("sideways")).isEqualTo(2);

        assertThat(err()).startsWith("Invalid value for positional parameter at index 0 (up|down): expected one of [up, down]");
    }

    @Test
    void shouldRefuseALabWithoutMembersNamingTheOption() {
        assertThat(run("up", "--lab-members", "0")).isEqualTo(2);

        assertThat(err()).startsWith("Invalid value for option '--lab-members': must be at least 1, not 0");
    }

    @Test
    void shouldRefuseAPrefixNoNamespaceCanCarryBeforeBuildingAnything() {
        assertThat(run("up", "--lab-prefix", "Lab_1")).isEqualTo(2);

        assertThat(err()).startsWith("lab prefix must be 1-12 of [a-z0-9-], not 'Lab_1'").contains("Usage: Lab");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Lab up");
    }

    @Test
    void shouldTakeTheOptionsAfterOrBeforeTheActionAsTheScriptsWriteThem() {
        // scripts/lib/lab.sh calls "Lab down" with the lab's variables; a bad subnet stops both orders alike.
        assertThat(run("down", "--lab-subnet", "10.250")).isEqualTo(2);
        assertThat(run("--lab-subnet=10.250", "down")).isEqualTo(2);

        assertThat(err()).contains("lab subnet must be the first three octets, e.g. 10.250.0, not '10.250'")
                .doesNotContain("Unmatched", "Unknown option");
    }

    @Test
    void shouldListTheLabOptionsAndTheirVariablesInItsHelp() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: Lab", "up|down", "--lab-prefix", "(env LAB_PREFIX)",
                "--lab-subnet", "(env LAB_SUBNET)", "--lab-members", "(env LAB_MEMBERS)", "Default: 3", "--help");
    }

    @Test
    void shouldTakeTheLabFromTheEnvironmentWhenNoFlagNamesIt() throws Exception {
        FreshJvm.Result help = FreshJvm.run(Lab.class, LAB_VARIABLES,
                Map.of("LAB_PREFIX", "fd-envt-", "LAB_SUBNET", "10.251.7"), "--help");
        FreshJvm.Result noMembers = FreshJvm.run(Lab.class, LAB_VARIABLES, Map.of("LAB_MEMBERS", "0"), "up");
        FreshJvm.Result flagWins = FreshJvm.run(Lab.class, LAB_VARIABLES, Map.of("LAB_MEMBERS", "0"),
                "up", "--lab-members", "3", "--lab-prefix", "NOT_A_PREFIX");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Default: fd-envt-", "Default: 10.251.7");
        assertThat(noMembers.exitCode()).isEqualTo(2);
        assertThat(noMembers.err()).startsWith("Invalid value for option '--lab-members': must be at least 1, not 0");
        // The flag over the variable: the members pass, and the (bad) prefix is what stops it, still before any work.
        assertThat(flagWins.exitCode()).isEqualTo(2);
        assertThat(flagWins.err()).startsWith("lab prefix must be 1-12 of [a-z0-9-], not 'NOT_A_PREFIX'");
    }
}
