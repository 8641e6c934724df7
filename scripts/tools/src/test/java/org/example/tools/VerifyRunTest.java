package org.example.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks against a running cluster are exercised by scripts/e2e-test.sh; these need none. */
class VerifyRunTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VerifyRun.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseToTimeTheFirstPredictionWithoutTheSubmitTime() {
        assertThat(run("--first-only")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--first-only needs --submitted-at-ms");
    }

    @Test
    void shouldRefuseToCheckARunWithoutTheNumberOfInputs() {
        assertThat(run("--labels", "labels.csv")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("--expected is required");
    }

    @Test
    void shouldListTheFirstOnlySwitchInItsHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--first-only", "--since-ms", "--expected");
    }

    @Test
    void shouldReadTheLabelsBeforeConnectingAndWaiting() {
        // No cluster runs here: a wrong path must fail at once, not after connecting and waiting.
        assertThat(run("--expected", "5", "--labels", "/nonexistent/labels.csv")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Cannot read labels /nonexistent/labels.csv");
    }
}
