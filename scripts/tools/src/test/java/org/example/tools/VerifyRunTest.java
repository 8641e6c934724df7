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

    @Test
    void shouldNameEveryPredictionAppendedAfterTheChangeThatAnotherModelScored() {
        var version = new VerifyRun.ModelSince("v2", 1_000);
        var before = prediction("A", 999, "v1");
        var afterRight = prediction("B", 1_000, "v2");
        var afterWrong = prediction("C", 1_500, "v1");

        assertThat(version.breakers(java.util.List.of(before, afterRight, afterWrong))).containsExactly("C: v1");
        assertThat(new VerifyRun.ModelSince("", 0).breakers(java.util.List.of(afterWrong))).isEmpty();
        assertThat(new VerifyRun.ModelSince("v2", 2_000).breakers(java.util.List.of(before, afterRight)))
                .containsExactly("(no prediction appended since 2000 to check)");
    }

    private static org.example.records.FraudPrediction prediction(String id, long appendTimeMs, String version) {
        return org.example.TestData.prediction(id).appendedAt(appendTimeMs).version(version).build();
    }
}
