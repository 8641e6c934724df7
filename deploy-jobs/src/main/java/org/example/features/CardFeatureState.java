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
 * The FEATURES state of one processor: a {@link CardHistory} per card it owns.
 *
 * <p>Why not {@code mapStateful} with a TTL: Jet drops, silently, every event behind the watermark
 * in such a stage, and a watermark is shared by all cards of all partitions. Here lateness is
 * judged per card, whose transactions share one Kafka partition and so arrive in the order they
 * were produced; a transaction too late to get exact features becomes a {@code LATE_EVENT} dead
 * letter instead of vanishing. The rules, with {@code W} the longest window and {@code L} the
 * allowed lag:
 * <ul>
 *   <li>A card keeps the transactions newer than its newest one minus {@code W + L}; a transaction
 *   more than {@code L} behind the card's newest is late, as it could need forgotten ones.</li>
 *   <li>A card whose newest transaction is {@code W + L} behind the newest event this processor has
 *   seen (its clock) is evicted. The eviction horizon is remembered: a transaction of a card not
 *   held, older than that horizon plus {@code W}, is late too, as it could need evicted history.</li>
 * </ul>
 */
public final class CardFeatureState {

    private final FeatureDefinition windows;
    private final long allowedLagMs;
    private final long keepMs;
    /** Access order: the card touched longest ago comes first, which makes eviction a cheap scan. */
    private final LinkedHashMap<String, CardHistory> cards = new LinkedHashMap<>(1024, 0.75f, true);
    private long clockMs = Long.MIN_VALUE;
    private long evictedUpToMs = Long.MIN_VALUE;
    private long evictedCards;

    public CardFeatureState(FeatureDefinition windows, long allowedLagMs) {
        this.windows = windows;
        this.allowedLagMs = allowedLagMs;
        this.keepMs = windows.longestWindowMs() + allowedLagMs;
    }

    public Step<FeaturedEvent> accept(TransactionEvent event) {
        Transaction txn = event.transaction();
        long time = txn.eventTimeMs();
        CardHistory history = cards.get(txn.ccNum());
        String lateness = history == null ? latenessOfUnheldCard(time) : latenessWithin(history, time);
        if (lateness != null) {
            return Step.failed(DeadLetter.of(Names.Stage.FEATURES, DeadLetterReason.LATE_EVENT, lateness,
                    txn, event.source()));
        }
        if (history == null) {
            history = new CardHistory();
            cards.put(txn.ccNum(), history);
        }
        FeaturedEvent featured = new FeaturedEvent(txn, event.source(), history.record(time, txn.amount(), windows));
        history.forgetUpTo(history.newestEventTimeMs() - keepMs);
        clockMs = Math.max(clockMs, time);
        evictExpiredCards();
        return Step.ok(featured);
    }

    /** Newest event time seen, or {@code Long.MIN_VALUE} before the first event. */
    public long clockMs() {
        return clockMs;
    }

    /** Every evicted card's history ended at or before this time; {@code Long.MIN_VALUE} if none. */
    public long evictedUpToMs() {
        return evictedUpToMs;
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
     * Restores the processor-wide times. After a rescale one processor may receive several saved
     * values; the newest of each is kept, which never accepts a transaction the old state could
     * not have given exact features.
     */
    public void restoreTimes(long savedClockMs, long savedEvictedUpToMs) {
        clockMs = Math.max(clockMs, savedClockMs);
        evictedUpToMs = Math.max(evictedUpToMs, savedEvictedUpToMs);
    }

    private String latenessWithin(CardHistory history, long time) {
        long behind = history.newestEventTimeMs() - time;
        return behind > allowedLagMs
                ? "event time is " + behind + " ms behind this card's newest transaction; allowed lag is "
                        + allowedLagMs + " ms"
                : null;
    }

    private String latenessOfUnheldCard(long time) {
        return evictedUpToMs != Long.MIN_VALUE && time - windows.longestWindowMs() < evictedUpToMs
                ? "no history is held for this card and history up to " + evictedUpToMs
                        + " was evicted; a transaction at " + time + " could need some of it"
                : null;
    }

    private void evictExpiredCards() {
        long horizon = clockMs - keepMs;
        Iterator<CardHistory> eldestFirst = cards.values().iterator();
        while (eldestFirst.hasNext()) {
            CardHistory history = eldestFirst.next();
            if (history.newestEventTimeMs() > horizon) {
                return;
            }
            eldestFirst.remove();
            evictedCards++;
            evictedUpToMs = Math.max(evictedUpToMs, history.newestEventTimeMs());
        }
    }
}
