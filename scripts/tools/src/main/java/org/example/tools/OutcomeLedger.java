package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projections;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import org.example.definition.Names;
import org.example.records.CardFeatures;
import org.example.records.DeadLetterReason;
import org.example.tools.netns.PredictionDigest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every outcome a long run stored, read while the run goes on, because the outputs' retention
 * evicts the oldest entries long before an hour at 1,500 transactions/s is over. Every few
 * seconds the drill reads what was stored since shortly before its last read (through
 * {@code predictionResult}'s index on {@code storedTimeMs}, projected to the fields that matter)
 * and the dead letters, and the ledger keeps, per Kafka position, what kind of outcome it has and a
 * hash of what the outcome says. From that it answers, at the end:
 * <ul>
 *   <li>did every position from offset 0 to the end of each partition get exactly one outcome, a
 *   prediction or a dead letter, never both;</li>
 *   <li>did the hostile positions get the dead letter they had to, and only they;</li>
 *   <li>did every version of a prediction ever read (replays after a restart, a write of the
 *   other side of a split) say the same thing, and were its features the exact ones;</li>
 *   <li>when was anything stored, second by second (where scoring stalled, and for how long).</li>
 * </ul>
 * An entry is read again when a replay rewrites it (its {@code storedTimeMs} changes): that is how
 * rewrites are counted and compared.
 */
final class OutcomeLedger {

    /** A read window reaches this far back before the last read: a write becomes visible a little after it is stamped. */
    static final long OVERLAP_MS = 30_000;
    private static final byte NONE = 0;
    private static final byte PREDICTION = 1;
    private static final byte DEAD_LETTER = 2;
    private static final int MAX_EXAMPLES = 5;
    private static final String[] FIELDS = {"transactionId", "originPartition", "originOffset", "storedTimeMs",
            "txnCount24h", "amountSum24h", "txnCount7d", "fraudProbability", "fraud", "modelVersion"};

    /** What one Kafka partition's positions got. */
    private static final class PartitionLedger {
        byte[] kind = new byte[1 << 12];
        long[] hash = new long[1 << 12];
        long[] storedMs = new long[1 << 12];

        void ensure(long offset) {
            if (offset >= kind.length) {
                int size = kind.length;
                while (size <= offset) {
                    size *= 2;
                }
                kind = Arrays.copyOf(kind, size);
                hash = Arrays.copyOf(hash, size);
                storedMs = Arrays.copyOf(storedMs, size);
            }
        }
    }

    private final Map<String, CardFeatures> expectedFeatures;
    private final long startMs;
    private final Map<Integer, PartitionLedger> partitions = new HashMap<>();
    private final Map<Integer, int[]> storesPerSecond = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long predictionsRead;
    private long rewrites;
    private long lastReadMs = -1;

    /**
     * @param expectedFeatures every data-set transaction's exact features (python/expected_features.py)
     * @param startMs          when the run began: second 0 of {@link #storesPerSecond}
     */
    OutcomeLedger(Map<String, CardFeatures> expectedFeatures, long startMs) {
        this.expectedFeatures = expectedFeatures;
        this.startMs = startMs;
    }

    /** Reads what was stored since shortly before the last read; returns how many entries it read. */
    synchronized int poll(HazelcastInstance hz) {
        long now = System.currentTimeMillis();
        long from = lastReadMs < 0 ? 0 : lastReadMs - OVERLAP_MS;
        int read = readPredictions(hz, Predicates.greaterEqual("storedTimeMs", from));
        read += readDeadLetters(hz);
        lastReadMs = now;
        return read;
    }

    /** Reads every entry the maps hold now: the last word at the end of a run. */
    synchronized int sweep(HazelcastInstance hz) {
        int read = readPredictions(hz, Predicates.alwaysTrue());
        read += readDeadLetters(hz);
        lastReadMs = System.currentTimeMillis();
        return read;
    }

    private int readPredictions(HazelcastInstance hz, Predicate<Object, Object> which) {
        IMap<Object, Object> map = hz.getMap(Names.PREDICTION_RESULT_MAP);
        Collection<Object[]> rows = map.project(Projections.multiAttribute(FIELDS), which);
        for (Object[] row : rows) {
            record(new PredictionDigest((String) row[0], ((Number) row[1]).intValue(), ((Number) row[2]).longValue(),
                    ((Number) row[3]).longValue(), ((Number) row[4]).intValue(), ((Number) row[5]).doubleValue(),
                    ((Number) row[6]).intValue(), ((Number) row[7]).doubleValue(), (Boolean) row[8], (String) row[9]));
        }
        return rows.size();
    }

    private int readDeadLetters(HazelcastInstance hz) {
        // Few (a hostile message every few seconds): read whole, no index needed.
        IMap<Object, Object> map = hz.getMap(Names.DEAD_LETTERS_MAP);
        Collection<Object[]> rows = map.project(Projections.multiAttribute(
                "originPartition", "originOffset", "reason", "recordedTimeMs"), Predicates.alwaysTrue());
        for (Object[] row : rows) {
            recordDeadLetter(((Number) row[0]).intValue(), ((Number) row[1]).longValue(), (String) row[2],
                    ((Number) row[3]).longValue());
        }
        return rows.size();
    }

    /** A prediction as read from the map. */
    void record(PredictionDigest p) {
        PartitionLedger ledger = partition(p.originPartition());
        int o = offsetIndex(p.originOffset(), p);
        ledger.ensure(o);
        long hash = p.outcomeHash();
        byte kind = ledger.kind[o];
        if (kind == NONE) {
            predictionsRead++;
            ledger.kind[o] = PREDICTION;
            ledger.hash[o] = hash;
            ledger.storedMs[o] = p.storedTimeMs();
            countStore(p.originPartition(), p.storedTimeMs());
            CardFeatures wanted = expectedFeatures.get(p.transactionId());
            CardFeatures stored = new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
            if (wanted == null) {
                problem("prediction for " + p.transactionId() + " at " + p.position()
                        + ", a transaction not in the data set's expected features");
            } else if (!ExpectedFeatures.matches(stored, wanted)) {
                problem(p.transactionId() + ": stored features " + stored + ", expected " + wanted);
            }
        } else if ((kind & DEAD_LETTER) != 0) {
            ledger.kind[o] |= PREDICTION;
            problem(p.position() + " has a prediction (" + p.transactionId() + ") and a dead letter");
        } else if (ledger.hash[o] != hash) {
            problem(p.position() + " (" + p.transactionId() + "): a prediction that differs from the one read before it");
            ledger.hash[o] = hash;
        } else if (ledger.storedMs[o] != p.storedTimeMs()) {
            // The same outcome written again (a replay after a restart): count it once.
            if (p.storedTimeMs() > ledger.storedMs[o]) {
                rewrites++;
                ledger.storedMs[o] = p.storedTimeMs();
                countStore(p.originPartition(), p.storedTimeMs());
            }
        }
    }

    /** A dead letter as read from the map. */
    void recordDeadLetter(int partition, long offset, String reason, long recordedMs) {
        PartitionLedger ledger = partition(partition);
        int o = offsetIndex(offset, null);
        ledger.ensure(o);
        long hash = DeadLetterReason.valueOf(reason).ordinal();
        byte kind = ledger.kind[o];
        if (kind == NONE) {
            ledger.kind[o] = DEAD_LETTER;
            ledger.hash[o] = hash;
            ledger.storedMs[o] = recordedMs;
        } else if ((kind & PREDICTION) != 0) {
            if ((kind & DEAD_LETTER) == 0) {
                ledger.kind[o] |= DEAD_LETTER;
                problem(partition + "-" + offset + " has a dead letter (" + reason + ") and a prediction");
            }
        } else if (ledger.hash[o] != hash) {
            problem(partition + "-" + offset + ": a dead letter whose reason changed to " + reason);
            ledger.hash[o] = hash;
        }
    }

    private static int offsetIndex(long offset, PredictionDigest p) {
        if (offset < 0 || offset > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("an outcome with Kafka offset " + offset + (p == null ? "" : " (" + p + ")"));
        }
        return (int) offset;
    }

    private PartitionLedger partition(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionLedger());
    }

    private void countStore(int partition, long storedMs) {
        int second = (int) Math.max(0, (storedMs - startMs) / 1000);
        int[] perSecond = storesPerSecond.computeIfAbsent(partition, p -> new int[4096]);
        if (second >= perSecond.length) {
            perSecond = Arrays.copyOf(perSecond, Math.max(second + 1, perSecond.length * 2));
            storesPerSecond.put(partition, perSecond);
        }
        perSecond[second]++;
    }

    private void problem(String text) {
        problemCount++;
        if (problems.size() < MAX_EXAMPLES) {
            problems.add(text);
        }
    }

    /**
     * Holds the ledger to the inputs: offsets {@code [0, end)} of each partition, of which the
     * {@code hostile} positions must be dead letters with their reasons and all others predictions.
     * Returns the verdict; {@link Verdict#ok()} only when nothing is missing, doubled or wrong.
     */
    synchronized Verdict verdict(Map<Integer, Long> endOffsets, Map<String, String> hostileReasons) {
        long inputs = 0;
        long predictions = 0;
        long deadLetters = 0;
        long missing = 0;
        List<String> missingExamples = new ArrayList<>();
        Map<String, Long> reasons = new TreeMap<>();
        for (Map.Entry<Integer, Long> end : endOffsets.entrySet()) {
            int p = end.getKey();
            PartitionLedger ledger = partition(p);
            ledger.ensure(end.getValue());
            for (int o = 0; o < end.getValue(); o++) {
                inputs++;
                String position = p + "-" + o;
                String hostile = hostileReasons.get(position);
                switch (ledger.kind[o]) {
                    case PREDICTION -> {
                        predictions++;
                        if (hostile != null) {
                            problem(position + " was hostile (" + hostile + ") but has a prediction");
                        }
                    }
                    case DEAD_LETTER -> {
                        deadLetters++;
                        String reason = DeadLetterReason.values()[(int) ledger.hash[o]].name();
                        reasons.merge(reason, 1L, Long::sum);
                        if (hostile == null) {
                            problem(position + " is a valid transaction of the data set but has a dead letter (" + reason + ")");
                        } else if (!reason.equals(hostile)) {
                            problem(position + " has dead letter " + reason + ", expected " + hostile);
                        }
                    }
                    case NONE -> {
                        missing++;
                        if (missingExamples.size() < MAX_EXAMPLES) {
                            missingExamples.add(position);
                        }
                    }
                    default -> {
                        // Both: already a problem when read.
                    }
                }
            }
        }
        if (missing > 0) {
            problem(missing + " inputs have no outcome, e.g. " + missingExamples);
        }
        return new Verdict(inputs, predictions, deadLetters, reasons, rewrites, problemCount, List.copyOf(problems));
    }

    /**
     * The verdict on a run.
     *
     * @param rewrites predictions written again with the same outcome (replays), counted once each time
     * @param problems the first few problems, of {@code problemCount}
     */
    record Verdict(long inputs, long predictions, long deadLetters, Map<String, Long> deadLettersByReason,
                   long rewrites, long problemCount, List<String> problems) {

        boolean ok() {
            return problemCount == 0;
        }
    }

    /** The outcome hash of the prediction at a position ({@link PredictionDigest#outcomeHash}), if there is one. */
    synchronized OptionalLong predictionHash(int partition, long offset) {
        PartitionLedger ledger = partitions.get(partition);
        if (ledger == null || offset >= ledger.kind.length || (ledger.kind[(int) offset] & PREDICTION) == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ledger.hash[(int) offset]);
    }

    /** Predictions read so far (each position once). */
    synchronized long predictionsRead() {
        return predictionsRead;
    }

    /** How many predictions were stored in each second of the run (first writes and rewrites), all partitions. */
    synchronized int[] storesPerSecond() {
        int length = storesPerSecond.values().stream().mapToInt(a -> a.length).max().orElse(0);
        int[] total = new int[length];
        for (int[] perSecond : storesPerSecond.values()) {
            for (int s = 0; s < perSecond.length; s++) {
                total[s] += perSecond[s];
            }
        }
        return total;
    }

    /** The same for one Kafka partition. */
    synchronized int[] storesPerSecond(int partition) {
        return storesPerSecond.getOrDefault(partition, new int[0]).clone();
    }

    synchronized Set<Integer> partitions() {
        return Set.copyOf(storesPerSecond.keySet());
    }

    long startMs() {
        return startMs;
    }
}
