package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import org.example.records.CardFeatures;
import org.example.stages.Amounts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * One card's recent transactions, sorted by event time, and the window features they give.
 * A pure data structure with no Jet in it, so its rules are unit-tested directly.
 *
 * <p>Windows follow {@code features.json}: for a transaction at {@code t}, a window of length
 * {@code W} covers event times in {@code (t - W, t]} among the transactions recorded so far,
 * including the one just recorded. A transaction that arrives late is inserted at its event-time
 * place, so everything recorded after it counts it where its time falls. Amounts are held in whole
 * cents, so a sum is exact whatever the order of addition.
 *
 * <p>Each transaction also keeps the fingerprints of its id and body, so that a second message
 * with a held id is recognised (a redelivery or a reused id) after a restore too. Saved in job
 * snapshots as the partition and the four columns in one byte array: every card's history goes
 * into every snapshot, and element-by-element {@code writeLongArray} was a twentieth of a
 * member's CPU during a drain (JFR), against a bulk copy here.
 */
public final class CardHistory implements DataSerializable {

    private static final int INITIAL_CAPACITY = 4;
    /** Time, cents, id fingerprint, body fingerprint. */
    private static final int COLUMNS = 4;

    private long[] times = new long[INITIAL_CAPACITY];
    private long[] cents = new long[INITIAL_CAPACITY];
    private long[] idFingerprints = new long[INITIAL_CAPACITY];
    private long[] bodyFingerprints = new long[INITIAL_CAPACITY];
    private int size;
    /** The Kafka partition the card's transactions arrive on: its clock decides the card's expiry. */
    private int partition;

    public CardHistory() {
    }

    public CardHistory(int partition) {
        this.partition = partition;
    }

    public int partition() {
        return partition;
    }

    /** A topic with more partitions moves keys; the card follows its latest transaction. */
    public void movedTo(int partition) {
        this.partition = partition;
    }

    /** Records a transaction and returns the card's features as of its event time. */
    public CardFeatures record(long eventTimeMs, long amountCents, long idFingerprint, long bodyFingerprint,
                               FeatureDefinition windows) {
        insert(eventTimeMs, amountCents, idFingerprint, bodyFingerprint);
        int end = upperBound(eventTimeMs);
        return new CardFeatures(
                end - upperBound(eventTimeMs - windows.txnCount24hWindowMs()),
                Amounts.ofCents(sum(upperBound(eventTimeMs - windows.amountSum24hWindowMs()), end)),
                end - upperBound(eventTimeMs - windows.txnCount7dWindowMs()));
    }

    /** Where a held transaction with this id fingerprint is, or -1. */
    public int indexOfId(long idFingerprint) {
        for (int i = size - 1; i >= 0; i--) {
            if (idFingerprints[i] == idFingerprint) {
                return i;
            }
        }
        return -1;
    }

    public long bodyFingerprintAt(int index) {
        return bodyFingerprints[index];
    }

    public long eventTimeAt(int index) {
        return times[index];
    }

    /** Forgets every transaction at or before {@code horizonMs}; no window can reach them any more. */
    public void forgetUpTo(long horizonMs) {
        int drop = upperBound(horizonMs);
        if (drop > 0) {
            move(drop, 0, size - drop);
            size -= drop;
        }
    }

    public int size() {
        return size;
    }

    /** Event time of the newest transaction held; {@code Long.MIN_VALUE} when empty. */
    public long newestEventTimeMs() {
        return size == 0 ? Long.MIN_VALUE : times[size - 1];
    }

    private void insert(long time, long amountCents, long idFingerprint, long bodyFingerprint) {
        if (size == times.length) {
            int capacity = size * 2;
            times = Arrays.copyOf(times, capacity);
            cents = Arrays.copyOf(cents, capacity);
            idFingerprints = Arrays.copyOf(idFingerprints, capacity);
            bodyFingerprints = Arrays.copyOf(bodyFingerprints, capacity);
        }
        // After any equal times: among equal event times, arrival order is kept.
        int at = upperBound(time);
        move(at, at + 1, size - at);
        times[at] = time;
        cents[at] = amountCents;
        idFingerprints[at] = idFingerprint;
        bodyFingerprints[at] = bodyFingerprint;
        size++;
    }

    /** Moves {@code length} transactions from index {@code from} to {@code to}, in every column. */
    private void move(int from, int to, int length) {
        System.arraycopy(times, from, times, to, length);
        System.arraycopy(cents, from, cents, to, length);
        System.arraycopy(idFingerprints, from, idFingerprints, to, length);
        System.arraycopy(bodyFingerprints, from, bodyFingerprints, to, length);
    }

    /** Index of the first transaction with event time {@code > time}. */
    private int upperBound(long time) {
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (times[mid] <= time) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private long sum(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += cents[i];
        }
        return total;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(partition);
        ByteBuffer columns = ByteBuffer.allocate(size * COLUMNS * Long.BYTES);
        LongBuffer longs = columns.asLongBuffer();
        longs.put(times, 0, size).put(cents, 0, size).put(idFingerprints, 0, size).put(bodyFingerprints, 0, size);
        out.writeByteArray(columns.array());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        partition = in.readInt();
        LongBuffer longs = ByteBuffer.wrap(in.readByteArray()).asLongBuffer();
        size = longs.remaining() / COLUMNS;
        int capacity = Math.max(INITIAL_CAPACITY, size);
        times = new long[capacity];
        cents = new long[capacity];
        idFingerprints = new long[capacity];
        bodyFingerprints = new long[capacity];
        longs.get(times, 0, size).get(cents, 0, size).get(idFingerprints, 0, size).get(bodyFingerprints, 0, size);
    }
}
