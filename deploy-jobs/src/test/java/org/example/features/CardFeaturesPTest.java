package org.example.features;

import org.example.definition.FeatureDefinition;
import com.hazelcast.jet.core.test.TestSupport;
import org.example.records.CardFeatures;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.FeaturedEvent;
import org.example.records.TransactionEvent;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.NOW;
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
    void shouldKeepEachPartitionsEvictionAcrossSnapshotsAndRestores() {
        String thirdCard = "4111111111111111";
        List<Step<TransactionEvent>> input = List.of(
                Step.ok(txn("T1").card(CARD).partition(0).at(at(ofDays(0))).event(1)),
                Step.ok(txn("T2").card(OTHER_CARD).partition(1).at(at(ofDays(0))).event(1)),
                // Partition 0 moves on by more than 7 days and the lag: CARD is evicted, OTHER_CARD not.
                Step.ok(txn("T3").card(thirdCard).partition(0).at(at(ofDays(8))).event(2)),
                // Its 7-day window reaches back into what partition 0 evicted: too late to be exact.
                Step.ok(txn("T4").card(CARD).partition(0).at(at(ofDays(6))).event(3)),
                Step.ok(txn("T5").card(OTHER_CARD).partition(1).at(at(ofDays(1))).event(2)));

        TestSupport.verifyProcessor(() -> new CardFeaturesP(FeatureDefinition.load(), ofHours(1).toMillis()))
                .disableLogging()
                .input(input)
                .outputChecker((expected, actual) -> actual.stream().map(step -> describe((Step<?>) step)).toList()
                        .equals(expected))
                .expectOutput(List.of(
                        "features 1, 10.0, 1",
                        "features 1, 10.0, 1",
                        "features 1, 10.0, 1",
                        "dead letter LATE_EVENT",
                        "features 1, 10.0, 2"));
    }

    @Test
    void shouldPassIngestsDeadLettersThrough() {
        DeadLetter malformed = DeadLetter.of("INGEST", DeadLetterReason.MALFORMED_JSON, "not valid JSON",
                message(CARD, "{", 0), NOW);

        TestSupport.verifyProcessor(() -> new CardFeaturesP(FeatureDefinition.load(), ofHours(1).toMillis()))
                .disableLogging()
                .input(List.of(Step.failed(malformed)))
                .outputChecker((expected, actual) -> ((Step<?>) actual.get(0)).deadLetter().equals(expected.get(0)))
                .expectOutput(List.of(malformed));
    }

    private static String describe(Step<?> step) {
        if (!step.isOk()) {
            return "dead letter " + step.deadLetter().reason();
        }
        CardFeatures f = ((FeaturedEvent) step.value()).features();
        return "features " + f.txnCount24h() + ", " + f.amountSum24h() + ", " + f.txnCount7d();
    }

    private static List<CardFeatures> features(List<?> steps) {
        return steps.stream()
                .map(step -> (Step<?>) step)
                .peek(step -> assertThat(step.isOk()).isTrue())
                .map(step -> ((FeaturedEvent) step.value()).features())
                .toList();
    }
}
