package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.example.TestData;
import org.example.records.CardFeatures;
import org.example.TestData;
import org.example.records.DeadLetterReason;
import org.example.TestData;
import org.example.records.FeaturedEvent;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.NOW;
import static org.example.TestData.OTHER_CARD;
import static org.example.TestData.at;
import static org.example.TestData.txn;

class CardFeatureStateTest {

    private static final long ONE_HOUR_LAG = ofHours(1).toMillis();
    private final CardFeatureState state = new CardFeatureState(FeatureDefinition.load(), ONE_HOUR_LAG);

    @Test
    void shouldKeepFeaturesPerCard() {
        state.accept(txn("T1").card(CARD).at(at(ofHours(1))).event(1), NOW);
        state.accept(txn("T2").card(CARD).at(at(ofHours(2))).event(2), NOW);

        Step<FeaturedEvent> other = state.accept(txn("T3").card(OTHER_CARD).at(at(ofHours(3))).event(3), NOW);

        assertThat(other.value().features()).isEqualTo(new CardFeatures(1, 10.0, 1));
    }

    @Test
    void shouldCountAnEventThatIsLateWithinTheAllowedLag() {
        state.accept(txn("T1").at(at(ofHours(5))).event(1), NOW);

        Step<FeaturedEvent> late = state.accept(txn("T2").at(at(ofHours(4).plus(ofMinutes(1)))).event(2), NOW);

        assertThat(late.isOk()).isTrue();
        assertThat(late.value().features()).isEqualTo(new CardFeatures(1, 10.0, 1));
    }

    @Test
    void shouldDeadLetterAnEventLaterThanTheAllowedLag() {
        state.accept(txn("T1").at(at(ofHours(5))).event(1), NOW);

        Step<FeaturedEvent> tooLate = state.accept(txn("T2").at(at(ofHours(3))).event(2), NOW);

        assertThat(tooLate.isOk()).isFalse();
        assertThat(tooLate.deadLetter().reason()).isEqualTo(DeadLetterReason.LATE_EVENT.name());
        assertThat(tooLate.deadLetter().detail())
                .contains("7200000 ms behind this card's newest transaction", "allowed lag is 3600000 ms");
        assertThat(tooLate.deadLetter().transactionId()).isEqualTo("T2");
    }

    @Test
    void shouldNotJudgeACardByAnotherCardsTime() {
        state.accept(txn("T1").card(OTHER_CARD).at(at(ofHours(30))).event(1), NOW);

        Step<FeaturedEvent> earlier = state.accept(txn("T2").card(CARD).at(at(ofHours(1))).event(2), NOW);

        assertThat(earlier.isOk()).isTrue();
    }

    @Test
    void shouldEvictACardOnceItsPartitionMovedOnByTheLongestWindowPlusTheLag() {
        state.accept(txn("T1").card(CARD).at(at(ofDays(0))).event(1), NOW);

        state.accept(txn("T2").card(OTHER_CARD).at(at(ofDays(7).plus(ofHours(1)).plus(ofMinutes(1)))).event(2), NOW);

        assertThat(state.cardCount()).isEqualTo(1);
        assertThat(state.evictedCards()).isEqualTo(1);
    }

    @Test
    void shouldKeepACardWhoseHistoryAnOnTimeEventCouldStillNeed() {
        state.accept(txn("T1").card(CARD).at(at(ofDays(0))).event(1), NOW);

        state.accept(txn("T2").card(OTHER_CARD).at(at(ofDays(7).plus(ofMinutes(59)))).event(2), NOW);

        assertThat(state.cardCount()).isEqualTo(2);
    }

    @Test
    void shouldNotEvictACardBecauseAnotherPartitionIsDaysAhead() {
        // In a replay one partition may be read days ahead of another.
        state.accept(txn("T1").card(CARD).partition(0).at(at(ofDays(0))).event(1), NOW);
        state.accept(txn("T2").card(OTHER_CARD).partition(1).at(at(ofDays(10))).event(1), NOW);

        Step<FeaturedEvent> next = state.accept(txn("T3").card(CARD).partition(0).at(at(ofDays(2))).event(2), NOW);

        assertThat(state.evictedCards()).isZero();
        assertThat(next.value().features()).isEqualTo(new CardFeatures(1, 10.0, 2));
    }

    @Test
    void shouldEvictOnAPartitionThatMovedOnWhileAnotherLagsBehind() {
        // CARD, touched first, stays held: its partition has not moved on. It must not hold back
        // the eviction of OTHER_CARD, whose partition has.
        state.accept(txn("T1").card(CARD).partition(0).at(at(ofDays(0))).event(1), NOW);
        state.accept(txn("T2").card(OTHER_CARD).partition(1).at(at(ofDays(0))).event(1), NOW);

        state.accept(txn("T3").card("4111111111111111").partition(1).at(at(ofDays(8))).event(2), NOW);

        assertThat(state.evictedCards()).isEqualTo(1);
        assertThat(state.cardCount()).isEqualTo(2);
        assertThat(state.accept(txn("T4").card(CARD).partition(0).at(at(ofDays(1))).event(2), NOW).value().features())
                .isEqualTo(new CardFeatures(1, 10.0, 2));
    }

    @Test
    void shouldEvictRestoredCardsOldestFirstWhateverTheSnapshotOrder() {
        FeatureDefinition windows = FeatureDefinition.load();
        CardHistory recent = new CardHistory(0);
        recent.record(at(ofDays(6)), 1000, 1, 1, windows);
        CardHistory old = new CardHistory(0);
        old.record(at(ofDays(0)), 1000, 2, 2, windows);
        CardFeatureState restored = new CardFeatureState(windows, ONE_HOUR_LAG);
        restored.restoreCard(TestData.token(CARD), recent);
        restored.restoreCard(TestData.token(OTHER_CARD), old);
        restored.finishRestore();

        restored.accept(txn("T1").card("4111111111111111").at(at(ofDays(8))).event(1), NOW);

        assertThat(restored.evictedCards()).isEqualTo(1);
        assertThat(restored.accept(txn("T2").card(CARD).at(at(ofDays(8))).event(2), NOW).value().features().txnCount7d())
                .isEqualTo(2);
    }

    @Test
    void shouldDeadLetterAnEvictedCardsEventThatCouldNeedItsForgottenHistory() {
        state.accept(txn("T1").card(CARD).at(at(ofDays(0))).event(1), NOW);
        state.accept(txn("T2").card(OTHER_CARD).at(at(ofDays(8))).event(2), NOW);

        Step<FeaturedEvent> needsEvicted = state.accept(txn("T3").card(CARD).at(at(ofDays(6))).event(3), NOW);
        Step<FeaturedEvent> clearOfIt = state.accept(txn("T4").card("4111111111111111").at(at(ofDays(8))).event(4), NOW);

        assertThat(needsEvicted.deadLetter().detail()).startsWith("no history is held for this card");
        assertThat(clearOfIt.value().features()).isEqualTo(new CardFeatures(1, 10.0, 1));
    }

    @Test
    void shouldForgetOnlyWhatNoWindowOfThisCardCanReach() {
        state.accept(txn("T1").at(at(ofDays(0))).event(1), NOW);
        state.accept(txn("T2").at(at(ofDays(7).plus(ofMinutes(30)))).event(2), NOW);

        // Within the lag behind T2, and T1 is still inside its 7-day window.
        Step<FeaturedEvent> late = state.accept(txn("T3").at(at(ofDays(7).minus(ofMinutes(20)))).event(3), NOW);

        assertThat(late.value().features().txnCount7d()).isEqualTo(2);
    }

    @Test
    void shouldRestoreTheNewestOfSeveralSavedTimesPerPartition() {
        CardFeatureState restored = new CardFeatureState(FeatureDefinition.load(), ONE_HOUR_LAG);
        restored.restorePartitionTimes(new long[]{0, at(ofDays(9)), at(ofDays(1)), 1, at(ofDays(2)), Long.MIN_VALUE});
        restored.restorePartitionTimes(new long[]{0, at(ofDays(3)), at(ofDays(1).plus(ofHours(2)))});

        Step<FeaturedEvent> reachesEvicted = restored.accept(txn("T1").partition(0).at(at(ofDays(8))).event(1), NOW);
        Step<FeaturedEvent> otherPartition = restored.accept(txn("T2").card(OTHER_CARD).partition(1).at(at(ofDays(2))).event(1), NOW);

        assertThat(reachesEvicted.deadLetter().detail()).contains("evicted history up to " + at(ofDays(1).plus(ofHours(2))));
        assertThat(otherPartition.isOk()).isTrue();
    }

    @Test
    void shouldNotCountAnIdenticalRedeliveryTwice() {
        state.accept(txn("T1").amount(10).at(at(ofHours(1))).event(1), NOW);

        Step<FeaturedEvent> again = state.accept(txn("T1").amount(10).at(at(ofHours(1))).event(2), NOW);
        Step<FeaturedEvent> next = state.accept(txn("T2").amount(5).at(at(ofHours(2))).event(3), NOW);

        assertThat(again.deadLetter().reason()).isEqualTo(DeadLetterReason.DUPLICATE_DELIVERY.name());
        assertThat(again.deadLetter().detail()).isEqualTo("transaction_id T1 is already counted on this card"
                + " (event time " + at(ofHours(1)) + "); this is an identical copy");
        assertThat(next.value().features()).isEqualTo(new CardFeatures(2, 15.0, 2));
    }

    @Test
    void shouldKeepTheFirstBodyWhenAnIdComesBackWithAnother() {
        state.accept(txn("T1").amount(10).at(at(ofHours(1))).event(1), NOW);

        Step<FeaturedEvent> conflicting = state.accept(txn("T1").amount(99).at(at(ofHours(1))).event(2), NOW);
        Step<FeaturedEvent> next = state.accept(txn("T2").amount(5).at(at(ofHours(2))).event(3), NOW);

        assertThat(conflicting.deadLetter().reason()).isEqualTo(DeadLetterReason.DUPLICATE_TRANSACTION_ID.name());
        assertThat(conflicting.deadLetter().payload()).contains("\"amount\":99.0");
        assertThat(next.value().features()).isEqualTo(new CardFeatures(2, 15.0, 2));
    }

    @Test
    void shouldJudgeARedeliveryByItsValuesNotByTheOrderOfArrival() {
        state.accept(txn("T1").at(at(ofHours(5))).event(1), NOW);

        // Later than the allowed lag, but a copy of what is held: a redelivery, not a late event.
        Step<FeaturedEvent> lateCopy = state.accept(txn("T1").at(at(ofHours(5))).event(9), NOW);

        assertThat(lateCopy.deadLetter().reason()).isEqualTo(DeadLetterReason.DUPLICATE_DELIVERY.name());
    }

    @Test
    void shouldAllowTheSameIdOnAnotherCard() {
        state.accept(txn("T1").card(CARD).event(1), NOW);

        assertThat(state.accept(txn("T1").card(OTHER_CARD).event(2), NOW).isOk()).isTrue();
    }

    @Test
    void shouldRecogniseADuplicateAfterASnapshotRestore() {
        state.accept(txn("T1").amount(10).at(at(ofHours(1))).event(1), NOW);
        CardFeatureState restored = new CardFeatureState(FeatureDefinition.load(), ONE_HOUR_LAG);
        state.cards().forEach(card -> restored.restoreCard(card.getKey(), roundTrip(card.getValue())));
        restored.finishRestore();

        assertThat(restored.accept(txn("T1").amount(10).at(at(ofHours(1))).event(2), NOW).deadLetter().reason())
                .isEqualTo(DeadLetterReason.DUPLICATE_DELIVERY.name());
        assertThat(restored.accept(txn("T1").amount(11).at(at(ofHours(1))).event(3), NOW).deadLetter().reason())
                .isEqualTo(DeadLetterReason.DUPLICATE_TRANSACTION_ID.name());
    }

    /** Through Hazelcast's serialisation, as a snapshot stores it. */
    private static CardHistory roundTrip(CardHistory history) {
        SerializationService serialization = new DefaultSerializationServiceBuilder().build();
        return serialization.toObject(serialization.toData(history));
    }
}
