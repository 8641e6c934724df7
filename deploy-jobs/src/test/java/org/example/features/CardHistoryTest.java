package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.example.records.CardFeatures;
import org.example.stages.Amounts;
import org.junit.jupiter.api.Test;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.at;

class CardHistoryTest {

    private static final FeatureDefinition WINDOWS = FeatureDefinition.load();
    private final CardHistory history = new CardHistory();
    private long nextId;

    @Test
    void shouldCountTheCurrentTransaction() {
        CardFeatures first = record(at(ofHours(0)), 25.0);

        assertThat(first).isEqualTo(new CardFeatures(1, 25.0, 1));
    }

    @Test
    void shouldCountOnlyTheLast24Hours() {
        record(at(ofHours(0)), 10.0);
        record(at(ofHours(20)), 20.0);

        CardFeatures features = record(at(ofHours(30)), 30.0);

        assertThat(features.txnCount24h()).isEqualTo(2);
        assertThat(features.amountSum24h()).isEqualTo(50.0);
        assertThat(features.txnCount7d()).isEqualTo(3);
    }

    @Test
    void shouldExcludeATransactionExactly24HoursAgo() {
        record(at(ofHours(0)), 10.0);

        CardFeatures exactlyADayLater = record(at(ofHours(24)), 5.0);

        assertThat(exactlyADayLater).isEqualTo(new CardFeatures(1, 5.0, 2));
    }

    @Test
    void shouldIncludeATransactionOneMillisecondInsideTheWindow() {
        record(at(ofHours(0)), 10.0);

        CardFeatures features = record(at(ofHours(24).minus(ofMillis(1))), 5.0);

        assertThat(features).isEqualTo(new CardFeatures(2, 15.0, 2));
    }

    @Test
    void shouldExcludeATransactionExactlySevenDaysAgo() {
        record(at(ofDays(0)), 10.0);
        record(at(ofDays(1)), 10.0);

        CardFeatures features = record(at(ofDays(7)), 10.0);

        assertThat(features.txnCount7d()).isEqualTo(2);
    }

    @Test
    void shouldCountALateTransactionAtItsEventTime() {
        record(at(ofHours(10)), 10.0);
        record(at(ofHours(12)), 20.0);

        // Arrives third but happened first: its window holds only what happened before it.
        CardFeatures late = record(at(ofHours(11).minus(ofMinutes(30))), 40.0);
        // Anything recorded afterwards counts it where its time falls.
        CardFeatures next = record(at(ofHours(13)), 5.0);

        assertThat(late).isEqualTo(new CardFeatures(2, 50.0, 2));
        assertThat(next).isEqualTo(new CardFeatures(4, 75.0, 4));
    }

    @Test
    void shouldCountEqualEventTimesInArrivalOrder() {
        CardFeatures first = record(at(ofHours(1)), 10.0);
        CardFeatures second = record(at(ofHours(1)), 20.0);

        assertThat(first.txnCount24h()).isEqualTo(1);
        assertThat(second).isEqualTo(new CardFeatures(2, 30.0, 2));
    }

    @Test
    void shouldForgetEverythingUpToTheHorizon() {
        record(at(ofHours(0)), 10.0);
        record(at(ofHours(1)), 10.0);
        record(at(ofHours(2)), 10.0);

        history.forgetUpTo(at(ofHours(1)));

        assertThat(history.size()).isEqualTo(1);
        assertThat(history.newestEventTimeMs()).isEqualTo(at(ofHours(2)));
    }

    @Test
    void shouldSumAmountsExactlyToTheCent() {
        CardFeatures features = null;
        for (int i = 0; i < 10; i++) {
            features = record(at(ofMinutes(i)), 0.10);
        }
        features = record(at(ofMinutes(10)), 0.20);

        // As doubles, ten times 0.1 plus 0.2 is 1.2000000000000002.
        assertThat(features.amountSum24h()).isEqualTo(1.2);
    }

    @Test
    void shouldFindAHeldTransactionByItsIdUntilItIsForgotten() {
        history.record(at(ofHours(0)), 1000, 11, 21, WINDOWS);
        history.record(at(ofHours(1)), 2000, 12, 22, WINDOWS);

        assertThat(history.indexOfId(12)).isEqualTo(1);
        assertThat(history.bodyFingerprintAt(1)).isEqualTo(22);
        assertThat(history.eventTimeAt(1)).isEqualTo(at(ofHours(1)));
        history.forgetUpTo(at(ofHours(0)));
        assertThat(history.indexOfId(11)).isEqualTo(-1);
        assertThat(history.indexOfId(12)).isZero();
    }

    @Test
    void shouldGrowBeyondItsInitialCapacity() {
        CardFeatures last = null;
        for (int i = 0; i < 100; i++) {
            last = record(at(ofMinutes(i)), 1.0);
        }

        assertThat(last).isEqualTo(new CardFeatures(100, 100.0, 100));
    }

    /** Records a transaction of a new id. */
    private CardFeatures record(long eventTimeMs, double amount) {
        nextId++;
        return history.record(eventTimeMs, Amounts.cents(amount), nextId, -nextId, WINDOWS);
    }

    @Test
    void shouldComeBackFromASnapshotWithEveryTransactionAndItsFingerprints() {
        for (int i = 0; i < 100; i++) {
            record(at(ofMinutes(i)), 1.25);
        }
        SerializationService serialization = new DefaultSerializationServiceBuilder().build();

        CardHistory restored = serialization.toObject(serialization.toData(history));

        assertThat(restored.size()).isEqualTo(100);
        assertThat(restored.indexOfId(37)).isEqualTo(history.indexOfId(37)).isEqualTo(36);
        assertThat(restored.bodyFingerprintAt(36)).isEqualTo(-37);
        assertThat(restored.record(at(ofMinutes(100)), 125, 1000, 1000, WINDOWS))
                .isEqualTo(history.record(at(ofMinutes(100)), 125, 1000, 1000, WINDOWS))
                .isEqualTo(new CardFeatures(101, 126.25, 101));
    }
}
