package org.example.tools;

import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The loader against a real PostgreSQL (scripts/postgres.sh's, as a test's own instance): the
 * schema it creates, the rows the job reads back, adding to and replacing what the tables hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceDataLoaderDatabaseTest {

    @TempDir
    Path dir;

    private LocalPostgres postgres;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = LocalPostgres.start("loader-test");
    }

    @AfterAll
    void stopDatabase() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String customer(String ccNum, String city) {
        return """
                {"cc_num": "%s", "first_name": "Ada", "last_name": "Byron", "gender": "F", \
                "date_of_birth": "1980-04-02", "job": "Engineer", "street": "1 Main St", "city": "%s", \
                "state": "IL", "zip": "62701", "latitude": 39.8, "longitude": -89.6, "city_population": 116250, \
                "setting": "urban"}""".formatted(ccNum, city);
    }

    private Path dataSet(String name, String... customers) throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        Files.writeString(data.resolve(ReferenceDataLoader.CUSTOMERS_FILE), String.join("\n", customers) + "\n");
        Files.writeString(data.resolve(ReferenceDataLoader.MERCHANTS_FILE), """
                {"merchant_code": "M00001", "name": "Corner Grocery", "category": "grocery_pos", "latitude": 39.8, \
                "longitude": -89.6}
                """);
        return data;
    }

    private List<ReferenceDataLoader.Loaded> load(Path data, boolean clear) throws Exception {
        try (DatabaseTarget target = DatabaseTarget.connect(postgres.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
            return new ReferenceDataLoader(target, 2, quiet()).loadAll(data, clear, false);
        }
    }

    @Test
    void shouldWriteRowsTheJobReadsBackAsTheSameRecords() throws Exception {
        load(dataSet("read-back", customer("4000000000000001", "Springfield")), true);

        try (Connection connection = postgres.connect();
             PreparedStatement select = connection.prepareStatement(ReferenceTables.SELECT_CUSTOMERS)) {
            select.setArray(1, connection.createArrayOf("text", new String[]{"4000000000000001"}));
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(ReferenceTables.customer(row)).isEqualTo(
                        JsonLines.parse(JsonLines.readerFor(Customer.class), dir, 1, customer("4000000000000001", "Springfield")));
            }
        }
    }

    @Test
    void shouldAddToTheTablesAndReplaceThemOnlyWhenAskedKeepingUnchangedRowsUntouched() throws Exception {
        load(dataSet("first", customer("4000000000000001", "Springfield"), customer("4000000000000002", "Springfield"),
                customer("4000000000000003", "Springfield")), true);
        Timestamp unchangedSince = updatedAt("4000000000000002");

        List<ReferenceDataLoader.Loaded> added = load(dataSet("added", customer("4000000000000004", "Springfield")), false);
        assertThat(added.get(0).holds()).isEqualTo("table customers holds 4 rows");

        List<ReferenceDataLoader.Loaded> replaced = load(dataSet("replaced", customer("4000000000000002", "Springfield"),
                customer("4000000000000003", "Shelbyville")), true);
        assertThat(replaced).extracting(ReferenceDataLoader.Loaded::holds)
                .containsExactly("table customers holds 2 rows", "table merchants holds 1 rows");
        assertThat(cities()).containsExactly("4000000000000002 Springfield", "4000000000000003 Shelbyville");
        assertThat(updatedAt("4000000000000002")).isEqualTo(unchangedSince);
        assertThat(updatedAt("4000000000000003")).isAfter(unchangedSince);
    }

    @Test
    void shouldWriteNothingWhenARowIsRejected() throws Exception {
        load(dataSet("before", customer("4000000000000001", "Springfield")), true);

        assertThatThrownBy(() -> load(dataSet("rejected", customer("4000000000000005", "Springfield"),
                customer("4000000000000006", "Springfield").replace("39.8", "91.0")), true))
                .hasMessageStartingWith("1 rows rejected");
        assertThat(cities()).containsExactly("4000000000000001 Springfield");
    }

    @Test
    void shouldLoadFromTheCommandLineIntoTheDatabaseItIsGiven() throws Exception {
        Path data = dataSet("cli", customer("4000000000000007", "Springfield"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[]{"--data-dir", data.toString(), "--clear"},
                Map.of("REFERENCE_DB_URL", postgres.jdbcUrl()), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Loaded 1 rows of " + data.resolve("customers.jsonl"))
                .contains(": table customers holds 1 rows");
    }

    private List<String> cities() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT card_token, city FROM customers ORDER BY card_token")) {
            while (row.next()) {
                rows.add(row.getString(1) + " " + row.getString(2));
            }
        }
        return rows;
    }

    private Timestamp updatedAt(String card) throws Exception {
        try (Connection connection = postgres.connect();
             PreparedStatement select = connection.prepareStatement("SELECT updated_at FROM customers WHERE card_token = ?")) {
            select.setString(1, card);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getTimestamp(1);
            }
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
