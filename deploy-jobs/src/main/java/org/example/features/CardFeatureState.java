package org.example.features;

import org.example.Names;
import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
import org.example.model.FeaturedEvent;
import org.example.model.Transaction;
import org.example.model.TransactionEvent;
import org.example.stages.Step;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The FEATURES state of one processor: a {@link CardHistory} per card it owns, and a clock (the
 * newest event time it has seen) that decides what is late and what may be forgotten.
 *
 * <p>Why not {@code mapStateful} with a TTL: Jet drops, silently, every event behind the watermark
 * in such a stage. Here a transaction that is too late to get exact features becomes a
 * {@code LATE_EVENT} dead letter instead, and expiry follows the event-time clock below.
 *
 * <ul>
 *   <li>A transaction more than {@code allowedLagMs} behind the clock is late: history it would
 *   need may already be forgotten.</li>
 *   <li>History older than {@code clock - longestWindow - allowedLag} can no longer fall in any
 *   window of an on-time transaction and is dropped; a card with nothing newer is evicted.</li>
 * </ul>
 */
public final class CardFeatureState {

    private final FeatureDefinition windows;
    private final long allowedLagMs;
    /** Access order: the card touched longest ago comes first, which makes eviction a cheap scan. */
    private final LinkedHashMap<String, CardHistory> cards = new LinkedHashMap<>(1024, 0.75f, true);
    private long clockMs = Long.MIN_VALUE;
    private long evictedCards;

    public CardFeatureState(FeatureDefinition windows, long allowedLagMs) {
        this.windows = windows;
        this.allowedLagMs = allowedLagMs;
    }

    public Step<FeaturedEvent> accept(TransactionEvent event) {
        Transaction txn = event.transaction();
        long time = txn.eventTimeMs();
        if (clockMs != Long.MIN_VALUE && time < clockMs - allowedLagMs) {
            return Step.failed(DeadLetter.of(Names.Stage.FEATURES, DeadLetterReason.LATE_EVENT,
                    "event time is " + (clockMs - time) + " ms behind the newest event seen; allowed lag is "
                            + allowedLagMs + " ms", txn, event.source()));
        }
        clockMs = Math.max(clockMs, time);
        CardHistory history = cards.computeIfAbsent(txn.ccNum(), card -> new CardHistory());
        history.forgetUpTo(horizonMs());
        FeaturedEvent featured = new FeaturedEvent(txn, event.source(), history.record(time, txn.amount(), windows));
        evictExpiredCards();
        return Step.ok(featured);
    }

    /** Newest event time seen, or {@code Long.MIN_VALUE} before the first event. */
    public long clockMs() {
        return clockMs;
    }

    public int cardCount() {
        return cards.size();
    }

    public long evictedCards() {
        return evictedCards;
    }

    /** The per-card entries to save in a snapshot. */
    public Iterable<Map.Entry<String, CardHistory>> cards() {
        return cards.entrySet();
    }

    public void restoreCard(String ccNum, CardHistory history) {
        cards.put(ccNum, history);
    }

    /**
     * Restores the clock. Several processors' clocks may arrive after a rescale; the newest is
     * kept, because any of them may have forgotten history up to its own horizon.
     */
    public void restoreClock(long savedClockMs) {
        clockMs = Math.max(clockMs, savedClockMs);
    }

    private long horizonMs() {
        return clockMs - windows.longestWindowMs() - allowedLagMs;
    }

    private void evictExpiredCards() {
        long horizon = horizonMs();
        Iterator<CardHistory> eldestFirst = cards.values().iterator();
        while (eldestFirst.hasNext()) {
            CardHistory history = eldestFirst.next();
            if (history.newestEventTimeMs() > horizon) {
                return;
            }
            eldestFirst.remove();
            evictedCards++;
        }
    }
}
