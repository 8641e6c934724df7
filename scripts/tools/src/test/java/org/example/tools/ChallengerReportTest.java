package org.example.tools;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChallengerReportTest {

    private static ChallengerReport.Row row(String id, double champion, boolean flagged, double challenger) {
        return new ChallengerReport.Row(id, "v1", champion, flagged, "v2", challenger);
    }

    @Test
    void shouldCountAgreementAtEachModelsOwnThresholdAndScoreBothAgainstTheLabels() {
        List<ChallengerReport.Row> rows = List.of(
                row("a", 0.9, true, 0.8),    // both flag, fraud
                row("b", 0.2, false, 0.7),   // only the challenger flags, legitimate
                row("c", 0.1, false, 0.1),   // neither, fraud missed by both
                row("d", 0.6, true, 0.3));   // only the champion flags, legitimate

        ChallengerReport report = ChallengerReport.of(rows, version -> 0.5,
                Map.of("a", true, "b", false, "c", true, "d", false));

        ChallengerReport.Pair pair = report.pairs().get(0);
        assertThat(pair.scored()).isEqualTo(4);
        assertThat(pair.agreed()).isEqualTo(2);
        assertThat(pair.championFlagged()).isEqualTo(2);
        assertThat(pair.challengerFlagged()).isEqualTo(2);
        assertThat(pair.championQuality()).isEqualTo(new ChallengerReport.Quality(4, 1, 1, 1));
        assertThat(pair.challengerQuality()).isEqualTo(new ChallengerReport.Quality(4, 1, 1, 1));
        assertThat(pair.championQuantiles()[1]).isEqualTo(0.6);
        assertThat(report.text(Duration.ofHours(1)))
                .contains("champion v1 against challenger v2, 4 transactions scored by both")
                .contains("50.00 % decide alike")
                .contains("champion precision 0.500 recall 0.500");
    }

    @Test
    void shouldSaySoWhenNoPredictionHasAChallenger() {
        assertThat(ChallengerReport.of(List.of(), v -> 0.5, Map.of()).text(Duration.ofMinutes(5)))
                .isEqualTo("No prediction of the last PT5M has a challenger's score.\n");
    }
}
