package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import org.example.definition.Names;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FraudPrediction;
import org.example.records.KafkaOrigin;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a run produced, read back from {@code predictionResult} and {@code deadLetters}: the
 * accounting (every input exactly once), throughput, latency from Kafka append to stored, and
 * the flagged frauds against the data set's labels. The demo and the end-to-end test print it.
 *
 * @param duplicates inputs (Kafka positions) that have more than one outcome
 * @param latencyMs  p50, p95, p99 and max of {@code storedTimeMs - appendTimeMs}
 */
public record RunReport(
        long inputs,
        long predictions,
        Map<String, Long> deadLettersByReason,
        long duplicates,
        double throughputPerSecond,
        long[] latencyMs,
        long flagged,
        long flaggedFraud,
        long labelledFraud) {

    private static final List<String> LABEL_COLUMNS = List.of("transaction_id", "is_fraud", "pattern");

    public static RunReport collect(HazelcastInstance hz, long inputs, Map<String, Boolean> labels) {
        Collection<FraudPrediction> predictions = hz.<Object, FraudPrediction>getMap(Names.PREDICTION_RESULT_MAP).values();
        Collection<DeadLetter> deadLetters = hz.<String, DeadLetter>getMap(Names.DEAD_LETTERS_MAP).values();
        return of(inputs, predictions, deadLetters, labels);
    }

    static RunReport of(long inputs, Collection<FraudPrediction> predictions, Collection<DeadLetter> deadLetters,
                        Map<String, Boolean> labels) {
        Set<String> positions = new HashSet<>();
        long duplicates = 0;
        long firstAppend = Long.MAX_VALUE;
        long lastStored = Long.MIN_VALUE;
        long[] latencies = new long[predictions.size()];
        int i = 0;
        long flagged = 0;
        long flaggedFraud = 0;
        long labelledFraud = 0;
        for (FraudPrediction p : predictions) {
            duplicates += positions.add(KafkaOrigin.key(p.originTopic(), p.originPartition(), p.originOffset())) ? 0 : 1;
            firstAppend = Math.min(firstAppend, p.appendTimeMs());
            lastStored = Math.max(lastStored, p.storedTimeMs());
            latencies[i++] = p.storedTimeMs() - p.appendTimeMs();
            boolean fraud = labels.getOrDefault(p.transactionId(), false);
            labelledFraud += fraud ? 1 : 0;
            flagged += p.fraud() ? 1 : 0;
            flaggedFraud += p.fraud() && fraud ? 1 : 0;
        }
        Map<String, Long> byReason = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            duplicates += positions.add(d.key()) ? 0 : 1;
            byReason.merge(d.reason(), 1L, Long::sum);
        }
        double seconds = predictions.isEmpty() ? Double.NaN : Math.max(1, lastStored - firstAppend) / 1000.0;
        return new RunReport(inputs, predictions.size(), byReason, duplicates,
                (predictions.size() + deadLetters.size()) / seconds, percentiles(latencies),
                flagged, flaggedFraud, labelledFraud);
    }

    public long deadLetters() {
        return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every input has exactly one outcome: a prediction or a dead letter, never both, never two. */
    public boolean accountsForEveryInput() {
        return duplicates == 0 && predictions + deadLetters() == inputs;
    }

    public double precision() {
        return flagged == 0 ? Double.NaN : (double) flaggedFraud / flagged;
    }

    public double recall() {
        return labelledFraud == 0 ? Double.NaN : (double) flaggedFraud / labelledFraud;
    }

    public String format() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("  transactions in       %,d%n", inputs));
        out.append(String.format("  predictions out       %,d%n", predictions));
        out.append(String.format("  dead letters          %,d%n", deadLetters()));
        deadLettersByReason.forEach((reason, count) -> out.append(String.format("    %-25s%,d%n", reason, count)));
        if (!deadLettersByReason.containsKey(DeadLetterReason.INTERNAL_ERROR.name())) {
            out.append(String.format("    %-25s%d (none: no stage met an exception it did not foresee)%n",
                    DeadLetterReason.INTERNAL_ERROR.name(), 0));
        }
        out.append(String.format("  accounted for         %s%n", accountsForEveryInput()
                ? "every input exactly once"
                : "NO: " + (predictions + deadLetters()) + " outcomes for " + inputs + " inputs, "
                        + duplicates + " duplicates"));
        out.append(String.format("  throughput            %,.0f transactions/s (first Kafka append to last store)%n",
                throughputPerSecond));
        out.append(String.format("  latency append→stored p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                latencyMs[0], latencyMs[1], latencyMs[2], latencyMs[3]));
        out.append(String.format("  flagged as fraud      %,d (labelled fraud among scored: %,d)%n", flagged, labelledFraud));
        out.append(String.format("  precision %.3f, recall %.3f against the labels%n", precision(), recall()));
        return out.toString();
    }

    /** Reads {@code labels.csv} ({@code transaction_id,is_fraud,pattern}, docs/DATA.md) into id → is fraud. */
    public static Map<String, Boolean> readLabels(Path labelsCsv) {
        Map<String, Boolean> labels = new HashMap<>();
        CsvFiles.read(labelsCsv, "labels", LABEL_COLUMNS,
                row -> labels.put(row.get("transaction_id"), "1".equals(row.get("is_fraud"))));
        return labels;
    }

    /** p50, p95, p99 and max, by the nearest-rank method; -1 each when there are no values. */
    static long[] percentiles(long[] values) {
        if (values.length == 0) {
            return new long[]{-1, -1, -1, -1};
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return new long[]{nearestRank(sorted, 0.50), nearestRank(sorted, 0.95), nearestRank(sorted, 0.99),
                sorted[sorted.length - 1]};
    }

    private static long nearestRank(long[] sorted, double quantile) {
        return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
