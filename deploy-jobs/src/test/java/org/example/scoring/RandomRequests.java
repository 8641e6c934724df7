package org.example.scoring;

import org.example.definition.FeatureDefinition;
import org.example.records.CardFeatures;
import org.example.records.FraudRequest;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;

import java.time.LocalDate;
import java.time.Month;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Scoring requests drawn with a fixed seed to probe everything the two scorers could disagree on:
 * every vocabulary value and some outside it, amounts and distances exactly on the model's split
 * points and one ulp either side, zero windows, ages on the age-group bounds, birthdays on
 * 29 February, times a few milliseconds around midnight UTC and at the handler's time bounds,
 * and a few percent of requests the handler rejects (non-finite numbers, unknown values, missing
 * values, impossible dates of birth).
 */
final class RandomRequests {

    private static final long MS_PER_DAY = 86_400_000L;
    private static final long TYPICAL_FROM = LocalDate.of(2020, 1, 1).toEpochDay() * MS_PER_DAY;
    private static final long TYPICAL_TO = LocalDate.of(2031, 1, 1).toEpochDay() * MS_PER_DAY;
    private static final String[] STRANGE_VALUES = {
            "crypto_exchange", "", " travel", "Travel", "f", "URBAN", "it's", "say \"hi\"", "both ' and \"",
            "back\\slash", "line\nbreak", "tab\there", "caf\u00e9", "no\u00a0break", "sep\u2028arator",
            "\u0000nul", "emoji \uD83D\uDE00", "x".repeat(70), "\u00e9".repeat(65) + "z"};

    private final SplittableRandom random;
    private final FeatureDefinition features;
    private final double[] amountSplits;
    private final double[] distanceSplits;
    private final double[] sumSplits;
    private final int[] ageGroupBounds;

    RandomRequests(long seed, FeatureDefinition features, LightGbmModel model) {
        this.random = new SplittableRandom(seed);
        this.features = features;
        this.amountSplits = splits(model, "amount");
        this.distanceSplits = splits(model, "distance_km");
        this.sumSplits = splits(model, "amount_sum_24h");
        // The first group starts at birth; babies have a kind of their own below.
        this.ageGroupBounds = features.ageGroups().stream().mapToInt(FeatureDefinition.AgeGroup::minAge)
                .filter(age -> age > 0).toArray();
    }

    List<FraudRequest> next(int count) {
        List<FraudRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(request(i));
        }
        return requests;
    }

    private FraudRequest request(int i) {
        long time = eventTime();
        LocalDate dateOfBirth = dateOfBirth(time);
        if (chance(0.06)) { // born on 29 February, the transaction a few days around 1 March
            int birthYear = 1904 + 4 * random.nextInt(25);
            LocalDate day = LocalDate.of(birthYear + 1 + random.nextInt(100), Month.MARCH, 1)
                    .plusDays(random.nextInt(-3, 3));
            dateOfBirth = LocalDate.of(birthYear, Month.FEBRUARY, 29);
            time = day.toEpochDay() * MS_PER_DAY + random.nextLong(MS_PER_DAY);
        }
        double amount = amount();
        int count24h = chance(0.05) ? 0 : 1 + random.nextInt(chance(0.1) ? 200 : 12);
        int count7d = chance(0.05) ? 0 : count24h + random.nextInt(chance(0.1) ? 1000 : 40);
        double sum24h = chance(0.05) ? 0.0 : chance(0.1) ? pick(sumSplits) : chance(0.2) ? amount
                : amount + count24h * logUniform(1, 500);
        if (chance(0.001)) {
            sum24h = nonFinite();
        }
        Transaction txn = new Transaction(String.format("R%06d", i), "test:card-" + i % 5000, "410000",
                String.format("%04d", i % 5000), String.format("M%05d", random.nextInt(3000)), amount, time,
                -90 + 180 * random.nextDouble(), -180 + 360 * random.nextDouble());
        return new FraudRequest(txn, new KafkaOrigin("transactions", i % 12, i, time + random.nextInt(5000)),
                new CardFeatures(count24h, sum24h, count7d),
                vocabularyValue("category", 0.005), vocabularyValue("gender", 0.003),
                dateOfBirth, cityPopulation(), vocabularyValue("setting", 0.003), distance());
    }

    private long eventTime() {
        FeatureDefinition.InputLimits limits = features.inputLimits();
        double kind = random.nextDouble();
        if (kind < 0.80) {
            return random.nextLong(TYPICAL_FROM, TYPICAL_TO);
        }
        if (kind < 0.92) { // within two seconds of midnight UTC
            return random.nextLong(TYPICAL_FROM / MS_PER_DAY, TYPICAL_TO / MS_PER_DAY) * MS_PER_DAY
                    + random.nextLong(-2000, 2000);
        }
        if (kind < 0.97) { // before 1970, where floor division and remainders differ from truncation
            return random.nextLong(limits.earliestMs(), 0);
        }
        if (kind < 0.99) {
            return random.nextLong(0, limits.latestMs());
        }
        long[] edges = {limits.earliestMs() - 1, limits.earliestMs(), limits.earliestMs() + 1,
                limits.latestMs() - 1, limits.latestMs(), limits.latestMs() + 1,
                Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, -1, 0};
        return edges[random.nextInt(edges.length)];
    }

    private LocalDate dateOfBirth(long timeMs) {
        LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(timeMs, MS_PER_DAY));
        double kind = random.nextDouble();
        if (kind < 0.72) {
            return today.minusYears(18 + random.nextInt(80)).plusDays(random.nextInt(-366, 366));
        }
        if (kind < 0.87) { // around an age-group bound, or the oldest age the handler accepts
            int bound = chance(0.03) ? features.inputLimits().maxAgeYears() + 1
                    : ageGroupBounds[random.nextInt(ageGroupBounds.length)];
            return today.minusYears(bound).plusDays(random.nextInt(-2, 3));
        }
        if (kind < 0.95) { // a birthday within a day of the transaction's date
            return today.minusYears(random.nextInt(1, 100)).plusDays(random.nextInt(-1, 2));
        }
        if (kind < 0.98) { // a baby, or born after the transaction
            return today.plusDays(random.nextInt(-400, 30));
        }
        if (kind < 0.995) { // years the request's JSON cannot write as YYYY-MM-DD, and the first ones it can
            int[] years = {-1, 0, 1, 999, 9999, 10_000, 12_345};
            return LocalDate.of(years[random.nextInt(years.length)], 1 + random.nextInt(12), 1 + random.nextInt(28));
        }
        return chance(0.5) ? null : today.minusYears(random.nextInt(100, 160));
    }

    private double amount() {
        double kind = random.nextDouble();
        if (kind < 0.70) {
            return Math.round(logUniform(0.5, 20_000) * 100) / 100.0;
        }
        if (kind < 0.90) {
            return pick(amountSplits);
        }
        if (kind < 0.97) {
            return logUniform(1e4, 1e12);
        }
        double[] edges = {0.0, -0.0, 1e-40, -1e-40, 1e-35, 1e-30, -5.0, 1e300, Double.MAX_VALUE, Double.MIN_VALUE};
        return chance(0.1) ? nonFinite() : edges[random.nextInt(edges.length)];
    }

    private double distance() {
        double kind = random.nextDouble();
        if (kind < 0.002) {
            return nonFinite();
        }
        if (kind < 0.05) {
            return 0.0;
        }
        return kind < 0.25 ? pick(distanceSplits) : logUniform(0.01, 20_000);
    }

    private long cityPopulation() {
        double kind = random.nextDouble();
        if (kind < 0.01) {
            long[] edges = {0, 1, Long.MAX_VALUE, (1L << 53) + 1};
            return edges[random.nextInt(edges.length)];
        }
        return Math.round(logUniform(20, 3_000_000));
    }

    /** A value of the vocabulary, each as likely; or with probability {@code strange} one outside it. */
    private String vocabularyValue(String vocabulary, double strange) {
        if (chance(strange)) {
            return chance(0.1) ? null : STRANGE_VALUES[random.nextInt(STRANGE_VALUES.length)];
        }
        List<String> values = features.vocabularies().get(vocabulary);
        return values.get(random.nextInt(values.size()));
    }

    /** A split point, or the double just below or above it. */
    private double pick(double[] splits) {
        double split = splits[random.nextInt(splits.length)];
        return switch (random.nextInt(3)) {
            case 0 -> Math.nextDown(split);
            case 1 -> split;
            default -> Math.nextUp(split);
        };
    }

    private double nonFinite() {
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        return values[random.nextInt(values.length)];
    }

    private double logUniform(double from, double to) {
        return Math.exp(Math.log(from) + random.nextDouble() * (Math.log(to) - Math.log(from)));
    }

    private boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    private static double[] splits(LightGbmModel model, String feature) {
        double[] splits = model.numericalThresholds(model.featureNames().indexOf(feature));
        if (splits.length == 0) {
            throw new IllegalStateException("the model never splits on " + feature);
        }
        return splits;
    }
}
