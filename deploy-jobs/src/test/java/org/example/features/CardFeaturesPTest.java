package org.example.features;

import com.hazelcast.jet.core.test.TestSupport;
import org.example.model.CardFeatures;
import org.example.model.FeaturedEvent;
import org.example.model.TransactionEvent;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.time.Duration.ofHours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.OTHER_CARD;
import static org.example.TestData.at;
import static org.example.TestData.txn;

/**
 * Runs the processor through Jet's own test harness, which also saves a snapshot and restores it
 * into a fresh processor between items, so a feature lost in a snapshot fails this test.
 */
class CardFeaturesPTest {

    @Test
    void shouldKeepExactFeaturesAcrossSnapshotsAndRestores() {
        List<TransactionEvent> input = List.of(
                txn("T1").card(CARD).amount(10).at(at(ofHours(0))).event(1),
                txn("T2").card(OTHER_CARD).amount(99).at(at(ofHours(1))).event(2),
                txn("T3").card(CARD).amount(20).at(at(ofHours(2))).event(3),
                txn("T4").card(CARD).amount(30).at(at(ofHours(25))).event(4));

        TestSupport.verifyProcessor(() -> new CardFeaturesP(FeatureDefinition.load(), ofHours(1).toMillis()))
                .disableLogging()
                .input(input)
                .outputChecker((expected, actual) -> features(actual).equals(expected))
                .expectOutput(List.of(
                        new CardFeatures(1, 10.0, 1),
                        new CardFeatures(1, 99.0, 1),
                        new CardFeatures(2, 30.0, 2),
                        new CardFeatures(2, 50.0, 3)));
    }

    private static List<CardFeatures> features(List<?> steps) {
        return steps.stream()
                .map(step -> (Step<?>) step)
                .peek(step -> assertThat(step.isOk()).isTrue())
                .map(step -> ((FeaturedEvent) step.value()).features())
                .toList();
    }
}
