package org.example.tools;

import org.example.records.Customer;
import org.example.records.FraudPrediction;
import org.example.records.Merchant;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PredictionFillTest {

    private static final long END_MS = 1_800_000_000_000L;

    private static PredictionFill.Synthetic synthetic(long count, int rate) {
        Customer home = new Customer("4000000000001111", "Ada", "Lovelace", "F", LocalDate.of(1980, 4, 2), "Engineer",
                "1 Main St", "Springfield", "IL", "62701", 39.8, -89.6, 116_250, "urban");
        return new PredictionFill.Synthetic(List.of(home), List.of(new Merchant("M00001", "Shop", "grocery_pos", 39, -90)),
                count, rate, END_MS, 0.01, 6371.0, 7);
    }

    @Test
    void shouldStoreThePredictionsAtTheRateUpToTheEnd() {
        PredictionFill.Synthetic fill = synthetic(10_000, 2_000);

        assertThat(fill.storedTimeMs(9_999)).isEqualTo(END_MS - 1);
        assertThat(fill.storedTimeMs(0)).isEqualTo(END_MS - 1 - 4_999);
        assertThat(LongStream.range(0, 10_000).filter(i -> fill.storedTimeMs(i) >= END_MS - 1_000).count())
                .isEqualTo(2_000);
    }

    @Test
    void shouldFlagTheShareAskedForFarFromHomeAndScoreThemHigh() {
        PredictionFill.Synthetic fill = synthetic(100_000, 2_000);

        List<FraudPrediction> flagged = LongStream.range(0, 100_000).mapToObj(fill::prediction)
                .filter(FraudPrediction::fraud).toList();

        assertThat(flagged.size() / 100_000.0).isCloseTo(0.01, within(0.002));
        assertThat(flagged).allSatisfy(p -> assertThat(p.fraudProbability()).isBetween(0.5, 1.0));
        assertThat(flagged.stream().mapToDouble(FraudPrediction::distanceKm).max().orElseThrow()).isGreaterThan(100);
    }

    @Test
    void shouldWriteTheSamePredictionForTheSameSeed() {
        assertThat(synthetic(100, 10).prediction(42)).isEqualTo(synthetic(100, 10).prediction(42));
        assertThat(synthetic(100, 10).prediction(42).storedTimeMs() - synthetic(100, 10).prediction(42).appendTimeMs())
                .isGreaterThanOrEqualTo(50);
    }
}
