package org.example.stages;

/**
 * Amounts are JSON numbers with at most two decimals, and the windows sum them as whole cents, so
 * a 24-hour sum is exact to the cent however many transactions it holds, and no amount can push it
 * to infinity: INGEST refuses amounts above a configurable limit.
 */
public final class Amounts {

    private Amounts() {
    }

    /** The amount in whole cents; exact for every amount that {@link #problem} accepts. */
    public static long cents(double amount) {
        return Math.round(amount * 100);
    }

    /** The cents as the number the model and the maps see. */
    public static double ofCents(long cents) {
        return cents / 100.0;
    }

    /**
     * {@code null} for a positive amount of at most two decimals and at most {@code maxCents};
     * else what is wrong. Two decimals, checked on the double: a decimal with two digits after the
     * point parses to the double nearest it, which is exactly {@code cents / 100.0}; one with more
     * digits does not round-trip.
     */
    public static String problem(String field, double amount, long maxCents) {
        if (!(amount > 0)) {
            return field + " must be positive, was " + amount;
        }
        if (!(amount <= ofCents(maxCents))) {
            return field + " " + amount + " is above the limit of " + ofCents(maxCents) + " (--max-amount)";
        }
        if (ofCents(cents(amount)) != amount) {
            return field + " " + amount + " has more than two decimals";
        }
        return null;
    }
}
