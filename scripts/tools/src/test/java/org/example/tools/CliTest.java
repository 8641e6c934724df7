package org.example.tools;

import org.example.CommandLineFlags;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    private static final List<CommandLineFlags.Flag> FLAGS =
            List.of(CommandLineFlags.Flag.option("count", null, "1", "How many"));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicBoolean worked = new AtomicBoolean();

    private int run(Cli.Work work, String... args) {
        return Cli.run("Tool", "usage: Tool [options]", FLAGS, args, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                flags -> {
                    long count = flags.getLong("count", 1);
                    return () -> {
                        worked.set(true);
                        return work.run() + (int) count - 1;
                    };
                });
    }

    @Test
    void shouldRefuseABadOptionBeforeAnyWork() {
        assertThat(run(() -> 0, "--count", "0")).isEqualTo(2);

        assertThat(worked).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("--count must be at least 1, not 0\n");
    }

    @Test
    void shouldPrintTheUsageOnHelpAndDoNothing() {
        assertThat(run(() -> 0, "-h")).isZero();

        assertThat(worked).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: Tool [options]", "--count");
    }

    @Test
    void shouldEndAFailedRunWithOneLineNamingTheToolAndTheCause() {
        assertThat(run(() -> {
            throw new IllegalStateException("broker unreachable");
        })).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Tool failed: broker unreachable\n");
    }

    @Test
    void shouldReturnTheWorksExitCode() {
        assertThat(run(() -> 0, "--count", "3")).isEqualTo(2);
        assertThat(worked).isTrue();
    }
}
