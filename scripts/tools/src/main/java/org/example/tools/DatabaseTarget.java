package org.example.tools;

import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.example.records.Merchant;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * The reference database as the loader's target: PostgreSQL, the system of record ENRICH reads
 * through (docs/DESIGN.md). The schema ({@value #SCHEMA_RESOURCE}, idempotent) is applied first.
 * Each file is written in one transaction, as upserts in JDBC batches: ENRICH, reading meanwhile,
 * sees the table as it was until the commit, never half a load. Without clear, the file's rows are
 * added or updated and the others stay (the database holds more than one file); with clear, the
 * table then holds exactly the file's rows, the others deleted in the same transaction. A row whose
 * values did not change keeps its {@code updated_at}.
 *
 * <p>Customers are keyed by the card's token ({@link ReferenceTables#CARD_KEY_COLUMN}), as in map
 * {@code customers}: the database never sees a card number.
 */
final class DatabaseTarget implements ReferenceDataLoader.Target {

    /** The database of scripts/cluster.sh (scripts/postgres.sh). */
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5433/fraud";
    static final String SCHEMA_RESOURCE = "reference-schema.sql";

    private final Connection connection;

    private DatabaseTarget(Connection connection) {
        this.connection = connection;
    }

    /** Connects, and creates the tables when they are missing. */
    static DatabaseTarget connect(String url, String user, String password) throws SQLException, IOException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        // A JDBC batch of upserts as multi-row statements: several times fewer round trips.
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("connectTimeout", "10");
        Connection connection = DriverManager.getConnection(url, properties);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute(schema());
            }
            connection.setAutoCommit(false);
            return new DatabaseTarget(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The DDL of the reference tables, as shipped in this JAR. */
    static String schema() throws IOException {
        try (InputStream in = DatabaseTarget.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + SCHEMA_RESOURCE + " next to " + DatabaseTarget.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public <R, T> void clearAndWrite(ReferenceDataLoader.Kind<R, T> kind, boolean clearFirst,
                                     ReferenceDataLoader.RowBatches<T> rows) throws Exception {
        boolean customers = kind.table().equals(ReferenceTables.CUSTOMERS_TABLE);
        String key = customers ? ReferenceTables.CARD_KEY_COLUMN : ReferenceTables.MERCHANT_KEY_COLUMN;
        try (Statement statement = connection.createStatement();
             PreparedStatement upsert = connection.prepareStatement(
                     customers ? ReferenceTables.UPSERT_CUSTOMER : ReferenceTables.UPSERT_MERCHANT);
             PreparedStatement loadedKey = connection.prepareStatement("INSERT INTO loaded_keys VALUES (?)")) {
            if (clearFirst) {
                statement.execute("CREATE TEMPORARY TABLE loaded_keys (key text PRIMARY KEY) ON COMMIT DROP");
            }
            rows.forEach(batch -> {
                for (Map.Entry<String, T> row : batch.entrySet()) {
                    bind(upsert, row.getKey(), row.getValue());
                    upsert.addBatch();
                    if (clearFirst) {
                        loadedKey.setString(1, row.getKey());
                        loadedKey.addBatch();
                    }
                }
                upsert.executeBatch();
                if (clearFirst) {
                    loadedKey.executeBatch();
                }
            });
            if (clearFirst) {
                statement.executeUpdate("DELETE FROM " + kind.table() + " t WHERE NOT EXISTS"
                        + " (SELECT 1 FROM loaded_keys k WHERE k.key = t." + key + ")");
            }
            connection.commit();
        } catch (Exception e) {
            connection.rollback();
            throw e;
        }
    }

    private static void bind(PreparedStatement upsert, String key, Object row) throws SQLException {
        if (row instanceof Customer customer) {
            ReferenceTables.bind(upsert, key, customer);
        } else if (row instanceof Merchant merchant) {
            ReferenceTables.bind(upsert, merchant);
        } else {
            throw new IllegalArgumentException("no table for " + row.getClass());
        }
    }

    @Override
    public <R, T> String check(ReferenceDataLoader.Kind<R, T> kind, Path file, long written, boolean cleared,
                               String keyPrefix) throws SQLException {
        String key = kind.table().equals(ReferenceTables.CUSTOMERS_TABLE)
                ? ReferenceTables.CARD_KEY_COLUMN : ReferenceTables.MERCHANT_KEY_COLUMN;
        long rows;
        try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM " + kind.table()
                + (keyPrefix == null ? "" : " WHERE starts_with(" + key + ", ?)"))) {
            if (keyPrefix != null) {
                statement.setString(1, keyPrefix);
            }
            try (ResultSet count = statement.executeQuery()) {
                count.next();
                rows = count.getLong(1);
            }
        } finally {
            connection.rollback();
        }
        String of = keyPrefix == null ? "" : " of key " + keyPrefix;
        if (cleared && rows != written || rows < written) {
            throw new IllegalStateException("Table " + kind.table() + " holds " + rows + " rows" + of + " after "
                    + (cleared ? "replacing them with " : "adding or updating ") + written + " rows of " + file);
        }
        return String.format("table %s holds %,d rows%s", kind.table(), rows, of);
    }

    /**
     * One statement, one transaction: ENRICH, reading meanwhile, finds either every old row or
     * none, and a row of the current key is never touched.
     */
    @Override
    public long removeCustomersNotStartingWith(String keyPrefix) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ReferenceTables.CUSTOMERS_TABLE
                + " WHERE NOT starts_with(" + ReferenceTables.CARD_KEY_COLUMN + ", ?)")) {
            delete.setString(1, keyPrefix);
            long removed = delete.executeLargeUpdate();
            connection.commit();
            return removed;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
