package org.example.tools;

import org.example.TestData;
import org.example.records.FraudPrediction;
import org.example.records.Hops;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HopBreakdownTest {

    /** Appended at 1,000 ms; then polled, INGEST, FEATURES, ENRICH, PREDICT in and out, each {@code gaps} later. */
    private static FraudPrediction passed(long... gaps) {
        long[] at = new long[gaps.length + 1];
        at[0] = 1000;
        for (int i = 0; i < gaps.length; i++) {
            at[i + 1] = at[i] + gaps[i];
        }
        return TestData.prediction("T").appendedAt(at[0]).storedAfter(at[7] - at[0])
                .hops(new Hops(at[1], at[2], at[3], at[4], at[5], at[6])).build();
    }

    @Test
    void shouldTimeEachHopFromTheOneBefore() {
        List<HopBreakdown.Row> rows = HopBreakdown.of(List.of(passed(1, 2, 3, 4, 5, 60, 7)));

        assertThat(rows).extracting(HopBreakdown.Row::p50).containsExactly(1L, 2L, 3L, 4L, 5L, 60L, 7L, 82L);
        assertThat(rows.get(0).hop()).isEqualTo("→ polled by the source");
        assertThat(rows.get(7).hop()).isEqualTo("total: append → stored");
    }

    @Test
    void shouldRankEachHopOnItsOwnSoTheSlowestNeedNotShareAHop() {
        List<FraudPrediction> predictions = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            // PREDICT takes i ms; the 100th alone waits 500 ms for its poll.
            predictions.add(passed(i == 100 ? 500 : 1, 0, 0, 0, 0, i, 0));
        }

        List<HopBreakdown.Row> rows = HopBreakdown.of(predictions);

        HopBreakdown.Row polled = rows.get(0);
        HopBreakdown.Row predict = rows.get(5);
        assertThat(List.of(polled.p50(), polled.p90(), polled.p99())).containsExactly(1L, 1L, 1L);
        assertThat(List.of(predict.p50(), predict.p90(), predict.p99())).containsExactly(50L, 90L, 99L);
        assertThat(rows.get(7).p99()).isEqualTo(100L);  // 99 + the one-ms poll; the 600 ms one is the max
    }

    @Test
    void shouldLeaveOutPredictionsThatDidNotRecordAHop() {
        FraudPrediction withoutHops = TestData.prediction("T0").appendedAt(1000).storedAfter(40).build();

        List<HopBreakdown.Row> rows = HopBreakdown.of(List.of(withoutHops, passed(1, 1, 1, 1, 1, 1, 1)));

        assertThat(rows.get(0).count()).isEqualTo(1);
        assertThat(rows.get(7).count()).isEqualTo(2);
        assertThat(rows.get(7).p99()).isEqualTo(40L);
    }

    @Test
    void shouldSayThereIsNothingToRankWhenNoPredictionWasMeasured() {
        assertThat(HopBreakdown.of(List.of())).allSatisfy(row -> assertThat(row.p50()).isEqualTo(-1));
    }
}
