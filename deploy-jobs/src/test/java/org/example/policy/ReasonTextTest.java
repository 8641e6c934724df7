package org.example.policy;

import org.example.definition.FeatureDefinition;
import org.example.records.Reason;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A flagged decision's reasons: the three features that pushed its score up most, in words. */
class ReasonTextTest {

    private static final FeatureDefinition DEFINITION = FeatureDefinition.load();
    private static final List<String> COLUMNS = DEFINITION.modelColumns();
    private final ReasonText texts = new ReasonText(DEFINITION);

    @Test
    void shouldGiveTheThreeLargestPositiveContributionsLargestFirst() {
        double[] row = row();
        double[] contributions = new double[COLUMNS.size() + 1];
        contributions[column("distance_km")] = 0.9;
        contributions[column("amount")] = 1.7;
        contributions[column("txn_count_24h")] = 0.4;
        contributions[column("hour")] = 0.1;
        contributions[column("category")] = -2.0;
        contributions[COLUMNS.size()] = 5.0; // the expected value: never a reason

        List<Reason> reasons = texts.top(row, contributions);

        assertThat(reasons).extracting(Reason::feature).containsExactly("amount", "distance_km", "txn_count_24h");
        assertThat(reasons).extracting(Reason::text).containsExactly(
                "amount 412.50, 9.3× this card's 24 h average", "2,310 km from home", "7 transactions in 24 h");
        assertThat(reasons.get(0).value()).isEqualTo(412.5);
        assertThat(reasons.get(0).contribution()).isEqualTo(1.7);
    }

    @Test
    void shouldGiveFewerReasonsWhenFewerFeaturesPushedTheScoreUp() {
        double[] contributions = new double[COLUMNS.size() + 1];
        contributions[column("distance_km")] = 0.3;
        contributions[column("amount")] = -0.5;

        assertThat(texts.top(row(), contributions)).extracting(Reason::feature).containsExactly("distance_km");
    }

    @Test
    void shouldNameCategoriesAndDaysInsteadOfTheirCodes() {
        double[] row = row();
        assertThat(texts.text("category", row[column("category")], row)).isEqualTo("merchant category shopping_net");
        assertThat(texts.text("weekday", 6, row)).isEqualTo("on a Sunday");
        assertThat(texts.text("txn_count_7d", 1, row)).isEqualTo("first transaction of this card in 7 days");
        assertThat(texts.text("amount_share_24h", 0.85, row)).isEqualTo("85 % of this card's 24 h spending in one transaction");
    }

    @Test
    void shouldHaveATextForEveryColumnOfTheModel() {
        double[] row = row();
        for (String column : COLUMNS) {
            assertThat(texts.text(column, row[column(column)], row)).as(column).doesNotContain(" = ");
        }
    }

    private static double[] row() {
        double[] row = new double[COLUMNS.size()];
        row[column("amount")] = 412.5;
        row[column("avg_amount_24h")] = 412.5 / 9.3;
        row[column("distance_km")] = 2310.4;
        row[column("txn_count_24h")] = 7;
        row[column("txn_count_7d")] = 9;
        row[column("category")] = DEFINITION.vocabulary("category").indexOf("shopping_net");
        return row;
    }

    private static int column(String name) {
        return COLUMNS.indexOf(name);
    }
}
