package org.example.scoring;

import org.example.definition.FeatureDefinition;
import org.example.definition.FeatureDefinition.ModelColumn;
import org.example.records.FraudRequest;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.example.scoring.RequestBuilder.request;

/**
 * The request's row, column by column as features.json defines it, and the requests the handler
 * rejects, with its words. Expected values worked out by hand; {@link PythonParityTest} holds the
 * same rules against fraud_handler.py itself.
 */
class ModelInputsTest {

    private static final FeatureDefinition FEATURES = FeatureDefinition.load();
    private static final ModelInputs INPUTS = ModelInputs.of(FEATURES);

    @Test
    void shouldEncodeEveryColumnInTheOrderOfFeaturesJson() {
        // Monday 2026-01-05 10:30 UTC; born 1985-12-10, so 40; grocery_pos is category 4.
        double[] row = rowOf(request().amount(42.5).windows(2, 60.0, 5).build());

        assertThat(FEATURES.modelColumns()).containsExactly("amount", "category", "gender", "age", "age_group",
                "setting", "city_population", "hour", "weekday", "distance_km", "txn_count_24h", "amount_sum_24h",
                "txn_count_7d", "avg_amount_24h", "amount_share_24h", "burst_share_7d");
        assertThat(row).containsExactly(42.5, 4, 0, 40, 2, 1, 8_000_000, 10, 0, 1.2, 2, 60, 5, 30, 42.5 / 60, 0.4);
    }

    @Test
    void shouldCountWholeYearsWithTheTwentyNinthOfFebruaryFallingOnTheFirstOfMarch() {
        RequestBuilder leapling = request().bornOn(2000, 2, 29);

        assertThat(column(leapling.at("2023-02-28T23:59:59.999Z"), "age")).isEqualTo(22);
        assertThat(column(leapling.at("2023-03-01T00:00:00Z"), "age")).isEqualTo(23);
        assertThat(column(leapling.at("2024-02-28T23:59:59.999Z"), "age")).isEqualTo(23);
        assertThat(column(leapling.at("2024-02-29T00:00:00Z"), "age")).isEqualTo(24);
    }

    @Test
    void shouldStartEachAgeGroupOnTheBirthdayOfItsMinimumAge() {
        RequestBuilder born = request().bornOn(2001, 1, 5);

        assertThat(column(born.at("2001-01-05T00:00:00Z"), "age_group")).as("newborn: under_25").isEqualTo(0);
        assertThat(column(born.at("2026-01-04T23:59:59.999Z"), "age_group")).as("24: under_25").isEqualTo(0);
        assertThat(column(born.at("2026-01-05T00:00:00Z"), "age_group")).as("25: 25_39").isEqualTo(1);
        assertThat(column(born.at("2041-01-05T00:00:00Z"), "age_group")).as("40: 40_59").isEqualTo(2);
        assertThat(column(born.at("2061-01-04T00:00:00Z"), "age_group")).as("59: 40_59").isEqualTo(2);
        assertThat(column(born.at("2061-01-05T00:00:00Z"), "age_group")).as("60: 60_plus").isEqualTo(3);
    }

    @Test
    void shouldTakeHourAndWeekdayInUtcAcrossMidnightAndBefore1970() {
        assertThat(hourAndWeekday("2026-01-04T23:59:59.999Z")).as("Sunday").containsExactly(23, 6);
        assertThat(hourAndWeekday("2026-01-05T00:00:00Z")).as("Monday").containsExactly(0, 0);
        assertThat(hourAndWeekday("1969-12-31T23:59:59.999Z")).as("Wednesday").containsExactly(23, 2);
        assertThat(hourAndWeekday("1900-01-01T00:00:00Z")).as("Monday").containsExactly(0, 0);
    }

    @Test
    void shouldReadARatioWithAZeroDenominatorAsZero() {
        FraudRequest request = request().amount(10).windows(0, 0.0, 0).build();

        assertThat(column(request, "avg_amount_24h")).isZero();
        assertThat(column(request, "amount_share_24h")).isZero();
        assertThat(column(request, "burst_share_7d")).isZero();
    }

    @Test
    void shouldRejectWhatTheHandlerRejectsWithItsMessage() {
        assertThat(problem(request().category("crypto_exchange"))).isEqualTo("unknown category 'crypto_exchange'");
        assertThat(problem(request().setting("it's"))).isEqualTo("unknown setting \"it's\"");
        assertThat(problem(request().gender(null))).isEqualTo("gender must be a string, not null");
        assertThat(problem(request().amount(Double.NaN))).isEqualTo("transaction.amount must be a finite number");
        assertThat(problem(request().windows(1, Double.POSITIVE_INFINITY, 1)))
                .isEqualTo("features.amount_sum_24h must be a finite number");
        assertThat(problem(request().withoutFeatures())).isEqualTo("features must be an object, not null");
        assertThat(problem(request().bornOn(null))).isEqualTo("date_of_birth must be a date YYYY-MM-DD, not null");
        assertThat(problem(request().bornOn(10_000, 1, 1)))
                .isEqualTo("date_of_birth must be a date YYYY-MM-DD, not '+10000-01-01'");
        String outside = "transaction.event_time_ms must be epoch milliseconds from 1900-01-01 to 2200-01-01, not ";
        assertThat(problem(request().at("2200-01-01T00:00:00Z"))).isEqualTo(outside + "7258118400000");
        assertThat(problem(request().at("1899-12-31T23:59:59.999Z"))).isEqualTo(outside + "-2208988800001");
        assertThat(problem(request().at("2026-01-05T10:30:00Z").bornOn(2026, 1, 6)))
                .isEqualTo("date_of_birth is after the transaction's date");
        assertThat(problem(request().at("2026-01-05T10:30:00Z").bornOn(1875, 1, 6))).as("150 years old").isNull();
        assertThat(problem(request().at("2026-01-05T10:30:00Z").bornOn(1875, 1, 5))).as("151 years old")
                .isEqualTo("date_of_birth is more than 150 years before the transaction's date");
    }

    @Test
    void shouldNameTheFirstProblemInTheHandlersOrder() {
        // Numbers first, then the other inputs in the order the columns first read them, then ages.
        assertThat(problem(request().category("crypto").distanceKm(Double.NaN)))
                .isEqualTo("distance_km must be a finite number");
        assertThat(problem(request().gender("X").category("crypto"))).isEqualTo("unknown category 'crypto'");
        assertThat(problem(request().bornOn(2030, 1, 1).setting("suburban"))).isEqualTo("unknown setting 'suburban'");
        assertThat(problem(request().withoutFeatures().category("crypto")))
                .isEqualTo("features must be an object, not null");
    }

    @Test
    void shouldCountDaysIntoDatesAsJavaTimeDoes() {
        for (long day = LocalDate.of(1899, 12, 31).toEpochDay(); day <= LocalDate.of(2200, 1, 1).toEpochDay(); day++) {
            LocalDate date = LocalDate.ofEpochDay(day);
            int expected = date.getYear() * 10_000 + date.getMonthValue() * 100 + date.getDayOfMonth();
            assertThat(ModelInputs.civilDate(day)).as("%s", date).isEqualTo(expected);
        }
    }

    @Test
    void shouldRefuseADefinitionItCannotComputeLikeTheHandler() {
        assertThatThrownBy(() -> ModelInputs.of(withColumn("x", "log", "transaction.amount")))
                .hasMessage("features.json: column x has an unknown transform 'log'");
        assertThatThrownBy(() -> ModelInputs.of(withColumn("x", "number", "transaction.tip")))
                .hasMessage("features.json: column x reads transaction.tip, which is not in request_fields");
        assertThatThrownBy(() -> ModelInputs.of(withColumn("x", "hour_utc", "category")))
                .hasMessage("features.json: column x reads category as time, which it is not");
        assertThatThrownBy(() -> ModelInputs.of(withColumn("x", "ratio", "transaction.amount")))
                .hasMessage("features.json: column x has an unknown transform 'ratio' or the wrong number of inputs");
    }

    /** features.json with one more column. */
    private static FeatureDefinition withColumn(String name, String transform, String... inputs) {
        List<ModelColumn> columns = new ArrayList<>(FEATURES.columns());
        columns.add(new ModelColumn(name, transform, List.of(inputs)));
        return new FeatureDefinition(FEATURES.txnCount24hWindowMs(), FEATURES.amountSum24hWindowMs(),
                FEATURES.txnCount7dWindowMs(), FEATURES.earthRadiusKm(), FEATURES.requestFields(),
                FEATURES.modelColumns(), FEATURES.modelInputs(), columns, FEATURES.vocabularies(),
                FEATURES.ageGroups(), FEATURES.inputLimits());
    }

    private static double[] rowOf(FraudRequest request) {
        double[] row = new double[INPUTS.width()];
        String problem = INPUTS.fill(request, row);
        assertThat(problem).as("problem with %s", request).isNull();
        return row;
    }

    private static double column(RequestBuilder request, String name) {
        return column(request.build(), name);
    }

    private static double column(FraudRequest request, String name) {
        return rowOf(request)[FEATURES.modelColumns().indexOf(name)];
    }

    private static double[] hourAndWeekday(String instant) {
        // Born 30 years before, so that the request is valid in 1900 too.
        FraudRequest request = request().at(instant).bornOn(LocalDate.parse(instant.substring(0, 10)).minusYears(30))
                .build();
        return new double[]{column(request, "hour"), column(request, "weekday")};
    }

    private static String problem(RequestBuilder request) {
        return INPUTS.fill(request.build(), new double[INPUTS.width()]);
    }
}
