package org.example;

import org.example.CommandLineFlags.Flag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineFlagsTest {

    private static final List<Flag> FLAGS = List.of(
            Flag.option("data-dir", "DATA_DIR", "python/data", "Directory with the data set"),
            Flag.option("rate", null, "0", "Per second"),
            Flag.onOff("clear", "Empty the maps first"));

    private static CommandLineFlags parse(Map<String, String> env, String... args) {
        return CommandLineFlags.parse(args, FLAGS, env, "usage: tool [options]");
    }

    @Test
    void shouldTakeTheFlagOverTheEnvironmentOverTheDefault() {
        assertThat(parse(Map.of()).get("data-dir")).isEqualTo("python/data");
        assertThat(parse(Map.of("DATA_DIR", "/data")).get("data-dir")).isEqualTo("/data");
        assertThat(parse(Map.of("DATA_DIR", "/data"), "--data-dir", "/tmp/set").get("data-dir")).isEqualTo("/tmp/set");
    }

    @Test
    void shouldIgnoreABlankEnvironmentVariable() {
        assertThat(parse(Map.of("DATA_DIR", "  ")).get("data-dir")).isEqualTo("python/data");
    }

    @Test
    void shouldAcceptNameEqualsValue() {
        assertThat(parse(Map.of(), "--rate=250").getDouble("rate", 0)).isEqualTo(250.0);
    }

    @Test
    void shouldTurnASwitchOnWithoutAValue() {
        assertThat(parse(Map.of(), "--clear").isOn("clear")).isTrue();
        assertThat(parse(Map.of()).isOn("clear")).isFalse();
        assertThat(parse(Map.of(), "--clear=false").isOn("clear")).isFalse();
    }

    @Test
    void shouldRejectAnUnknownFlagAndShowTheUsage() {
        assertThatThrownBy(() -> parse(Map.of(), "--rte", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown option --rte")
                .hasMessageContaining("usage: tool [options]")
                .hasMessageContaining("--data-dir <value>");
    }

    @Test
    void shouldRejectAFlagWithoutItsValue() {
        assertThatThrownBy(() -> parse(Map.of(), "--data-dir"))
                .hasMessageStartingWith("--data-dir needs a value");
        assertThatThrownBy(() -> parse(Map.of(), "--data-dir", "--clear"))
                .hasMessageStartingWith("--data-dir needs a value");
    }

    @Test
    void shouldRejectAPositionalArgument() {
        assertThatThrownBy(() -> parse(Map.of(), "python/data"))
                .hasMessageStartingWith("Unexpected argument 'python/data'");
    }

    @Test
    void shouldRejectNumbersOutOfRangeOrMalformed() {
        assertThatThrownBy(() -> parse(Map.of(), "--rate", "-1").getDouble("rate", 0))
                .hasMessage("--rate must be at least 0.0, not -1");
        assertThatThrownBy(() -> parse(Map.of(), "--rate", "fast").getLong("rate", 0))
                .hasMessage("--rate must be a whole number, not 'fast'");
        assertThatThrownBy(() -> parse(Map.of(), "--rate", "NaN").getDouble("rate", 0))
                .hasMessageStartingWith("--rate must be at least");
    }

    @Test
    void shouldNoticeHelp() {
        assertThat(parse(Map.of(), "--help").helpRequested()).isTrue();
        assertThat(parse(Map.of()).helpRequested()).isFalse();
    }

    @Test
    void shouldRefuseAWholeNumberTooLargeForAnInt() {
        assertThat(parse(Map.of(), "--rate", "2147483647").getInt("rate", 0)).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> parse(Map.of(), "--rate", "2147483648").getInt("rate", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--rate must be at most 2147483647, not 2147483648");
    }

    @Test
    void shouldRefuseASwitchValueOtherThanTrueOrFalse() {
        assertThatThrownBy(() -> parse(Map.of(), "--clear=yes").isOn("clear"))
                .hasMessage("--clear is a switch: true or false, not 'yes'");
    }
}
