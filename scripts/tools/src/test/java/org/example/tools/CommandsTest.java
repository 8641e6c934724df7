package org.example.tools;

import org.example.tools.netns.LabOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the programs rely on from picocli and {@link Commands}: exit codes, messages, defaults. */
class CommandsTest {

    /** A program that counts its runs and then does what the test says. */
    @Command(name = "Tool", description = "A tool of the tests.")
    static final class Tool implements Callable<Integer> {

        @Option(names = "--count", defaultValue = "1", converter = Commands.PositiveLong.class, description = "How many")
        long count;

        @Option(names = "--share", defaultValue = "0.5", converter = Commands.NonNegativeNumber.class,
                description = "A share")
        double share;

        @Option(names = "--path", defaultValue = "${env:PATH:-none}", description = "Set in every environment (env PATH)")
        String path;

        @Option(names = "--unset", defaultValue = "${env:FRAUD_DETECTION_NEVER_SET:-fallback}",
                description = "Set in none (env FRAUD_DETECTION_NEVER_SET)")
        String unset;

        @Spec
        CommandSpec spec;

        int runs;
        Callable<Integer> work = () -> 0;

        @Override
        public Integer call() throws Exception {
            runs++;
            return work.call();
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Tool tool = new Tool();

    private int run(String... args) {
        return Commands.execute(tool, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRefuseAValueOutOfRangeBeforeAnyWorkNamingTheOption() {
        assertThat(run("--count", "0")).isEqualTo(2);

        assertThat(tool.runs).isZero();
        assertThat(err()).startsWith("Invalid value for option '--count': must be at least 1, not 0\n")
                .contains("Usage: Tool");
    }

    @Test
    void shouldRefuseAValueThatIsNotANumber() {
        assertThat(run("--count", "many")).isEqualTo(2);
        assertThat(run("--share", "-0.1")).isEqualTo(2);

        assertThat(tool.runs).isZero();
        assertThat(err()).contains("Invalid value for option '--count': must be a whole number, not 'many'",
                "Invalid value for option '--share': must be a finite number of at least 0, not -0.1");
    }

    @Test
    void shouldRefuseAnUnknownOption() {
        assertThat(run("--cuont=3")).isEqualTo(2);

        assertThat(tool.runs).isZero();
        assertThat(err()).startsWith("Unknown option: '--cuont=3'");
    }

    @Test
    void shouldPrintTheUsageOnHelpAndDoNothing() {
        assertThat(run("--help")).isZero();

        assertThat(tool.runs).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: Tool", "A tool of the tests.", "--count",
                "Default: 1", "--help");
    }

    @Test
    void shouldEndAFailedRunWithOneLineNamingTheToolAndTheCause() {
        tool.work = () -> {
            throw new IllegalStateException("broker unreachable");
        };

        assertThat(run()).isEqualTo(1);
        assertThat(err()).isEqualTo("Tool failed: broker unreachable\n");
    }

    @Test
    void shouldTreatAnOptionTheWorkFindsWrongAsAUsageError() {
        tool.work = () -> {
            throw Commands.usageError(tool.spec, "--count needs --share");
        };

        assertThat(run()).isEqualTo(2);
        assertThat(err()).startsWith("--count needs --share\n");
    }

    @Test
    void shouldReturnTheWorksExitCode() {
        tool.work = () -> (int) tool.count;

        assertThat(run("--count", "3")).isEqualTo(3);
        assertThat(tool.runs).isOne();
    }

    @Test
    void shouldTakeTheEnvironmentVariableElseTheDefaultAndTheFlagOverBoth() {
        assertThat(run()).isZero();
        assertThat(tool.path).isEqualTo(System.getenv("PATH"));
        assertThat(tool.unset).isEqualTo("fallback");

        assertThat(run("--path", "/bin", "--unset=given")).isZero();
        assertThat(tool.path).isEqualTo("/bin");
        assertThat(tool.unset).isEqualTo("given");
    }

    /** Every program's command line: each option whose default comes from a variable names it in its help. */
    @Test
    void shouldNameEveryEnvironmentVariableInTheOptionsDescription() {
        List<Class<?>> commands = List.of(Benchmark.Program.class, Demo.Program.class, KafkaReady.Program.class,
                PipelineDiagram.Program.class, PredictionFill.Program.class, ReferenceDataLoader.Program.class,
                SqlBridge.Program.class, TransactionProducer.Program.class, VerifyRun.Program.class, ClusterClient.class,
                LabRunOptions.class, LabOptions.class);
        Pattern variable = Pattern.compile("\\$\\{env:([A-Z_]+)");
        int checked = 0;
        for (Class<?> command : commands) {
            for (Field field : command.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                Matcher matcher = variable.matcher(option == null ? "" : option.defaultValue());
                if (matcher.find()) {
                    assertThat(String.join(" ", option.description()))
                            .as("%s %s", command.getName(), option.names()[0])
                            .contains("(env " + matcher.group(1) + ")");
                    checked++;
                }
            }
        }
        assertThat(checked).as("options with an environment variable").isGreaterThan(10);
    }
}
