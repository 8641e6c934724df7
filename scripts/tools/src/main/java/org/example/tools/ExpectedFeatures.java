package org.example.tools;

import org.example.records.CardFeatures;
import org.example.records.FraudPrediction;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact features of a data set's transactions, computed offline by
 * {@code python/expected_features.py}, and the check of stored predictions against them. The
 * end-to-end test runs it after the job was suspended and resumed, after a broker outage and after
 * a replacing job rebuilt its state: a feature lost or counted twice on the way is a mismatch.
 */
final class ExpectedFeatures {

    static final String HEADER = "transaction_id,txn_count_24h,amount_sum_24h,txn_count_7d";
    /** The job adds amounts one by one, numpy in another order: sums may differ in the last bits. */
    private static final double SUM_TOLERANCE = 1e-9;

    private ExpectedFeatures() {
    }

    static Map<String, CardFeatures> read(Path csv) {
        Map<String, CardFeatures> expected = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(csv)) {
            String header = reader.readLine();
            if (!HEADER.equals(header)) {
                throw new IllegalArgumentException(csv + ": expected the header " + HEADER + ", not " + header);
            }
            String line;
            for (int lineNumber = 2; (line = reader.readLine()) != null; lineNumber++) {
                String[] fields = line.split(",");
                try {
                    expected.put(fields[0], new CardFeatures(Integer.parseInt(fields[1]),
                            Double.parseDouble(fields[2]), Integer.parseInt(fields[3])));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(csv + " line " + lineNumber + ": cannot read '" + line + "'", e);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read expected features " + csv + ": " + e, e);
        }
        return expected;
    }

    /** One line per prediction whose stored features are not the expected ones. */
    static List<String> mismatches(Collection<FraudPrediction> predictions, Map<String, CardFeatures> expected) {
        List<String> mismatches = new ArrayList<>();
        for (FraudPrediction p : predictions) {
            CardFeatures stored = new CardFeatures(p.txnCount24h(), p.amountSum24h(), p.txnCount7d());
            CardFeatures wanted = expected.get(p.transactionId());
            if (wanted == null || !matches(stored, wanted)) {
                mismatches.add(p.transactionId() + ": stored " + stored + ", expected " + wanted);
            }
        }
        return mismatches;
    }

    static boolean matches(CardFeatures stored, CardFeatures wanted) {
        return stored.txnCount24h() == wanted.txnCount24h()
                && stored.txnCount7d() == wanted.txnCount7d()
                && Math.abs(stored.amountSum24h() - wanted.amountSum24h())
                        <= SUM_TOLERANCE * Math.max(1.0, Math.abs(wanted.amountSum24h()));
    }
}
