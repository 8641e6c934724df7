package org.example.policy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bands a policy decides, the policies refused and why, and the default a model's metadata gives. */
class ScoringPolicyTest {

    private static final ScoringPolicy POLICY = ScoringPolicy.of("m1", 0.2, 0.6, 3, "alice", 1000);

    @Test
    void shouldApproveBelowReviewReviewFromItsThresholdAndDeclineFromTheDeclineThreshold() {
        assertThat(POLICY.band(0.0)).isEqualTo(Band.APPROVE);
        assertThat(POLICY.band(0.1999)).isEqualTo(Band.APPROVE);
        assertThat(POLICY.band(0.2)).isEqualTo(Band.REVIEW);
        assertThat(POLICY.band(0.5999)).isEqualTo(Band.REVIEW);
        assertThat(POLICY.band(0.6)).isEqualTo(Band.DECLINE);
        assertThat(POLICY.band(1.0)).isEqualTo(Band.DECLINE);
    }

    @Test
    void shouldHaveNoReviewBandWhenBothThresholdsAreEqual() {
        ScoringPolicy noReview = ScoringPolicy.of("m1", 0.4, 0.4, 1, "bob", 0);
        assertThat(noReview.band(0.3999)).isEqualTo(Band.APPROVE);
        assertThat(noReview.band(0.4)).isEqualTo(Band.DECLINE);
    }

    @Test
    void shouldNameTheKeyAndRevisionAsItsVersion() {
        assertThat(POLICY.policyVersion()).isEqualTo("m1@3");
        assertThat(ScoringPolicy.of("*", 0.1, 0.2, 1, "bob", 0).policyVersion()).isEqualTo("*@1");
    }

    @Test
    void shouldRefuseThresholdsOutOfOrder() {
        assertThatThrownBy(() -> ScoringPolicy.of("m1", 0.7, 0.3, 1, "alice", 0))
                .isInstanceOf(PolicyRefused.class)
                .hasMessage("review-from 0.7 is above decline-from 0.3: REVIEW must start at or below DECLINE");
    }

    @Test
    void shouldRefuseThresholdsOutsideZeroToOne() {
        assertThatThrownBy(() -> ScoringPolicy.of("m1", -0.1, 0.3, 1, "alice", 0))
                .hasMessage("review-from -0.1 is not a probability: it must be within [0, 1]");
        assertThatThrownBy(() -> ScoringPolicy.of("m1", 0.1, 1.5, 1, "alice", 0))
                .hasMessage("decline-from 1.5 is not a probability: it must be within [0, 1]");
        assertThatThrownBy(() -> ScoringPolicy.of("m1", Double.NaN, 0.5, 1, "alice", 0))
                .hasMessage("review-from NaN is not a probability: it must be within [0, 1]");
    }

    @Test
    void shouldRefuseAThresholdThatIsNotANumber() {
        assertThatThrownBy(() -> ScoringPolicy.threshold("review-from", "high"))
                .isInstanceOf(PolicyRefused.class)
                .hasMessage("review-from 'high' is not a number; give a probability in [0, 1], e.g. 0.2");
        assertThat(ScoringPolicy.threshold("decline-from", " 0.35 ")).isEqualTo(0.35);
    }

    @Test
    void shouldRefuseAPolicyWithoutAModelVersion() {
        assertThatThrownBy(() -> ScoringPolicy.of(" ", 0.1, 0.2, 1, "alice", 0))
                .hasMessage("a policy needs a model version, or '*' for every model");
    }

    @Test
    void shouldDeclineFromTheModelsThresholdAndReviewFromItsAlertBudgetByDefault() {
        String metadata = """
                {"model_version": "m2", "threshold": 0.1676,
                 "threshold_rule": {"thresholds_on_validation": {"alert_budget": 0.0348, "no_history": 0.1676}}}""";

        ScoringPolicy policy = ScoringPolicy.fromMetadata("m2", metadata);

        assertThat(policy.declineFrom()).isEqualTo(0.1676);
        assertThat(policy.reviewFrom()).isEqualTo(0.0348);
        assertThat(policy.policyVersion()).isEqualTo("m2@metadata");
    }

    @Test
    void shouldReviewFromHalfTheThresholdForAModelWithoutAnAlertBudgetBelowIt() {
        assertThat(ScoringPolicy.fromMetadata("m3", "{\"threshold\": 0.4}").reviewFrom()).isEqualTo(0.2);
        assertThat(ScoringPolicy.fromMetadata("m4", """
                {"threshold": 0.4, "threshold_rule": {"thresholds_on_validation": {"alert_budget": 0.6}}}""")
                .reviewFrom()).isEqualTo(0.2);
    }
}
