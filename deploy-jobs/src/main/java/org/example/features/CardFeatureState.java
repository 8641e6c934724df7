package org.example.features;

import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FeaturedEvent;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;
import org.example.stages.Amounts;
import org.example.stages.Step;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FEATURES state of one processor: a {@link CardHistory} per card it owns.
 *
 * <p>A transaction whose id the card already holds is not counted again: the first message with
 * an id stays, and a later one is a {@code DUPLICATE_DELIVERY} (identical body) or a
 * {@code DUPLICATE_TRANSACTION_ID} (another body) dead letter. Ids are held as long as their
 * transaction is, so the rule reaches back the longest window plus the allowed lag.
 *
 * <p>Why not {@code mapStateful} with a TTL: Jet drops, silently, every event behind the watermark
 * in such a stage, and one watermark covers all Kafka partitions, which in a replay or after an
 * outage are read hours or days apart. Here time is kept per Kafka partition, whose records arrive
 * in the order they were produced, and a transaction too late to get exact features becomes a
 * {@code LATE_EVENT} dead letter instead of vanishing. With {@code W} the longest window and
 * {@code L} the allowed lag:
 * <ul>
 *   <li>A card keeps the transactions newer than its newest one minus {@code W + L}; a transaction
 *   more than {@code L} behind the card's newest is late, as it could need forgotten ones.</li>
 *   <li>A card whose newest transaction is {@code W + L} behind the newest event of its partition
 *   is evicted, and the partition remembers up to when it evicted. A transaction of a card not
 *   held that could reach back into evicted history is late too.</li>
 * </ul>
 */
public final class CardFeatureState {

    /**
     * Per Kafka partition: the newest event time seen, up to when its cards were evicted, and its
     * cards in access order. A card expires by its own partition's clock, so each partition's
     * cards are scanned on their own: one partition read days behind another, or gone idle, never
     * holds back the eviction of the others.
     */
    static final class PartitionTimes {
        long clockMs = Long.MIN_VALUE;
        long evictedUpToMs = Long.MIN_VALUE;
        /** The card touched longest ago comes first, which makes eviction a scan from the head. */
        final LinkedHashMap<String, CardHistory> cards = new LinkedHashMap<>(256, 0.75f, true);
    }

    private final FeatureDefinition windows;
    private final long allowedLagMs;
    private final long keepMs;
    /** Every card held, by card token; each is also in its partition's {@link PartitionTimes#cards}. */
    private final Map<String, CardHistory> cards = new HashMap<>(1024);
    private final Map<Integer, PartitionTimes> partitions = new HashMap<>();
    private long evictedCards;

    public CardFeatureState(FeatureDefinition windows, long allowedLagMs) {
        this.windows = windows;
        this.allowedLagMs = allowedLagMs;
        this.keepMs = windows.longestWindowMs() + allowedLagMs;
    }

    /** @param nowMs the time a dead letter is recorded at */
    public Step<FeaturedEvent> accept(TransactionEvent event, long nowMs) {
        Transaction txn = event.transaction();
        KafkaOrigin origin = event.origin();
        long time = txn.eventTimeMs();
        long idFingerprint = TransactionFingerprint.ofId(txn.transactionId());
        long bodyFingerprint = TransactionFingerprint.ofBody(txn);
        CardHistory history = cards.get(txn.cardToken());
        if (history != null) {
            int held = history.indexOfId(idFingerprint);
            if (held >= 0) {
                return duplicate(event, history, held, bodyFingerprint, nowMs);
            }
        }
        PartitionTimes partition = partition(origin.partition());
        String lateness = history == null ? latenessOfUnheldCard(partition, time) : latenessWithin(history, time);
        if (lateness != null) {
            return Step.failed(DeadLetter.of(Names.Stage.FEATURES, DeadLetterReason.LATE_EVENT, lateness, txn, origin, nowMs));
        }
        if (history == null) {
            history = new CardHistory(origin.partition());
            cards.put(txn.cardToken(), history);
        } else if (history.partition() != origin.partition()) {
            // A topic with more partitions moves keys; the card follows its latest transaction.
            partition(history.partition()).cards.remove(txn.cardToken());
            history.movedTo(origin.partition());
        }
        partition.cards.put(txn.cardToken(), history);  // (re)touched: now the last to be evicted
        FeaturedEvent featured = new FeaturedEvent(txn, origin.withHops(origin.hops().featuredAt(nowMs)),
                history.record(time, Amounts.cents(txn.amount()), idFingerprint, bodyFingerprint, windows));
        history.forgetUpTo(history.newestEventTimeMs() - keepMs);
        partition.clockMs = Math.max(partition.clockMs, time);
        evictExpiredCards(partition);
        return Step.ok(featured);
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
        partition(history.partition()).cards.put(ccNum, history);
    }

    /**
     * After a restore the cards arrived in snapshot order: put each partition's in the order of
     * their newest transaction, the order in which the stream would have touched them.
     */
    public void finishRestore() {
        for (PartitionTimes partition : partitions.values()) {
            List<Map.Entry<String, CardHistory>> byNewest = new ArrayList<>(partition.cards.entrySet());
            byNewest.sort(Comparator.comparingLong(e -> e.getValue().newestEventTimeMs()));
            partition.cards.clear();
            byNewest.forEach(e -> partition.cards.put(e.getKey(), e.getValue()));
        }
    }

    /** The per-partition times to save in a snapshot: partition, clock, evicted-up-to, repeated. */
    public long[] partitionTimes() {
        long[] flat = new long[partitions.size() * 3];
        int i = 0;
        for (Map.Entry<Integer, PartitionTimes> e : partitions.entrySet()) {
            flat[i++] = e.getKey();
            flat[i++] = e.getValue().clockMs;
            flat[i++] = e.getValue().evictedUpToMs;
        }
        return flat;
    }

    /**
     * Restores saved per-partition times. After a rescale one processor receives the times of
     * every old processor; the newest of each is kept, which never accepts a transaction that the
     * old state could not have given exact features.
     */
    public void restorePartitionTimes(long[] flat) {
        for (int i = 0; i < flat.length; i += 3) {
            PartitionTimes times = partition((int) flat[i]);
            times.clockMs = Math.max(times.clockMs, flat[i + 1]);
            times.evictedUpToMs = Math.max(times.evictedUpToMs, flat[i + 2]);
        }
    }

    /**
     * One rule for a second message with an id the card holds: the first stays, counted once. The
     * same body again is a redelivery (a producer's retry); another body under the same id is a
     * conflict the producer must resolve. Neither counts in the windows.
     */
    private static Step<FeaturedEvent> duplicate(TransactionEvent event, CardHistory history, int held,
                                                 long bodyFingerprint, long nowMs) {
        Transaction txn = event.transaction();
        boolean sameBody = history.bodyFingerprintAt(held) == bodyFingerprint;
        String detail = "transaction_id " + txn.transactionId() + " is already counted on this card (event time "
                + history.eventTimeAt(held) + ")" + (sameBody ? "; this is an identical copy"
                : "; this message has another body under the same id and is not counted");
        return Step.failed(DeadLetter.of(Names.Stage.FEATURES,
                sameBody ? DeadLetterReason.DUPLICATE_DELIVERY : DeadLetterReason.DUPLICATE_TRANSACTION_ID,
                detail, txn, event.origin(), nowMs));
    }

    private String latenessWithin(CardHistory history, long time) {
        long behind = history.newestEventTimeMs() - time;
        return behind > allowedLagMs
                ? "event time is " + behind + " ms behind this card's newest transaction; allowed lag is "
                        + allowedLagMs + " ms"
                : null;
    }

    private String latenessOfUnheldCard(PartitionTimes partition, long time) {
        return partition.evictedUpToMs != Long.MIN_VALUE && time - windows.longestWindowMs() < partition.evictedUpToMs
                ? "no history is held for this card and its partition evicted history up to "
                        + partition.evictedUpToMs + "; a transaction at " + time + " could need some of it"
                : null;
    }

    private PartitionTimes partition(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionTimes());
    }

    /** Evicts the partition's cards whose newest transaction is {@code W + L} behind its clock. */
    private void evictExpiredCards(PartitionTimes partition) {
        Iterator<Map.Entry<String, CardHistory>> eldestFirst = partition.cards.entrySet().iterator();
        while (eldestFirst.hasNext()) {
            Map.Entry<String, CardHistory> card = eldestFirst.next();
            long newestMs = card.getValue().newestEventTimeMs();
            if (newestMs > partition.clockMs - keepMs) {
                return;
            }
            eldestFirst.remove();
            cards.remove(card.getKey());
            evictedCards++;
            partition.evictedUpToMs = Math.max(partition.evictedUpToMs, newestMs);
        }
    }
}
