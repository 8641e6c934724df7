package org.example.scoring;

import org.example.definition.FeatureDefinition;
import org.example.definition.FeatureDefinition.AgeGroup;
import org.example.definition.FeatureDefinition.InputLimits;
import org.example.definition.FeatureDefinition.ModelColumn;
import org.example.records.FraudRequest;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link FraudRequest} as the model's input row, computed exactly as
 * {@code fraud_handler.feature_matrix} computes it from the request's JSON: the columns, their
 * transforms and the vocabularies come from features.json, and a request the handler rejects is
 * rejected here with the handler's message.
 *
 * <p>The handler's transforms, per value: {@code number} as is; {@code code:<vocabulary>} the
 * value's index in the vocabulary; {@code age_years} whole years between the date of birth and the
 * UTC date of the event time, where a birthday on 29 February falls on 1 March in other years;
 * {@code age_group} the group whose {@code min_age} is the highest not above the age;
 * {@code hour_utc} and {@code weekday_utc} (Monday = 0) in UTC; {@code ratio} first / second, 0
 * for a zero denominator.
 *
 * <p>The handler rejects a request, and this class with it, for: a missing object, a non-finite
 * number, a value outside its vocabulary, a date of birth that is not a date of years 0000 to 9999,
 * an event time outside features.json's input_limits, a date of birth after the transaction's date
 * or more than input_limits' max_age_years before it. It checks in a fixed order (numbers, then the
 * other inputs as the columns first name them, then ages) and names the first problem;
 * {@link #fill} checks as it goes and, only when something is wrong, looks again in the handler's
 * order for the message.
 */
public final class ModelInputs {

    private static final long MS_PER_HOUR = 3_600_000L;
    private static final long MS_PER_DAY = 86_400_000L;
    private static final int EPOCH_WEEKDAY = 3; // 1970-01-01 was a Thursday; Monday is 0

    private static final String NUMBER = "number";
    private static final String TIME = "time";
    private static final String DATE = "date";

    private enum Op { NUMBER, CODE, AGE_YEARS, AGE_GROUP, HOUR_UTC, WEEKDAY_UTC, RATIO }

    // Per column: what computes it from which fields.
    private final Op[] ops;
    private final RequestField[] firstInput;
    private final RequestField[] secondInput;
    private final Map<String, Double>[] codes;
    private final int[] ageGroupMinAges;
    private final double[] ageGroupCodes;
    // For the handler's order of checks: every input with its kind, as the columns first name them.
    private final Map<RequestField, String> inputKinds;
    // features.json's input_limits, as the handler reads them.
    private final long earliestMs;
    private final long latestMs;
    private final int maxAgeYears;
    private final String timeBounds;
    private final Map<String, Map<String, Double>> codesByVocabulary;
    private final List<String> objects;

    @SuppressWarnings("unchecked")
    private ModelInputs(FeatureDefinition definition) {
        List<ModelColumn> columns = definition.columns();
        int width = columns.size();
        ops = new Op[width];
        firstInput = new RequestField[width];
        secondInput = new RequestField[width];
        codes = new Map[width];
        codesByVocabulary = new HashMap<>();
        definition.vocabularies().forEach((name, values) -> {
            Map<String, Double> byValue = new HashMap<>();
            for (int i = 0; i < values.size(); i++) {
                byValue.put(values.get(i), (double) i);
            }
            codesByVocabulary.put(name, byValue);
        });
        inputKinds = new LinkedHashMap<>();
        for (int c = 0; c < width; c++) {
            ModelColumn column = columns.get(c);
            List<String> kinds = kindsOf(column);
            if (kinds.size() != column.inputs().size()) {
                throw invalid(column, "has an unknown transform '" + column.transform()
                        + "' or the wrong number of inputs");
            }
            for (int i = 0; i < kinds.size(); i++) {
                RequestField field = field(definition, column, column.inputs().get(i), kinds.get(i));
                if (i == 0) {
                    firstInput[c] = field;
                } else {
                    secondInput[c] = field;
                }
            }
            ops[c] = op(column.transform());
            if (ops[c] == Op.CODE) {
                codes[c] = codesByVocabulary.get(kinds.get(0));
            }
        }
        List<AgeGroup> groups = definition.ageGroups();
        ageGroupMinAges = groups.stream().mapToInt(AgeGroup::minAge).toArray();
        ageGroupCodes = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            Double code = codesByVocabulary.getOrDefault("age_group", Map.of()).get(groups.get(g).name());
            if (code == null) {
                throw new IllegalStateException("features.json: age group " + groups.get(g).name()
                        + " is not in the age_group vocabulary");
            }
            ageGroupCodes[g] = code;
        }
        if (groups.isEmpty() && List.of(ops).contains(Op.AGE_GROUP)) {
            throw new IllegalStateException("features.json: an age_group column needs age_groups");
        }
        InputLimits limits = definition.inputLimits();
        earliestMs = limits.earliestMs();
        latestMs = limits.latestMs();
        maxAgeYears = limits.maxAgeYears();
        timeBounds = "from " + limits.eventTimeFrom() + " to " + limits.eventTimeUntil();
        objects = new ArrayList<>();
        for (String path : definition.requestFields()) {
            int dot = path.indexOf('.');
            if (dot > 0 && !objects.contains(path.substring(0, dot))) {
                objects.add(path.substring(0, dot));
            }
        }
    }

    /** The encoding features.json defines; fails if it names a transform or field this class cannot compute. */
    public static ModelInputs of(FeatureDefinition definition) {
        return new ModelInputs(definition);
    }

    /** The number of columns of a row. */
    public int width() {
        return ops.length;
    }

    /**
     * Fills {@code row} (of {@link #width()} values) with the request's model input and returns
     * {@code null}, or returns why the request cannot be scored, in the handler's words; the row is
     * then partly filled.
     */
    public String fill(FraudRequest r, double[] row) {
        if (r.transaction() == null || r.origin() == null || r.features() == null) {
            return problem(r);
        }
        for (int c = 0; c < ops.length; c++) {
            double value;
            switch (ops[c]) {
                case NUMBER -> {
                    value = firstInput[c].number(r);
                    if (!Double.isFinite(value)) {
                        return problem(r);
                    }
                }
                case CODE -> {
                    Double code = codes[c].get(firstInput[c].text(r));
                    if (code == null) {
                        return problem(r);
                    }
                    value = code;
                }
                case AGE_YEARS, AGE_GROUP -> {
                    int age = ageYears(firstInput[c].date(r), secondInput[c].whole(r));
                    if (age < 0) {
                        return problem(r);
                    }
                    value = ops[c] == Op.AGE_YEARS ? age : ageGroupCode(age);
                }
                case HOUR_UTC, WEEKDAY_UTC -> {
                    long timeMs = firstInput[c].whole(r);
                    if (timeMs < earliestMs || timeMs >= latestMs) {
                        return problem(r);
                    }
                    value = ops[c] == Op.HOUR_UTC
                            ? Math.floorMod(Math.floorDiv(timeMs, MS_PER_HOUR), 24)
                            : Math.floorMod(Math.floorDiv(timeMs, MS_PER_DAY) + EPOCH_WEEKDAY, 7);
                }
                case RATIO -> {
                    double numerator = firstInput[c].number(r);
                    double denominator = secondInput[c].number(r);
                    if (!Double.isFinite(numerator) || !Double.isFinite(denominator)) {
                        return problem(r);
                    }
                    // A zero denominator reads as 0, as in the handler (-0.0 counts as zero too).
                    value = denominator != 0 ? numerator / denominator : 0.0;
                }
                default -> throw new IllegalStateException(ops[c].name());
            }
            row[c] = value;
        }
        return null;
    }

    /**
     * Whole years of age at the UTC date of {@code timeMs}, or -1 if the handler would reject the
     * pair: no date of birth or one it cannot read, a time outside its bounds, an age below 0 or
     * above {@link #maxAgeYears}.
     */
    private int ageYears(LocalDate birth, long timeMs) {
        if (birth == null || !isIsoDate(birth) || timeMs < earliestMs || timeMs >= latestMs) {
            return -1;
        }
        int today = civilDate(Math.floorDiv(timeMs, MS_PER_DAY));
        int year = today / 10_000;
        int monthDay = today % 10_000;
        int birthMonthDay = birth.getMonthValue() * 100 + birth.getDayOfMonth();
        // Comparing month and day as numbers is the handler's rule: 29 February's birthday is 1 March.
        int age = year - birth.getYear() - (monthDay < birthMonthDay ? 1 : 0);
        return age <= maxAgeYears ? age : -1;
    }

    /** The request's JSON has the date as YYYY-MM-DD only for years 0 to 9999 ("+10000-01-01" else). */
    private static boolean isIsoDate(LocalDate date) {
        return date.getYear() >= 0 && date.getYear() <= 9999;
    }

    private double ageGroupCode(int age) {
        int group = ageGroupMinAges.length - 1;
        while (ageGroupMinAges[group] > age) {
            group--;
        }
        return ageGroupCodes[group];
    }

    /**
     * The proleptic Gregorian date of an epoch day as {@code year * 10000 + month * 100 + day},
     * without allocating a LocalDate per row (civil-from-days, after Howard Hinnant's algorithm).
     * For years 1 to 214747.
     */
    static int civilDate(long epochDay) {
        long shifted = epochDay + 719_468; // days since 0000-03-01
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153; // March = 0
        long day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        long month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return (int) (year * 10_000 + month * 100 + day);
    }

    // ---- The handler's order of checks, for the message ------------------------------------------

    /** The first problem the handler would name for this request. */
    String problem(FraudRequest r) {
        if (r.transaction() == null || r.origin() == null || r.features() == null) {
            for (String object : objects) {
                if (isNull(r, object)) {
                    return object + " must be an object, not null";
                }
            }
        }
        for (Map.Entry<RequestField, String> input : inputKinds.entrySet()) {
            RequestField field = input.getKey();
            if (input.getValue().equals(NUMBER) && !Double.isFinite(field.number(r))) {
                // The handler, given a JSON number, says the same; a Java NaN reaches it as the string "NaN".
                return field.path + " must be a finite number";
            }
        }
        for (Map.Entry<RequestField, String> input : inputKinds.entrySet()) {
            RequestField field = input.getKey();
            String kind = input.getValue();
            if (kind.equals(DATE)) {
                LocalDate date = field.date(r);
                if (date == null) {
                    return field.path + " must be a date YYYY-MM-DD, not null";
                }
                if (!isIsoDate(date)) {
                    return field.path + " must be a date YYYY-MM-DD, not " + PythonRepr.preview(date.toString());
                }
            } else if (kind.equals(TIME)) {
                long timeMs = field.whole(r);
                if (timeMs < earliestMs || timeMs >= latestMs) {
                    return field.path + " must be epoch milliseconds " + timeBounds + ", not " + timeMs;
                }
            } else if (!kind.equals(NUMBER)) {
                String value = field.text(r);
                if (value == null) {
                    return field.path + " must be a string, not null";
                }
                if (!codesByVocabulary.get(kind).containsKey(value)) {
                    return "unknown " + kind + " " + PythonRepr.preview(value);
                }
            }
        }
        for (int c = 0; c < ops.length; c++) {
            if (ops[c] == Op.AGE_YEARS || ops[c] == Op.AGE_GROUP) {
                LocalDate birth = firstInput[c].date(r);
                int today = civilDate(Math.floorDiv(secondInput[c].whole(r), MS_PER_DAY));
                int birthDate = birth.getYear() * 10_000 + birth.getMonthValue() * 100 + birth.getDayOfMonth();
                if (today < birthDate) {
                    return "date_of_birth is after the transaction's date";
                }
                if (ageYears(birth, secondInput[c].whole(r)) < 0) {
                    return "date_of_birth is more than " + maxAgeYears + " years before the transaction's date";
                }
            }
        }
        return "cannot score: the request failed a check that names no problem";
    }

    private static boolean isNull(FraudRequest r, String object) {
        return switch (object) {
            case "transaction" -> r.transaction() == null;
            case "origin" -> r.origin() == null;
            case "features" -> r.features() == null;
            default -> false;
        };
    }

    // ---- Reading the definition ------------------------------------------------------------------

    /** The kinds of a transform's inputs, as fraud_handler.py's _TRANSFORMS declares them. */
    private List<String> kindsOf(ModelColumn column) {
        String transform = column.transform();
        if (transform.startsWith("code:") && codesByVocabulary.containsKey(transform.substring(5))) {
            return List.of(transform.substring(5));
        }
        return switch (transform) {
            case "number" -> List.of(NUMBER);
            case "age_years", "age_group" -> List.of(DATE, TIME);
            case "hour_utc", "weekday_utc" -> List.of(TIME);
            case "ratio" -> List.of(NUMBER, NUMBER);
            default -> throw invalid(column, "has an unknown transform '" + transform + "'");
        };
    }

    private static Op op(String transform) {
        return switch (transform) {
            case "number" -> Op.NUMBER;
            case "age_years" -> Op.AGE_YEARS;
            case "age_group" -> Op.AGE_GROUP;
            case "hour_utc" -> Op.HOUR_UTC;
            case "weekday_utc" -> Op.WEEKDAY_UTC;
            case "ratio" -> Op.RATIO;
            default -> Op.CODE;
        };
    }

    private RequestField field(FeatureDefinition definition, ModelColumn column, String path, String kind) {
        if (!definition.requestFields().contains(path)) {
            throw invalid(column, "reads " + path + ", which is not in request_fields");
        }
        RequestField field = RequestField.byPath(path)
                .orElseThrow(() -> invalid(column, "reads " + path + ", which a FraudRequest does not have"));
        boolean readable = switch (kind) {
            case NUMBER -> field.isNumber();
            case TIME -> field.type == RequestField.Type.LONG;
            case DATE -> field.type == RequestField.Type.DATE;
            default -> field.type == RequestField.Type.TEXT;
        };
        if (!readable) {
            throw invalid(column, "reads " + path + " as " + kind + ", which it is not");
        }
        String earlier = inputKinds.putIfAbsent(field, kind);
        if (earlier != null && !earlier.equals(kind)) {
            throw invalid(column, "reads " + path + " as " + kind + ", another column as " + earlier);
        }
        return field;
    }

    private static IllegalStateException invalid(ModelColumn column, String problem) {
        return new IllegalStateException("features.json: column " + column.name() + " " + problem);
    }
}
