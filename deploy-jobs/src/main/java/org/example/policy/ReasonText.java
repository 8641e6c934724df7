package org.example.policy;

import org.example.definition.FeatureDefinition;
import org.example.records.Reason;

import java.time.DayOfWeek;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reasons of a flagged decision: the features with the largest positive contributions, each
 * with a text an analyst reads without the code ("amount 412.50, 9.3× this card's 24 h average",
 * "2,310 km from home", "7 transactions in 24 h"). The one place the phrasing is written.
 */
public final class ReasonText {

    /** How many reasons a flagged decision carries. */
    public static final int TOP = 3;

    private final FeatureDefinition definition;
    private final List<String> columns;

    public ReasonText(FeatureDefinition definition) {
        this.definition = definition;
        this.columns = definition.modelColumns();
    }

    /**
     * The {@value #TOP} features that pushed the score up most, largest first; fewer when fewer
     * pushed it up at all (a feature that lowered the score is no reason to flag).
     *
     * @param row           the model's input, in column order
     * @param contributions TreeSHAP's, in column order (a last value, the expected value, is ignored)
     */
    public List<Reason> top(double[] row, double[] contributions) {
        List<Reason> reasons = new ArrayList<>(TOP);
        boolean[] taken = new boolean[columns.size()];
        for (int k = 0; k < TOP; k++) {
            int best = -1;
            for (int c = 0; c < columns.size(); c++) {
                if (!taken[c] && contributions[c] > 0 && (best < 0 || contributions[c] > contributions[best])) {
                    best = c;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            reasons.add(new Reason(columns.get(best), row[best], contributions[best], text(columns.get(best), row[best], row)));
        }
        return List.copyOf(reasons);
    }

    /** The text of one feature's value; {@code row} gives the context some texts compare with. */
    String text(String feature, double value, double[] row) {
        return switch (feature) {
            case "amount" -> {
                double average = valueOf("avg_amount_24h", row);
                yield average > 0 && Double.isFinite(average)
                        ? format("amount %.2f, %.1f× this card's 24 h average", value, value / average)
                        : format("amount %.2f", value);
            }
            case "distance_km" -> format("%,.0f km from home", value);
            case "txn_count_24h" -> format("%.0f transactions in 24 h", value);
            case "txn_count_7d" -> value <= 1 ? "first transaction of this card in 7 days"
                    : format("%.0f transactions in 7 days", value);
            case "amount_sum_24h" -> format("%,.2f spent in 24 h", value);
            case "avg_amount_24h" -> format("%,.2f average amount in 24 h", value);
            case "amount_share_24h" -> format("%.0f %% of this card's 24 h spending in one transaction", 100 * value);
            case "burst_share_7d" -> format("%.0f %% of the week's transactions in the last 24 h", 100 * value);
            case "hour" -> format("at %02.0f h (UTC)", value);
            case "weekday" -> "on a " + DayOfWeek.of((int) value + 1).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case "age" -> format("card holder aged %.0f", value);
            case "age_group" -> "card holder aged " + code("age_group", value).replace('_', ' ').replace(" plus", "+");
            case "city_population" -> format("home town of %,.0f people", value);
            case "category" -> "merchant category " + code("category", value);
            case "gender" -> "card holder's gender " + code("gender", value);
            case "setting" -> code("setting", value) + " home address";
            // A column added to features.json without a phrase here still reads, if less kindly.
            default -> feature + " = " + format("%s", value);
        };
    }

    private double valueOf(String feature, double[] row) {
        int column = columns.indexOf(feature);
        return column < 0 ? Double.NaN : row[column];
    }

    /** A categorical value's name; the row holds its index in the vocabulary (NaN: missing). */
    private String code(String vocabulary, double value) {
        List<String> names = definition.vocabulary(vocabulary);
        int index = (int) value;
        return value == index && index >= 0 && index < names.size() ? names.get(index) : "unknown";
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
