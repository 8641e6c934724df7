package org.example.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleProgressTest {

    /** A clock the test moves by hand. */
    private static final class Clock {
        long nanos = 1_000_000_000L;

        void advanceMillis(long millis) {
            nanos += TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }

    private final Clock clock = new Clock();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private ConsoleProgress progress(long total, boolean terminal) {
        return new ConsoleProgress("customers", total, out, terminal, () -> clock.nanos);
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private List<String> lines() {
        return Arrays.stream(output().split("\n")).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void shouldRedrawInPlaceAtMostFiveTimesASecondOnATerminal() {
        ConsoleProgress progress = progress(10_000, true);

        // 1,000 updates over one second: 1 ms apart.
        for (int i = 1; i <= 1_000; i++) {
            clock.advanceMillis(1);
            progress.update(i);
        }

        assertThat(output().chars().filter(c -> c == '\r').count()).isEqualTo(5);
        assertThat(output()).doesNotContain("\n");
    }

    @Test
    void shouldEndTheTerminalLineWithTheFinalState() {
        ConsoleProgress progress = progress(10, true);
        clock.advanceMillis(500);
        progress.update(5);

        clock.advanceMillis(500);
        progress.finish(10);

        assertThat(output()).endsWith("\n");
        assertThat(output().substring(output().lastIndexOf('\r') + 1))
                .contains("[####################] 100%").contains("10/10");
    }

    @Test
    void shouldPrintPlainLinesAtEachTenthWhenNotATerminal() {
        ConsoleProgress progress = progress(1_000, false);

        for (int i = 1; i <= 1_000; i++) {
            clock.advanceMillis(10);
            progress.update(i);
        }
        progress.finish(1_000);

        assertThat(output()).doesNotContain("\r");
        // 10 s in all: one line per tenth from 10 % to 90 %, then the final one.
        assertThat(lines()).hasSize(10);
        assertThat(lines().get(0)).contains(" 10%");
        assertThat(lines().get(9)).contains("100%").contains("in 10s");
    }

    @Test
    void shouldPrintAtMostOneLineASecondWhenNotATerminal() {
        ConsoleProgress progress = progress(100, false);

        for (int i = 1; i <= 100; i++) {
            progress.update(i);
        }
        progress.finish(100);

        assertThat(lines()).hasSize(1);
    }

    @Test
    void shouldPrintALineWhenSlowProgressStaysWithinATenth() {
        ConsoleProgress progress = progress(1_000_000, false);

        clock.advanceMillis(ConsoleProgress.QUIET_LINE_INTERVAL_SECONDS * 1000);
        progress.update(10);

        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0)).contains("  0%").contains("10/1,000,000");
    }

    @Test
    void shouldIgnoreUpdatesAfterFinish() {
        ConsoleProgress progress = progress(10, false);
        progress.finish(10);

        clock.advanceMillis(60_000);
        progress.update(10);
        progress.finish(10);

        assertThat(lines()).hasSize(1);
    }

    @Test
    void shouldShowBarPercentCountRateAndRemainingTime() {
        ConsoleProgress progress = progress(10_000, false);
        clock.advanceMillis(2_000);

        String line = progress.render(5_000, clock.nanos);

        assertThat(line).isEqualTo("customers [##########----------]  50%     5,000/10,000     2,500/s  eta 2.0s");
    }

    @Test
    void shouldShowOnlyTheCountWhenTheTotalIsUnknown() {
        ConsoleProgress progress = progress(0, false);
        clock.advanceMillis(1_000);

        assertThat(progress.render(42, clock.nanos)).isEqualTo("customers 42        42/s");
    }

    @Test
    void shouldWriteDurationsForPeople() {
        assertThat(ConsoleProgress.duration(2.04)).isEqualTo("2.0s");
        assertThat(ConsoleProgress.duration(42)).isEqualTo("42s");
        assertThat(ConsoleProgress.duration(125)).isEqualTo("2m5s");
        assertThat(ConsoleProgress.duration(7_260)).isEqualTo("2h1m");
    }
}
