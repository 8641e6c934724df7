package org.example.tools;

import org.example.TestData;
import org.example.records.DeadLetter;
import org.example.records.FraudPrediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunReportTest {

    @Test
    void shouldAccountForInputsThatEndedAsPredictionsOrDeadLetters() {
        RunReport report = RunReport.of(3,
                List.of(prediction("T1", 0, 10, true), prediction("T2", 1, 30, false)),
                List.of(deadLetter(2, "UNKNOWN_CARD")),
                Map.of("T1", true, "T2", true));

        assertThat(report.accountsForEveryInput()).isTrue();
        assertThat(report.deadLettersByReason()).containsExactly(Map.entry("UNKNOWN_CARD", 1L));
        assertThat(report.precision()).isEqualTo(1.0);
        assertThat(report.recall()).isEqualTo(0.5);
    }

    @Test
    void shouldNoticeAnInputWithTwoOutcomes() {
        RunReport report = RunReport.of(2,
                List.of(prediction("T1", 0, 10, false), prediction("T2", 1, 10, false)),
                List.of(deadLetter(1, "SCORING_ERROR")),
                Map.of());

        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.accountsForEveryInput()).isFalse();
        assertThat(report.format()).contains("NO: 3 outcomes for 2 inputs, 1 duplicates");
    }

    @Test
    void shouldNoticeALostInput() {
        RunReport report = RunReport.of(2, List.of(prediction("T1", 0, 10, false)), List.of(), Map.of());

        assertThat(report.accountsForEveryInput()).isFalse();
    }

    @Test
    void shouldTakePercentilesByNearestRank() {
        long[] oneToHundred = new long[100];
        for (int i = 0; i < 100; i++) {
            oneToHundred[i] = 100 - i;
        }

        assertThat(RunReport.percentiles(oneToHundred)).containsExactly(50, 95, 99, 100);
        assertThat(RunReport.percentiles(new long[]{7})).containsExactly(7, 7, 7, 7);
    }

    @Test
    void shouldReadLabelsAndNameAMalformedLine(@TempDir Path dir) throws IOException {
        // An imported history names no pattern: its third field is empty.
        Path labels = Files.writeString(dir.resolve("labels.csv"), "transaction_id,is_fraud,pattern\nT1,1,spree\nT2,0,\n");
        Path broken = Files.writeString(dir.resolve("broken.csv"), "transaction_id,is_fraud,pattern\nT1,1,spree\nT2\n");

        assertThat(RunReport.readLabels(labels)).containsExactlyInAnyOrderEntriesOf(Map.of("T1", true, "T2", false));
        assertThatThrownBy(() -> RunReport.readLabels(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(broken + " line 3: expected transaction_id,is_fraud,pattern, not 'T2'");
        assertThatThrownBy(() -> RunReport.readLabels(dir.resolve("nowhere.csv")))
                .hasMessageStartingWith("Cannot read labels " + dir.resolve("nowhere.csv"));
    }

    private static FraudPrediction prediction(String id, long offset, long latencyMs, boolean flagged) {
        return TestData.prediction(id).offset(offset).storedAfter(latencyMs).flagged(flagged).build();
    }

    private static DeadLetter deadLetter(long offset, String reason) {
        return new DeadLetter("ENRICH", reason, "", "{}", "X", "test:token", TestData.TOPIC, 0, offset, 1000, 1001);
    }
}
