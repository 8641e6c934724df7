package org.example.scoring;

import org.example.definition.FeatureDefinition;
import org.example.policy.ScoringPolicy;
import org.example.stages.Act;
import org.example.stages.Step;
import org.example.stages.Transform;
import org.example.TestData;
import org.example.records.CardFeatures;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FraudPrediction;
import org.example.records.Json;
import org.example.records.Reason;
import org.example.records.ScoreReply;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.NOW;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

/** Reading the handler's replies and turning a score into a prediction (PREDICT and ACT). */
class PythonScorerTest {

    private final String request = Json.toJson(Transform.toRequest(new EnrichedEvent(
            txn("T1").amount(12.5).featured(new CardFeatures(1, 12.5, 3)), customer(CARD), merchant(MERCHANT)),
            6371.0088));

    @Test
    void shouldTurnAScoreIntoAPrediction() {
        String reply = """
                {"fraud_probability": 0.875, "is_fraud": true, "model_version": "v1", "request": %s}"""
                .formatted(request);

        FraudPrediction prediction = Act.toPrediction(PythonScorer.readReply(reply, NOW).value(),
                ScoringPolicy.of("v1", 0.5, 0.8, 1, "test", 0), 123L);

        assertThat(prediction.transactionId()).isEqualTo("T1");
        assertThat(prediction.fraudProbability()).isEqualTo(0.875);
        assertThat(prediction.fraud()).isTrue();
        assertThat(prediction.band()).isEqualTo("DECLINE");
        assertThat(prediction.policyVersion()).isEqualTo("v1@1");
        assertThat(prediction.txnCount7d()).isEqualTo(3);
        assertThat(prediction.storedTimeMs()).isEqualTo(123L);
        assertThat(Act.key(prediction).getPartitionKey()).isEqualTo(TestData.token(CARD));
    }

    @Test
    void shouldMakeTheReasonsOfAFlaggedScoreFromItsContributionsAndDropThem() {
        List<String> columns = FeatureDefinition.load().modelColumns();
        double[] contributions = new double[columns.size() + 1];
        contributions[columns.indexOf("txn_count_7d")] = 1.5;
        contributions[columns.indexOf("amount")] = 0.5;
        contributions[columns.indexOf("distance_km")] = -2.0;
        String reply = """
                {"fraud_probability": 0.9, "is_fraud": true, "model_version": "v1", "contributions": %s, "request": %s}"""
                .formatted(Arrays.toString(contributions), request);

        ScoreReply read = PythonScorer.readReply(reply, NOW).value();

        // Only what pushed the score up, largest first, with the request's own values and texts.
        assertThat(read.reasons()).extracting(Reason::feature).containsExactly("txn_count_7d", "amount");
        assertThat(read.reasons()).extracting(Reason::text).containsExactly("3 transactions in 7 days",
                "amount 12.50, 1.0× this card's 24 h average");
        assertThat(read.contributions()).isNull();
    }

    @Test
    void shouldDeadLetterContributionsThatDoNotFitTheModelsColumnsAsAnInternalError() {
        String reply = """
                {"fraud_probability": 0.9, "is_fraud": true, "model_version": "v1", "contributions": [0.1, 0.2], "request": %s}"""
                .formatted(request);

        Step<ScoreReply> step = PythonScorer.readReply(reply, NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.INTERNAL_ERROR.name());
        assertThat(step.deadLetter().detail()).contains("Python gave 2 contributions for");
        assertThat(step.deadLetter().transactionId()).isEqualTo("T1");
    }

    @Test
    void shouldDeadLetterAnErrorReplyWithTheHandlersReason() {
        String reply = """
                {"error": "unknown category 'x'", "request": %s}""".formatted(request);

        Step<ScoreReply> step = PythonScorer.readReply(reply, NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.SCORING_ERROR.name());
        assertThat(step.deadLetter().detail()).isEqualTo("unknown category 'x'");
        assertThat(step.deadLetter().transactionId()).isEqualTo("T1");
        assertThat(step.deadLetter().stage()).isEqualTo("PREDICT");
    }

    @Test
    void shouldDeadLetterAReplyWithoutAProbability() {
        Step<ScoreReply> step = PythonScorer.readReply("{\"is_fraud\": false, \"request\": " + request + "}", NOW);

        assertThat(step.deadLetter().detail()).contains("lacks fraud_probability");
    }

    @Test
    void shouldRecordAnUnreadableReplyUnderAStableKey() {
        Step<ScoreReply> first = PythonScorer.readReply("Traceback (most recent call last)", NOW);
        Step<ScoreReply> again = PythonScorer.readReply("Traceback (most recent call last)", NOW);

        assertThat(first.deadLetter().detail()).startsWith("unreadable reply");
        assertThat(first.deadLetter().payload()).isEqualTo("Traceback (most recent call last)");
        assertThat(first.deadLetter().key()).isEqualTo(again.deadLetter().key());
    }

    @Test
    void shouldDeadLetterAReplyWithoutItsRequestAndSayWhyWhenTheHandlerDid() {
        Step<ScoreReply> bare = PythonScorer.readReply("{\"fraud_probability\": 0.5, \"is_fraud\": false}", NOW);
        Step<ScoreReply> explained = PythonScorer.readReply("{\"error\": \"not a JSON object\"}", NOW);

        assertThat(bare.deadLetter().detail()).isEqualTo("reply without its request");
        assertThat(explained.deadLetter().detail()).isEqualTo("reply without its request: not a JSON object");
        assertThat(bare.deadLetter().payload()).isEqualTo("{\"fraud_probability\": 0.5, \"is_fraud\": false}");
    }
}
