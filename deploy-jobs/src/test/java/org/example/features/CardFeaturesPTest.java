package org.example.features;

import com.hazelcast.jet.core.test.TestSupport;
import org.example.model.CardFeatures;
import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
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
import static org.example.TestData.message;
import static org.example.TestData.txn;

/**
 * Runs the processor through Jet's own test harness, which also saves a snapshot and restores it
 * into a fresh processor between items, so a feature lost in a snapshot fails this test.
 */
class CardFeaturesPTest {

    @Test
    void shouldKeepExactFeaturesAcrossSnapshotsAndRestores() {
        List<Step<TransactionEvent>> input = List.of(
                Step.ok(txn("T1").card(CARD).amount(10).at(at(ofHours(0))).event(1)),
                Step.ok(txn("T2").card(OTHER_CARD).amount(99).at(at(ofHours(1))).event(2)),
                Step.ok(txn("T3").card(CARD).amount(20).at(at(ofHours(2))).event(3)),
                Step.ok(txn("T4").card(CARD).amount(30).at(at(ofHours(25))).event(4)));

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

    @Test
    void shouldPassIngestsDeadLettersThrough() {
        DeadLetter malformed = DeadLetter.ofRaw("INGEST", DeadLetterReason.MALFORMED_JSON, "not valid JSON",
                message(CARD, "{", 0), "{");

        TestSupport.verifyProcessor(() -> new CardFeaturesP(FeatureDefinition.load(), ofHours(1).toMillis()))
                .disableLogging()
                .input(List.of(Step.failed(malformed)))
                .outputChecker((expected, actual) -> ((Step<?>) actual.get(0)).deadLetter().equals(expected.get(0)))
                .expectOutput(List.of(malformed));
    }

    private static List<CardFeatures> features(List<?> steps) {
        return steps.stream()
                .map(step -> (Step<?>) step)
                .peek(step -> assertThat(step.isOk()).isTrue())
                .map(step -> ((FeaturedEvent) step.value()).features())
                .toList();
    }
}
