package org.example.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scenarios themselves need the local cluster (scripts/benchmark.sh); their options do not. */
class BenchmarkTest {

    @Test
    void shouldReadTheOfferedRates() {
        assertThat(Benchmark.parseRates("1000, 5000,20000")).containsExactly(1000, 5000, 20000);
    }

    @Test
    void shouldRefuseARateThatIsNotAPositiveWholeNumber() {
        assertThatThrownBy(() -> Benchmark.parseRates("1000,5k")).hasMessageContaining("not '1000,5k'");
        assertThatThrownBy(() -> Benchmark.parseRates("0")).hasMessageContaining("at least 1");
    }
}
