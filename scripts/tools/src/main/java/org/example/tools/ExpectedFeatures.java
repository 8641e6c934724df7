package org.example.tools;

import org.example.records.CardFeatures;
import org.example.records.FraudPrediction;

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

    private static final String ID = "transaction_id";
    private static final String COUNT_24H = "txn_count_24h";
    private static final String SUM_24H = "amount_sum_24h";
    private static final String COUNT_7D = "txn_count_7d";
    static final List<String> COLUMNS = List.of(ID, COUNT_24H, SUM_24H, COUNT_7D);
    /** The job adds amounts one by one, numpy in another order: sums may differ in the last bits. */
    private static final double SUM_TOLERANCE = 1e-9;

    private ExpectedFeatures() {
    }

    static Map<String, CardFeatures> read(Path csv) {
        Map<String, CardFeatures> expected = new HashMap<>();
        CsvFiles.read(csv, "expected features", COLUMNS, row -> expected.put(row.get(ID), new CardFeatures(
                Integer.parseInt(row.get(COUNT_24H)), Double.parseDouble(row.get(SUM_24H)),
                Integer.parseInt(row.get(COUNT_7D)))));
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
