package org.example.records;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.TestData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.prediction;

class DecisionTest {

    @Test
    void shouldDecideTheBandThePolicyPutThePredictionIn() {
        assertThat(Decision.of(prediction("T1").band("REVIEW").build()).decision()).isEqualTo("REVIEW");
        assertThat(Decision.of(prediction("T2").flagged(true).build()).decision()).isEqualTo("DECLINE");
        assertThat(Decision.of(prediction("T3").flagged(false).build()).decision()).isEqualTo("APPROVE");
    }

    @Test
    void shouldBeKeyedByTheCardTokenSoOneCardsDecisionsShareAPartition() {
        FraudPrediction p = prediction("T1").build();

        assertThat(Decision.of(p).key()).isEqualTo(p.cardToken()).isEqualTo(TestData.token(TestData.CARD));
    }

    @Test
    void shouldCarryTheScoreTheModelAndTheTimesOfThePrediction() {
        FraudPrediction p = prediction("T1").offset(7).appendedAt(5_000).storedAfter(40).flagged(true).version("m-3").build();

        Decision d = Decision.of(p);

        assertThat(d.transactionId()).isEqualTo("T1");
        assertThat(d.fraudProbability()).isEqualTo(0.9);
        assertThat(d.modelVersion()).isEqualTo("m-3");
        assertThat(d.eventTimeMs()).isEqualTo(p.eventTimeMs());
        assertThat(d.appendTimeMs()).isEqualTo(5_000);
        assertThat(d.decisionTimeMs()).isEqualTo(5_040);
        assertThat(d.originOffset()).isEqualTo(7);
    }

    @Test
    void shouldCarryTheBandItsReasonsInWordsAndThePolicyItWasDecidedUnder() {
        Decision d = Decision.of(prediction("T1").version("m-3").band("DECLINE",
                new Reason("amount", 412.5, 1.25, "amount 412.50, 9.3× this card's 24 h average"),
                new Reason("distance_km", 2310.0, 0.75, "2,310 km from home")).build());

        assertThat(d.band()).isEqualTo("DECLINE");
        assertThat(d.policyVersion()).isEqualTo("m-3@metadata");
        assertThat(d.reasons()).containsExactly("amount 412.50, 9.3× this card's 24 h average", "2,310 km from home");
        assertThat(Decision.of(prediction("T2").build()).reasons()).as("APPROVE has no reasons").isEmpty();
    }

    @Test
    void shouldWriteTheSnakeCaseJsonOfDocsDataMdWithoutTheCardNumber() throws Exception {
        String json = Json.toJson(Decision.of(prediction("T1").flagged(true).build()));

        JsonNode node = Json.MAPPER.readTree(json);
        assertThat(node.fieldNames()).toIterable().containsExactly("transaction_id", "card_token", "bin", "last4",
                "decision", "band", "fraud_probability", "reasons", "model_version", "policy_version", "event_time_ms",
                "append_time_ms", "decision_time_ms", "origin_topic", "origin_partition", "origin_offset");
        assertThat(node.get("decision").asText()).isEqualTo("DECLINE");
        assertThat(json).doesNotContain(TestData.CARD);
    }
}
