package org.example.features;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import org.example.model.CardFeatures;

import java.io.IOException;
import java.util.Arrays;

/**
 * One card's recent transactions, sorted by event time, and the window features they give.
 * A pure data structure with no Jet in it, so its rules are unit-tested directly.
 *
 * <p>Windows follow {@code features.json}: for a transaction at {@code t}, a window of length
 * {@code W} covers event times in {@code (t - W, t]} among the transactions recorded so far,
 * including the one just recorded. A transaction that arrives late is inserted at its event-time
 * place, so everything recorded after it counts it where its time falls.
 *
 * <p>Saved in job snapshots as the partition and two primitive arrays.
 */
public final class CardHistory implements DataSerializable {

    private long[] times = new long[4];
    private double[] amounts = new double[4];
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
    public CardFeatures record(long eventTimeMs, double amount, FeatureDefinition windows) {
        insert(eventTimeMs, amount);
        int end = upperBound(eventTimeMs);
        return new CardFeatures(
                end - upperBound(eventTimeMs - windows.txnCount24hWindowMs()),
                sum(upperBound(eventTimeMs - windows.amountSum24hWindowMs()), end),
                end - upperBound(eventTimeMs - windows.txnCount7dWindowMs()));
    }

    /** Forgets every transaction at or before {@code horizonMs}; no window can reach them any more. */
    public void forgetUpTo(long horizonMs) {
        int drop = upperBound(horizonMs);
        if (drop > 0) {
            System.arraycopy(times, drop, times, 0, size - drop);
            System.arraycopy(amounts, drop, amounts, 0, size - drop);
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

    private void insert(long time, double amount) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            amounts = Arrays.copyOf(amounts, size * 2);
        }
        // After any equal times: among equal event times, arrival order is kept.
        int at = upperBound(time);
        System.arraycopy(times, at, times, at + 1, size - at);
        System.arraycopy(amounts, at, amounts, at + 1, size - at);
        times[at] = time;
        amounts[at] = amount;
        size++;
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

    private double sum(int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) {
            total += amounts[i];
        }
        return total;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(partition);
        out.writeLongArray(Arrays.copyOf(times, size));
        out.writeDoubleArray(Arrays.copyOf(amounts, size));
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        partition = in.readInt();
        times = in.readLongArray();
        amounts = in.readDoubleArray();
        size = times.length;
        if (size == 0) {
            times = new long[4];
            amounts = new double[4];
        }
    }
}
