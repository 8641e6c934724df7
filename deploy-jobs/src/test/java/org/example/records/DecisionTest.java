package org.example.records;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.TestData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.prediction;

class DecisionTest {

    @Test
    void shouldDeclineWhatTheModelFlagsAndApproveTheRest() {
        assertThat(Decision.of(prediction("T1").flagged(true).build()).decision()).isEqualTo(Decision.DECLINE);
        assertThat(Decision.of(prediction("T2").flagged(false).build()).decision()).isEqualTo(Decision.APPROVE);
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
    void shouldLeaveBandReasonsAndPolicyToThePolicyUntilItDecides() {
        Decision d = Decision.of(prediction("T1").build());

        assertThat(d.band()).isNull();
        assertThat(d.policyVersion()).isNull();
        assertThat(d.reasons()).isEmpty();
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
