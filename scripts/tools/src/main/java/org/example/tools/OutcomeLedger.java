package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every outcome of a long run, from both places the job puts it. The account of the inputs comes
 * from the decision and dead-letter topics, read {@code read_committed} like any system downstream
 * ({@link #recordFromTopic}): they keep every outcome for days, each once. The features and the
 * rewrites come from {@code predictionResult}, which only the map holds: the map is capped and
 * evicts the oldest entries long before an hour at 1,500 transactions/s is over, so every few
 * seconds the drill reads what was stored since shortly before its last read (through the map's
 * index on {@code storedTimeMs}, projected to the fields that matter), and once a minute a wider
 * stretch, for an entry that became visible long after ACT stamped it. From both the ledger
 * answers, at the end:
 * <ul>
 *   <li>did every position from offset 0 to the end of each partition get exactly one outcome on
 *   the topics, a decision or a dead letter, never both, never twice;</li>
 *   <li>did the hostile positions get the dead letter they had to, and only they;</li>
 *   <li>did every version of a prediction ever read from the map (replays after a restart, a write
 *   of the other side of a split) say the same thing, were its features the exact ones, and does
 *   it say what the decision topic says;</li>
 *   <li>was every decision on the topic also seen in the map (a prediction the map lost, or showed
 *   only after it was gone, is one nobody reading the map ever saw);</li>
 *   <li>when was anything stored, second by second (where scoring stalled, and for how long).</li>
 * </ul>
 * An entry is read again when a replay rewrites it (its {@code storedTimeMs} changes): that is how
 * rewrites are counted and compared.
 */
final class OutcomeLedger {

    /** A read window reaches this far back before the last read: a write becomes visible a little after it is stamped. */
    static final long OVERLAP_MS = 30_000;
    /** Every this many reads, one reaches {@link #LATE_WINDOW_MS} back: a write that became visible late is still read. */
    static final int WIDE_READ_EVERY = 12;
    static final long LATE_WINDOW_MS = 180_000;
    private static final byte NONE = 0;
    private static final byte PREDICTION = 1;
    private static final byte DEAD_LETTER = 2;
    private static final int MAX_EXAMPLES = 5;
    private static final String[] FIELDS = {"transactionId", "originPartition", "originOffset", "storedTimeMs",
            "txnCount24h", "amountSum24h", "txnCount7d", "fraudProbability", "fraud", "modelVersion"};

    /** What one Kafka partition's positions got. */
    private static final class PartitionLedger {
        /** From the map: what kind of outcome, a hash of all it says, when it was stored, a hash of the decision alone. */
        byte[] kind = new byte[1 << 12];
        long[] hash = new long[1 << 12];
        long[] storedMs = new long[1 << 12];
        long[] decisionHash = new long[1 << 12];
        /** From the topics: what kind of outcome, the decision's hash or the dead letter's reason, when it was decided. */
        byte[] topicKind = new byte[1 << 12];
        long[] topicHash = new long[1 << 12];
        long[] topicMs = new long[1 << 12];

        void ensure(long offset) {
            if (offset >= kind.length) {
                int size = kind.length;
                while (size <= offset) {
                    size *= 2;
                }
                kind = Arrays.copyOf(kind, size);
                hash = Arrays.copyOf(hash, size);
                storedMs = Arrays.copyOf(storedMs, size);
                decisionHash = Arrays.copyOf(decisionHash, size);
                topicKind = Arrays.copyOf(topicKind, size);
                topicHash = Arrays.copyOf(topicHash, size);
                topicMs = Arrays.copyOf(topicMs, size);
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
    private long outcomesOnTopics;
    private long rewrites;
    private long lastReadMs = -1;
    private int reads;
    private long seenLate;
    private long latestSeenMs;

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
        long back = ++reads % WIDE_READ_EVERY == 0 ? LATE_WINDOW_MS : OVERLAP_MS;
        long from = lastReadMs < 0 ? 0 : lastReadMs - back;
        int read = readPredictions(hz, Predicates.greaterEqual("storedTimeMs", from), now);
        read += readDeadLetters(hz);
        lastReadMs = now;
        return read;
    }

    /** Reads every entry the maps hold now: the last word at the end of a run. */
    synchronized int sweep(HazelcastInstance hz) {
        int read = readPredictions(hz, Predicates.alwaysTrue(), System.currentTimeMillis());
        read += readDeadLetters(hz);
        lastReadMs = System.currentTimeMillis();
        return read;
    }

    private int readPredictions(HazelcastInstance hz, Predicate<Object, Object> which, long readAtMs) {
        IMap<Object, Object> map = hz.getMap(Names.PREDICTION_RESULT_MAP);
        Collection<Object[]> rows = map.project(Projections.multiAttribute(FIELDS), which);
        for (Object[] row : rows) {
            record(new PredictionDigest((String) row[0], ((Number) row[1]).intValue(), ((Number) row[2]).longValue(),
                    ((Number) row[3]).longValue(), ((Number) row[4]).intValue(), ((Number) row[5]).doubleValue(),
                    ((Number) row[6]).intValue(), ((Number) row[7]).doubleValue(), (Boolean) row[8], (String) row[9]), readAtMs);
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

    /** A prediction as read from the map by a read that began at {@code readAtMs}. */
    synchronized void record(PredictionDigest p, long readAtMs) {
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
            ledger.decisionHash[o] = decisionHash(p.fraudProbability(), p.modelVersion());
            noteVisibility(p.storedTimeMs(), readAtMs);
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

    /**
     * An entry seen for the first time this long after ACT stamped it: more than {@link #OVERLAP_MS}
     * means a write that became visible after the reads that should have seen it had passed.
     */
    private void noteVisibility(long storedMs, long readAtMs) {
        if (storedMs > 0) {
            long late = readAtMs - storedMs;
            if (late > OVERLAP_MS) {
                seenLate++;
                latestSeenMs = Math.max(latestSeenMs, late);
            }
        }
    }

    /** What a decision says, on the topic or in the map: the probability and the model that gave it. */
    static long decisionHash(double probability, String modelVersion) {
        return Double.doubleToLongBits(probability) * 31 + String.valueOf(modelVersion).hashCode();
    }

    /**
     * One record of the decision or the dead-letter topic, as a consumer reads it (its JSON):
     * counted once per input; a second record for the same input is a problem.
     */
    synchronized void recordFromTopic(JsonNode record) {
        int partition = record.path("origin_partition").asInt();
        long offset = record.path("origin_offset").asLong();
        PartitionLedger ledger = partition(partition);
        int o = offsetIndex(offset, null);
        ledger.ensure(o);
        boolean decision = record.has("decision");
        String what = decision ? record.path("decision").asText() : record.path("reason").asText();
        if (ledger.topicKind[o] != NONE) {
            problem(partition + "-" + offset + " is on the topics twice (" + what + ")");
            return;
        }
        outcomesOnTopics++;
        if (decision) {
            ledger.topicKind[o] = PREDICTION;
            ledger.topicHash[o] = decisionHash(record.path("fraud_probability").asDouble(), record.path("model_version").asText(null));
            ledger.topicMs[o] = record.path("decision_time_ms").asLong();
        } else {
            ledger.topicKind[o] = DEAD_LETTER;
            ledger.topicHash[o] = DeadLetterReason.valueOf(what).ordinal();
            ledger.topicMs[o] = record.path("recorded_time_ms").asLong();
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
     * {@code hostile} positions must be dead letters with their reasons and all others predictions,
     * each exactly once on the topics and, for a prediction, seen in the map saying the same.
     * Returns the verdict; {@link Verdict#ok()} only when nothing is missing, doubled or wrong.
     */
    synchronized Verdict verdict(Map<Integer, Long> endOffsets, Map<String, String> hostileReasons) {
        long inputs = 0;
        long predictions = 0;
        long deadLetters = 0;
        Gap missing = new Gap();
        Gap notInMap = new Gap();
        Map<String, Long> reasons = new TreeMap<>();
        for (Map.Entry<Integer, Long> end : endOffsets.entrySet()) {
            int p = end.getKey();
            PartitionLedger ledger = partition(p);
            ledger.ensure(end.getValue());
            for (int o = 0; o < end.getValue(); o++) {
                inputs++;
                String position = p + "-" + o;
                String hostile = hostileReasons.get(position);
                switch (ledger.topicKind[o]) {
                    case PREDICTION -> {
                        predictions++;
                        if (hostile != null) {
                            problem(position + " was hostile (" + hostile + ") but has a decision");
                        }
                        if ((ledger.kind[o] & PREDICTION) == 0) {
                            notInMap.add(position, ledger.topicMs[o]);
                        } else if (ledger.decisionHash[o] != ledger.topicHash[o]) {
                            problem(position + ": the decision topic and predictionResult give different scores");
                        }
                    }
                    case DEAD_LETTER -> {
                        deadLetters++;
                        String reason = DeadLetterReason.values()[(int) ledger.topicHash[o]].name();
                        reasons.merge(reason, 1L, Long::sum);
                        if (hostile == null) {
                            problem(position + " is a valid transaction of the data set but has a dead letter (" + reason + ")");
                        } else if (!reason.equals(hostile)) {
                            problem(position + " has dead letter " + reason + ", expected " + hostile);
                        }
                    }
                    default -> missing.add(position, 0);
                }
            }
        }
        if (missing.count > 0) {
            problem(missing.count + " inputs have no outcome on the topics, e.g. " + missing.examples);
        }
        if (notInMap.count > 0) {
            problem(String.format(Locale.ROOT, "%d decisions on the topic were never seen in %s (decided from %s to %s"
                            + " into the run), e.g. %s", notInMap.count, Names.PREDICTION_RESULT_MAP,
                    DrillTimeline.offset(notInMap.firstMs - startMs), DrillTimeline.offset(notInMap.lastMs - startMs),
                    notInMap.examples));
        }
        return new Verdict(inputs, predictions, deadLetters, reasons, rewrites, seenLate, latestSeenMs,
                problemCount, List.copyOf(problems));
    }

    /** Positions that lack something: how many, the first few, and the time range they span. */
    private static final class Gap {
        long count;
        long firstMs = Long.MAX_VALUE;
        long lastMs;
        final List<String> examples = new ArrayList<>();

        void add(String position, long timeMs) {
            count++;
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(position);
            }
            if (timeMs > 0) {
                firstMs = Math.min(firstMs, timeMs);
                lastMs = Math.max(lastMs, timeMs);
            }
        }
    }

    /**
     * The verdict on a run.
     *
     * @param rewrites   predictions written again with the same outcome (replays), counted once each time
     * @param seenLate   predictions first read from the map over {@link #OVERLAP_MS} after ACT stamped them
     * @param latestSeenMs the longest such delay
     * @param problems   the first few problems, of {@code problemCount}
     */
    record Verdict(long inputs, long predictions, long deadLetters, Map<String, Long> deadLettersByReason,
                   long rewrites, long seenLate, long latestSeenMs, long problemCount, List<String> problems) {

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

    /** Predictions read from the map so far (each position once). */
    synchronized long predictionsRead() {
        return predictionsRead;
    }

    /** Inputs with an outcome on the topics so far (each once). */
    synchronized long outcomesOnTopics() {
        return outcomesOnTopics;
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
