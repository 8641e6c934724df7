package org.example.tools;

import org.example.records.FraudPrediction;
import org.example.records.Hops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Where the predictions' latency went: for each hop of the pipeline, the time from the hop before
 * ({@link Hops}), p50 / p90 / p99 over the predictions. Each hop's percentiles are its own, so they
 * do not add up to the total's: the slowest transactions are not slow at the same hop.
 */
final class HopBreakdown {

    /** One hop: its name, and when a prediction passed it (0: not recorded). */
    private record Hop(String name, ToLongFunction<FraudPrediction> passedMs) {
    }

    private static final List<Hop> HOPS = List.of(
            new Hop("Kafka append", FraudPrediction::appendTimeMs),
            new Hop("polled by the source", p -> p.hops().polledMs()),
            new Hop("INGEST (on the card's member)", p -> p.hops().ingestMs()),
            new Hop("FEATURES", p -> p.hops().featuresMs()),
            new Hop("ENRICH", p -> p.hops().enrichMs()),
            new Hop("PREDICT in (after TRANSFORM)", p -> p.hops().predictInMs()),
            new Hop("PREDICT out (reply read)", p -> p.hops().predictOutMs()),
            new Hop("stored (ACT)", FraudPrediction::storedTimeMs));

    /** One row per hop after the first, then the total: the hop, predictions measured, p50, p90, p99 in ms. */
    record Row(String hop, int count, long p50, long p90, long p99) {

        String markdown() {
            return String.format(Locale.ROOT, "| %s | %,d | %d | %d | %d |", hop, count, p50, p90, p99);
        }
    }

    static final String HEADER = "| hop (time since the one before) | predictions | p50 ms | p90 ms | p99 ms |";

    private HopBreakdown() {
    }

    static List<Row> of(List<FraudPrediction> predictions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < HOPS.size(); i++) {
            Hop from = HOPS.get(i - 1);
            Hop to = HOPS.get(i);
            rows.add(row("→ " + to.name(), predictions, from.passedMs(), to.passedMs()));
        }
        rows.add(row("total: append → stored", predictions, HOPS.get(0).passedMs(), HOPS.get(HOPS.size() - 1).passedMs()));
        return rows;
    }

    /** The durations from {@code from} to {@code to} of the predictions that recorded both. */
    private static Row row(String name, List<FraudPrediction> predictions, ToLongFunction<FraudPrediction> from,
                           ToLongFunction<FraudPrediction> to) {
        long[] durations = predictions.stream()
                .filter(p -> from.applyAsLong(p) > 0 && to.applyAsLong(p) > 0)
                .mapToLong(p -> to.applyAsLong(p) - from.applyAsLong(p))
                .sorted()
                .toArray();
        return new Row(name, durations.length, quantile(durations, 0.50), quantile(durations, 0.90),
                quantile(durations, 0.99));
    }

    /** Nearest rank, as {@link RunReport#percentiles}; -1 when there is nothing to rank. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

}
