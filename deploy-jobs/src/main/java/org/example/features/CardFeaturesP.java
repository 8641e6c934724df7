package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.jet.Traverser;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.core.AbstractProcessor;
import com.hazelcast.jet.core.BroadcastKey;
import com.hazelcast.internal.metrics.Probe;
import com.hazelcast.internal.metrics.ProbeUnit;
import org.example.definition.Names;
import org.example.records.FeaturedEvent;
import org.example.records.TransactionEvent;
import org.example.stages.Step;

import javax.annotation.Nonnull;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.hazelcast.jet.Util.entry;
import static com.hazelcast.jet.core.BroadcastKey.broadcastKey;

/**
 * Jet's side of FEATURES: feeds each {@link TransactionEvent} (partitioned by card number) to
 * {@link CardFeatureState}, honours back-pressure without applying an event twice, and saves the
 * per-card histories in snapshots keyed by card number, so a restore routes each card to the
 * processor that owns it.
 *
 * <p>While it writes them FEATURES takes no transaction, so what one snapshot costs here is what
 * it adds to the latency of the transactions behind it. Job metrics per processor, each the most
 * one snapshot has taken so far, in µs: {@value #SNAPSHOT_US_METRIC}, from the first call Jet makes
 * for it to the last (between calls FEATURES waits for the snapshot writer to take what it wrote);
 * {@value #SNAPSHOT_WORK_US_METRIC}, the time inside those calls; {@value #SNAPSHOT_CALL_US_METRIC},
 * the longest call, for which the member's cooperative thread ran nothing else.
 */
public class CardFeaturesP extends AbstractProcessor {

    private static final BroadcastKey<String> PARTITION_TIMES_KEY = broadcastKey("features-partition-times");

    /** Job metric: the longest one snapshot kept this processor from its transactions, µs. */
    public static final String SNAPSHOT_US_METRIC = "featuresSnapshotUs";
    /** Job metric: of that, the most time spent writing the cards, µs. */
    public static final String SNAPSHOT_WORK_US_METRIC = "featuresSnapshotWorkUs";
    /** Job metric: the longest single call of that writing, µs. */
    public static final String SNAPSHOT_CALL_US_METRIC = "featuresSnapshotCallUs";

    private final CardFeatureState state;
    /** Read by the metrics collector on another thread; written only here. */
    @Probe(name = SNAPSHOT_US_METRIC, unit = ProbeUnit.US)
    private volatile long snapshotUs;
    @Probe(name = SNAPSHOT_WORK_US_METRIC, unit = ProbeUnit.US)
    private volatile long snapshotWorkUs;
    @Probe(name = SNAPSHOT_CALL_US_METRIC, unit = ProbeUnit.US)
    private volatile long snapshotCallUs;
    /** When the first call for the snapshot being written began; how long its calls took so far. */
    private long snapshotStartNanos;
    private long snapshotWorkNanos;
    private Step<FeaturedEvent> pending;
    private Traverser<Map.Entry<?, ?>> snapshotTraverser;

    public CardFeaturesP(FeatureDefinition windows, long allowedLagMs) {
        this.state = new CardFeatureState(windows, allowedLagMs);
    }

    /**
     * FEATURES for one transaction: its card's windows as of its event time, or its dead letter.
     * May throw: {@link #tryProcess} contains it to this transaction.
     */
    protected Step<FeaturedEvent> accept(TransactionEvent event, long nowMs) throws Exception {
        return state.accept(event, nowMs);
    }

    /**
     * Takes INGEST's steps: a transaction gets its features, a dead letter passes through, and an
     * exception is that transaction's dead letter ({@link Step#next}).
     */
    @Override
    @SuppressWarnings("unchecked")
    protected final boolean tryProcess(int ordinal, @Nonnull Object item) {
        if (pending == null) {
            pending = Step.next((Step<TransactionEvent>) item, Names.Stage.FEATURES, System.currentTimeMillis(),
                    this::accept);
        }
        if (!tryEmit(pending)) {
            return false;
        }
        pending = null;
        return true;
    }

    @Override
    public final boolean saveToSnapshot() {
        long start = System.nanoTime();
        if (snapshotTraverser == null) {
            snapshotStartNanos = start;
            snapshotWorkNanos = 0;
            snapshotTraverser = Traversers.<Map.Entry<?, ?>>traverseIterable(state.cards())
                    .append(entry(PARTITION_TIMES_KEY, state.partitionTimes()))
                    .onFirstNull(() -> snapshotTraverser = null);
        }
        boolean done = emitFromTraverserToSnapshot(snapshotTraverser);
        long end = System.nanoTime();
        snapshotWorkNanos += end - start;
        snapshotCallUs = Math.max(snapshotCallUs, TimeUnit.NANOSECONDS.toMicros(end - start));
        if (done) {
            snapshotUs = Math.max(snapshotUs, TimeUnit.NANOSECONDS.toMicros(end - snapshotStartNanos));
            snapshotWorkUs = Math.max(snapshotWorkUs, TimeUnit.NANOSECONDS.toMicros(snapshotWorkNanos));
        }
        return done;
    }

    @Override
    protected final void restoreFromSnapshot(@Nonnull Object key, @Nonnull Object value) {
        if (key instanceof BroadcastKey) {
            state.restorePartitionTimes((long[]) value);
        } else {
            state.restoreCard((String) key, (CardHistory) value);
        }
    }

    @Override
    public final boolean finishSnapshotRestore() {
        state.finishRestore();
        return true;
    }
}
