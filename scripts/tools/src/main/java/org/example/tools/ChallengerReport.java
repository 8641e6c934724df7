package org.example.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Champion against challenger, over the predictions scored by both: how often they decide alike
 * (each at its own threshold; the challenger's decision is what it would have decided), the share
 * each flags, their score distributions, and precision and recall against labels where the data
 * has them. One block per pair of versions; pure, so it is tested without a cluster.
 */
record ChallengerReport(List<Pair> pairs) {

    /** One stored prediction with a challenger's score beside the champion's. */
    record Row(String transactionId, String championVersion, double championProbability, boolean championFlagged,
               String challengerVersion, double challengerProbability) {
    }

    /** What two models did to the same transactions. */
    record Pair(String champion, String challenger, double challengerThreshold, long scored, long agreed,
                long championFlagged, long challengerFlagged, double[] championQuantiles, double[] challengerQuantiles,
                Quality championQuality, Quality challengerQuality) {
    }

    /** Against the labels: flagged fraud, flagged legitimate, missed fraud; {@code labelled} 0 when there are none. */
    record Quality(long labelled, long truePositives, long falsePositives, long falseNegatives) {

        double precision() {
            return truePositives + falsePositives == 0 ? Double.NaN : (double) truePositives / (truePositives + falsePositives);
        }

        double recall() {
            return truePositives + falseNegatives == 0 ? Double.NaN : (double) truePositives / (truePositives + falseNegatives);
        }
    }

    static final double[] QUANTILES = {0.1, 0.5, 0.9, 0.99};

    static ChallengerReport of(List<Row> rows, ToDoubleFunction<String> challengerThreshold, Map<String, Boolean> labels) {
        Map<String, List<Row>> byPair = new LinkedHashMap<>();
        rows.forEach(r -> byPair.computeIfAbsent(r.championVersion() + "\n" + r.challengerVersion(), k -> new ArrayList<>()).add(r));
        List<Pair> pairs = new ArrayList<>();
        for (List<Row> pair : byPair.values()) {
            String challenger = pair.get(0).challengerVersion();
            double threshold = challengerThreshold.applyAsDouble(challenger);
            long agreed = pair.stream().filter(r -> r.championFlagged() == (r.challengerProbability() >= threshold)).count();
            pairs.add(new Pair(pair.get(0).championVersion(), challenger, threshold, pair.size(), agreed,
                    pair.stream().filter(Row::championFlagged).count(),
                    pair.stream().filter(r -> r.challengerProbability() >= threshold).count(),
                    quantiles(pair.stream().mapToDouble(Row::championProbability).toArray()),
                    quantiles(pair.stream().mapToDouble(Row::challengerProbability).toArray()),
                    quality(pair, Row::championFlagged, labels),
                    quality(pair, r -> r.challengerProbability() >= threshold, labels)));
        }
        return new ChallengerReport(pairs);
    }

    private static double[] quantiles(double[] scores) {
        Arrays.sort(scores);
        double[] q = new double[QUANTILES.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = scores[(int) Math.min(scores.length - 1, Math.floor(QUANTILES[i] * scores.length))];
        }
        return q;
    }

    private static Quality quality(List<Row> rows, java.util.function.Predicate<Row> flagged, Map<String, Boolean> labels) {
        long labelled = 0, tp = 0, fp = 0, fn = 0;
        for (Row row : rows) {
            Boolean fraud = labels.get(row.transactionId());
            if (fraud == null) {
                continue;
            }
            labelled++;
            boolean flags = flagged.test(row);
            tp += fraud && flags ? 1 : 0;
            fp += !fraud && flags ? 1 : 0;
            fn += fraud && !flags ? 1 : 0;
        }
        return new Quality(labelled, tp, fp, fn);
    }

    String text(Duration range) {
        StringBuilder out = new StringBuilder();
        if (pairs.isEmpty()) {
            return "No prediction of the last " + range + " has a challenger's score.\n";
        }
        for (Pair p : pairs) {
            out.append(String.format("champion %s against challenger %s, %,d transactions scored by both (last %s)%n",
                    p.champion(), p.challenger(), p.scored(), range));
            out.append(String.format("  agreement          %.2f %% decide alike (challenger at its threshold %.4f)%n",
                    100.0 * p.agreed() / p.scored(), p.challengerThreshold()));
            out.append(String.format("  flagged            champion %.3f %%, challenger %.3f %%%n",
                    100.0 * p.championFlagged() / p.scored(), 100.0 * p.challengerFlagged() / p.scored()));
            out.append(String.format("  scores p10/p50/p90/p99  champion %s, challenger %s%n",
                    format(p.championQuantiles()), format(p.challengerQuantiles())));
            if (p.championQuality().labelled() > 0) {
                out.append(String.format("  against %,d labels  champion precision %.3f recall %.3f; challenger precision %.3f recall %.3f%n",
                        p.championQuality().labelled(), p.championQuality().precision(), p.championQuality().recall(),
                        p.challengerQuality().precision(), p.challengerQuality().recall()));
            }
        }
        return out.toString();
    }

    private static String format(double[] quantiles) {
        return String.join("/", Arrays.stream(quantiles).mapToObj(q -> String.format("%.4f", q)).toList());
    }
}
