package org.example.tools;

import org.example.TestData;
import org.example.records.FraudPrediction;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scenarios themselves need the local cluster (scripts/benchmark.sh); their options do not. */
class BenchmarkTest {

    @Test
    void shouldReadTheOfferedRates() {
        Benchmark.Program options = new Benchmark.Program();

        new CommandLine(options).parseArgs("--rates", "1000, 5000,20000");

        assertThat(options.rates).containsExactly(1000, 5000, 20000);
    }

    @Test
    void shouldRefuseARateThatIsNotAPositiveWholeNumber() {
        assertThat(usageErrorOf("--rates", "1000,5k")).contains("must be a whole number, not '5k'");
        assertThat(usageErrorOf("--rates", "0")).contains("must be at least 1, not 0");
    }

    @Test
    void shouldTellTheScorerFromTheJobArguments() {
        assertThat(Benchmark.scorerOf("")).isEqualTo("python");
        assertThat(Benchmark.scorerOf("--scorer JAVA --python-batch-size 64")).isEqualTo("java");
        assertThat(Benchmark.scorerOf("--scorer=JAVA")).isEqualTo("java");
    }

    @Test
    void shouldTakeJobArgumentsThatLookLikeOptionsAsOneValue() {
        // As scripts/benchmark.sh passes them.
        Benchmark.Program options = new Benchmark.Program();

        new CommandLine(options).parseArgs("--job-args=--scorer=JAVA --processing-guarantee=NONE");

        assertThat(options.jobArgs).isEqualTo("--scorer=JAVA --processing-guarantee=NONE");
        assertThat(options.scorer()).isEqualTo("java");
    }

    @Test
    void shouldCountThePredictionsOfEachBand() {
        List<FraudPrediction> predictions = List.of(
                TestData.prediction("A1").build(), TestData.prediction("A2").build(), TestData.prediction("A3").build(),
                TestData.prediction("R1").band("REVIEW").build(), TestData.prediction("D1").flagged(true).build());

        assertThat(Benchmark.bands(predictions)).isEqualTo("APPROVE 3 (60.00 %), DECLINE 1 (20.00 %), REVIEW 1 (20.00 %)");
    }

    private static String usageErrorOf(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Benchmark.run(args, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as("exit code of a usage error").isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }
}
