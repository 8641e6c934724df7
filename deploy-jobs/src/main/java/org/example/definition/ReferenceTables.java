package org.example.definition;

import org.example.records.Customer;
import org.example.records.Merchant;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The reference database as the job and the loader see it: the data connection it is reached
 * through, the tables and columns of {@code reference-schema.sql} (scripts/tools), the statements
 * each side runs, and how a row becomes the record the maps hold. ENRICH reads with
 * {@link #SELECT_CUSTOMERS} and {@link #SELECT_MERCHANTS}; the loader writes with the upserts. A
 * column renamed in the schema is renamed here, once.
 */
public final class ReferenceTables {

    /** The JDBC data connection of the members' configuration (scripts/hazelcast.yaml). */
    public static final String DATA_CONNECTION = "reference-data";

    public static final String CUSTOMERS_TABLE = "customers";
    public static final String MERCHANTS_TABLE = "merchants";

    /**
     * The card's key in the database, the same as in map {@code customers}: the card's token
     * ({@code CardTokens}), never its number.
     */
    public static final String CARD_KEY_COLUMN = "card_token";
    public static final String MERCHANT_KEY_COLUMN = "merchant_code";

    /** In the order of {@link Customer}'s components, the key first. */
    private static final List<String> CUSTOMER_COLUMNS = List.of(CARD_KEY_COLUMN, "first_name", "last_name", "gender",
            "date_of_birth", "job", "street", "city", "state", "zip", "latitude", "longitude", "city_population",
            "setting");
    /** In the order of {@link Merchant}'s components, the key first. */
    private static final List<String> MERCHANT_COLUMNS = List.of(MERCHANT_KEY_COLUMN, "name", "category", "latitude",
            "longitude");

    /** The customers of the card keys in the one parameter, an array of text. */
    public static final String SELECT_CUSTOMERS = select(CUSTOMERS_TABLE, CUSTOMER_COLUMNS);
    /** The merchants of the codes in the one parameter, an array of text. */
    public static final String SELECT_MERCHANTS = select(MERCHANTS_TABLE, MERCHANT_COLUMNS);
    public static final String UPSERT_CUSTOMER = upsert(CUSTOMERS_TABLE, CUSTOMER_COLUMNS);
    public static final String UPSERT_MERCHANT = upsert(MERCHANTS_TABLE, MERCHANT_COLUMNS);

    private ReferenceTables() {
    }

    /** A row {@link #SELECT_CUSTOMERS} returned. */
    public static Customer customer(ResultSet row) throws SQLException {
        return new Customer(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                row.getDate(5).toLocalDate(), row.getString(6), row.getString(7), row.getString(8), row.getString(9),
                row.getString(10), row.getDouble(11), row.getDouble(12), row.getLong(13), row.getString(14));
    }

    /** A row {@link #SELECT_MERCHANTS} returned. */
    public static Merchant merchant(ResultSet row) throws SQLException {
        return new Merchant(row.getString(1), row.getString(2), row.getString(3), row.getDouble(4), row.getDouble(5));
    }

    /** Binds {@link #UPSERT_CUSTOMER}'s parameters: the customer, under {@code cardKey}. */
    public static void bind(PreparedStatement upsert, String cardKey, Customer c) throws SQLException {
        upsert.setString(1, cardKey);
        upsert.setString(2, c.firstName());
        upsert.setString(3, c.lastName());
        upsert.setString(4, c.gender());
        upsert.setDate(5, Date.valueOf(c.dateOfBirth()));
        upsert.setString(6, c.job());
        upsert.setString(7, c.street());
        upsert.setString(8, c.city());
        upsert.setString(9, c.state());
        upsert.setString(10, c.zip());
        upsert.setDouble(11, c.latitude());
        upsert.setDouble(12, c.longitude());
        upsert.setLong(13, c.cityPopulation());
        upsert.setString(14, c.setting());
    }

    /** Binds {@link #UPSERT_MERCHANT}'s parameters. */
    public static void bind(PreparedStatement upsert, Merchant m) throws SQLException {
        upsert.setString(1, m.merchantCode());
        upsert.setString(2, m.name());
        upsert.setString(3, m.category());
        upsert.setDouble(4, m.latitude());
        upsert.setDouble(5, m.longitude());
    }

    private static String select(String table, List<String> columns) {
        return "SELECT " + String.join(", ", columns) + " FROM " + table + " WHERE " + columns.get(0) + " = ANY(?)";
    }

    /**
     * Insert, or update the row of the same key when a value differs: an unchanged row keeps its
     * {@code updated_at}, so that column says when the reference data last really changed.
     */
    private static String upsert(String table, List<String> columns) {
        List<String> values = columns.subList(1, columns.size());
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + IntStream.range(0, columns.size()).mapToObj(i -> "?").collect(Collectors.joining(", ")) + ")"
                + " ON CONFLICT (" + columns.get(0) + ") DO UPDATE SET "
                + values.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
                + ", updated_at = now() WHERE (" + values.stream().map(c -> table + "." + c).collect(Collectors.joining(", "))
                + ") IS DISTINCT FROM (" + values.stream().map(c -> "EXCLUDED." + c).collect(Collectors.joining(", ")) + ")";
    }
}
