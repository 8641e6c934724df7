package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.jet.Traverser;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.core.AbstractProcessor;
import com.hazelcast.jet.core.BroadcastKey;
import org.example.definition.Names;
import org.example.records.FeaturedEvent;
import org.example.records.TransactionEvent;
import org.example.stages.Step;

import javax.annotation.Nonnull;
import java.util.Map;

import static com.hazelcast.jet.Util.entry;
import static com.hazelcast.jet.core.BroadcastKey.broadcastKey;

/**
 * Jet's side of FEATURES: feeds each {@link TransactionEvent} (partitioned by card number) to
 * {@link CardFeatureState}, honours back-pressure without applying an event twice, and saves the
 * per-card histories in snapshots keyed by card number, so a restore routes each card to the
 * processor that owns it.
 */
public class CardFeaturesP extends AbstractProcessor {

    private static final BroadcastKey<String> PARTITION_TIMES_KEY = broadcastKey("features-partition-times");

    private final CardFeatureState state;
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
        if (snapshotTraverser == null) {
            snapshotTraverser = Traversers.<Map.Entry<?, ?>>traverseIterable(state.cards())
                    .append(entry(PARTITION_TIMES_KEY, state.partitionTimes()))
                    .onFirstNull(() -> snapshotTraverser = null);
        }
        return emitFromTraverserToSnapshot(snapshotTraverser);
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
