package org.example.scoring;

import org.example.records.FraudRequest;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;

/**
 * The fields of a {@link FraudRequest} by the dotted JSON path features.json names them with
 * ({@code "request_fields"}), and how each is read: the Java side of the request's JSON shape.
 */
enum RequestField {
    TRANSACTION_ID("transaction.transaction_id", Type.TEXT),
    CARD_TOKEN("transaction.card_token", Type.TEXT),
    BIN("transaction.bin", Type.TEXT),
    LAST4("transaction.last4", Type.TEXT),
    MERCHANT_CODE("transaction.merchant_code", Type.TEXT),
    AMOUNT("transaction.amount", Type.DOUBLE),
    EVENT_TIME_MS("transaction.event_time_ms", Type.LONG),
    LATITUDE("transaction.latitude", Type.DOUBLE),
    LONGITUDE("transaction.longitude", Type.DOUBLE),
    TOPIC("origin.topic", Type.TEXT),
    PARTITION("origin.partition", Type.LONG),
    OFFSET("origin.offset", Type.LONG),
    APPEND_TIME_MS("origin.append_time_ms", Type.LONG),
    TXN_COUNT_24H("features.txn_count_24h", Type.LONG),
    AMOUNT_SUM_24H("features.amount_sum_24h", Type.DOUBLE),
    TXN_COUNT_7D("features.txn_count_7d", Type.LONG),
    CATEGORY("category", Type.TEXT),
    GENDER("gender", Type.TEXT),
    DATE_OF_BIRTH("date_of_birth", Type.DATE),
    CITY_POPULATION("city_population", Type.LONG),
    SETTING("setting", Type.TEXT),
    DISTANCE_KM("distance_km", Type.DOUBLE);

    /** The Java type of the field; DOUBLE and LONG are JSON numbers. */
    enum Type { TEXT, DOUBLE, LONG, DATE }

    private static final RequestField[] ALL = values();

    final String path;
    final Type type;

    RequestField(String path, Type type) {
        this.path = path;
        this.type = type;
    }

    static Optional<RequestField> byPath(String path) {
        return Arrays.stream(ALL).filter(f -> f.path.equals(path)).findFirst();
    }

    boolean isNumber() {
        return type == Type.DOUBLE || type == Type.LONG;
    }

    /** A number field as the double it becomes in the handler's float64 matrix. */
    double number(FraudRequest r) {
        return switch (this) {
            case AMOUNT -> r.transaction().amount();
            case EVENT_TIME_MS -> r.transaction().eventTimeMs();
            case LATITUDE -> r.transaction().latitude();
            case LONGITUDE -> r.transaction().longitude();
            case PARTITION -> r.origin().partition();
            case OFFSET -> r.origin().offset();
            case APPEND_TIME_MS -> r.origin().appendTimeMs();
            case TXN_COUNT_24H -> r.features().txnCount24h();
            case AMOUNT_SUM_24H -> r.features().amountSum24h();
            case TXN_COUNT_7D -> r.features().txnCount7d();
            case CITY_POPULATION -> r.cityPopulation();
            case DISTANCE_KM -> r.distanceKm();
            default -> throw new IllegalStateException(path + " is not a number");
        };
    }

    /** A whole-number field exactly, for times in epoch milliseconds. */
    long whole(FraudRequest r) {
        return switch (this) {
            case EVENT_TIME_MS -> r.transaction().eventTimeMs();
            case PARTITION -> r.origin().partition();
            case OFFSET -> r.origin().offset();
            case APPEND_TIME_MS -> r.origin().appendTimeMs();
            case TXN_COUNT_24H -> r.features().txnCount24h();
            case TXN_COUNT_7D -> r.features().txnCount7d();
            case CITY_POPULATION -> r.cityPopulation();
            default -> throw new IllegalStateException(path + " is not a whole number");
        };
    }

    String text(FraudRequest r) {
        return switch (this) {
            case TRANSACTION_ID -> r.transaction().transactionId();
            case CARD_TOKEN -> r.transaction().cardToken();
            case BIN -> r.transaction().bin();
            case LAST4 -> r.transaction().last4();
            case TOPIC -> r.origin().topic();
            case MERCHANT_CODE -> r.transaction().merchantCode();
            case CATEGORY -> r.category();
            case GENDER -> r.gender();
            case SETTING -> r.setting();
            default -> throw new IllegalStateException(path + " is not a string");
        };
    }

    LocalDate date(FraudRequest r) {
        if (this != DATE_OF_BIRTH) {
            throw new IllegalStateException(path + " is not a date");
        }
        return r.dateOfBirth();
    }
}
