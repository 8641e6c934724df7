package org.example.features;

import org.example.model.CardFeatures;
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

    @Test
    void shouldCountTheCurrentTransaction() {
        CardFeatures first = history.record(at(ofHours(0)), 25.0, WINDOWS);

        assertThat(first).isEqualTo(new CardFeatures(1, 25.0, 1));
    }

    @Test
    void shouldCountOnlyTheLast24Hours() {
        history.record(at(ofHours(0)), 10.0, WINDOWS);
        history.record(at(ofHours(20)), 20.0, WINDOWS);

        CardFeatures features = history.record(at(ofHours(30)), 30.0, WINDOWS);

        assertThat(features.txnCount24h()).isEqualTo(2);
        assertThat(features.amountSum24h()).isEqualTo(50.0);
        assertThat(features.txnCount7d()).isEqualTo(3);
    }

    @Test
    void shouldExcludeATransactionExactly24HoursAgo() {
        history.record(at(ofHours(0)), 10.0, WINDOWS);

        CardFeatures exactlyADayLater = history.record(at(ofHours(24)), 5.0, WINDOWS);

        assertThat(exactlyADayLater).isEqualTo(new CardFeatures(1, 5.0, 2));
    }

    @Test
    void shouldIncludeATransactionOneMillisecondInsideTheWindow() {
        history.record(at(ofHours(0)), 10.0, WINDOWS);

        CardFeatures features = history.record(at(ofHours(24).minus(ofMillis(1))), 5.0, WINDOWS);

        assertThat(features).isEqualTo(new CardFeatures(2, 15.0, 2));
    }

    @Test
    void shouldExcludeATransactionExactlySevenDaysAgo() {
        history.record(at(ofDays(0)), 10.0, WINDOWS);
        history.record(at(ofDays(1)), 10.0, WINDOWS);

        CardFeatures features = history.record(at(ofDays(7)), 10.0, WINDOWS);

        assertThat(features.txnCount7d()).isEqualTo(2);
    }

    @Test
    void shouldCountALateTransactionAtItsEventTime() {
        history.record(at(ofHours(10)), 10.0, WINDOWS);
        history.record(at(ofHours(12)), 20.0, WINDOWS);

        // Arrives third but happened first: its window holds only what happened before it.
        CardFeatures late = history.record(at(ofHours(11).minus(ofMinutes(30))), 40.0, WINDOWS);
        // Anything recorded afterwards counts it where its time falls.
        CardFeatures next = history.record(at(ofHours(13)), 5.0, WINDOWS);

        assertThat(late).isEqualTo(new CardFeatures(2, 50.0, 2));
        assertThat(next).isEqualTo(new CardFeatures(4, 75.0, 4));
    }

    @Test
    void shouldCountEqualEventTimesInArrivalOrder() {
        CardFeatures first = history.record(at(ofHours(1)), 10.0, WINDOWS);
        CardFeatures second = history.record(at(ofHours(1)), 20.0, WINDOWS);

        assertThat(first.txnCount24h()).isEqualTo(1);
        assertThat(second).isEqualTo(new CardFeatures(2, 30.0, 2));
    }

    @Test
    void shouldForgetEverythingUpToTheHorizon() {
        history.record(at(ofHours(0)), 10.0, WINDOWS);
        history.record(at(ofHours(1)), 10.0, WINDOWS);
        history.record(at(ofHours(2)), 10.0, WINDOWS);

        history.forgetUpTo(at(ofHours(1)));

        assertThat(history.size()).isEqualTo(1);
        assertThat(history.newestEventTimeMs()).isEqualTo(at(ofHours(2)));
    }

    @Test
    void shouldGrowBeyondItsInitialCapacity() {
        CardFeatures last = null;
        for (int i = 0; i < 100; i++) {
            last = history.record(at(ofMinutes(i)), 1.0, WINDOWS);
        }

        assertThat(last).isEqualTo(new CardFeatures(100, 100.0, 100));
    }
}
