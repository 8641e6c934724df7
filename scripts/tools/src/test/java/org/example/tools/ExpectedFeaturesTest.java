package org.example.tools;

import org.example.records.CardFeatures;
import org.example.TestData;
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

class ExpectedFeaturesTest {

    private static final Map<String, CardFeatures> EXPECTED = Map.of(
            "T1", new CardFeatures(1, 57.13, 1),
            "T2", new CardFeatures(2, 86.71, 3));

    @TempDir
    Path dir;

    @Test
    void shouldReadTheFileThatPythonWrites() throws IOException {
        Path csv = Files.writeString(dir.resolve("expected.csv"),
                String.join(",", ExpectedFeatures.COLUMNS) + "\r\nT1,1,57.13,1\r\nT2,2,86.71,3\r\n");

        assertThat(ExpectedFeatures.read(csv)).isEqualTo(EXPECTED);
    }

    @Test
    void shouldNameTheLineAndTheFieldItCannotRead() throws IOException {
        Path csv = Files.writeString(dir.resolve("expected.csv"),
                String.join(",", ExpectedFeatures.COLUMNS) + "\nT1,1,57.13,1\nT2,two,86.71,3\n");

        assertThatThrownBy(() -> ExpectedFeatures.read(csv))
                .hasMessage(csv + " line 3: cannot read 'T2,two,86.71,3': For input string: \"two\"");
    }

    @Test
    void shouldRefuseAFileOfOtherWindows() throws IOException {
        Path csv = Files.writeString(dir.resolve("expected.csv"), "transaction_id,txn_count_1h\nT1,1\n");

        assertThatThrownBy(() -> ExpectedFeatures.read(csv)).hasMessage(csv
                + ": expected the header transaction_id,txn_count_24h,amount_sum_24h,txn_count_7d, not transaction_id,txn_count_1h");
    }

    @Test
    void shouldAcceptASumThatDiffersOnlyInItsLastBits() {
        List<FraudPrediction> stored = List.of(prediction("T1", 1, 57.13 + 1e-13, 1), prediction("T2", 2, 86.71, 3));

        assertThat(ExpectedFeatures.mismatches(stored, EXPECTED)).isEmpty();
    }

    @Test
    void shouldNameAPredictionWhoseFeaturesLostOrDoubledATransaction() {
        List<FraudPrediction> stored = List.of(prediction("T1", 1, 57.13, 1), prediction("T2", 2, 86.71, 4),
                prediction("T3", 1, 1.0, 1));

        assertThat(ExpectedFeatures.mismatches(stored, EXPECTED)).containsExactly(
                "T2: stored CardFeatures[txnCount24h=2, amountSum24h=86.71, txnCount7d=4], "
                        + "expected CardFeatures[txnCount24h=2, amountSum24h=86.71, txnCount7d=3]",
                "T3: stored CardFeatures[txnCount24h=1, amountSum24h=1.0, txnCount7d=1], expected null");
    }

    private static FraudPrediction prediction(String id, int count24h, double sum24h, int count7d) {
        return TestData.prediction(id).features(count24h, sum24h, count7d).build();
    }
}
