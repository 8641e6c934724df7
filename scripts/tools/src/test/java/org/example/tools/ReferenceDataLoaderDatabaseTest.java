package org.example.tools;

import com.hazelcast.map.IMap;
import org.example.TestData;
import org.example.definition.Names;
import org.example.definition.ReferenceTables;
import org.example.records.FraudPrediction;
import org.example.records.PredictionKey;
import org.example.tokens.CardTokens;
import org.example.tokens.TokenKey;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The loader against a real PostgreSQL (scripts/postgres.sh's, as a test's own instance): the
 * schema it creates, the rows the job reads back (keyed by the card's token), adding to and
 * replacing what the tables hold, and a card-token key rotation.
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
            select.setArray(1, connection.createArrayOf("text", new String[]{token("4000000000000001")}));
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(ReferenceTables.customer(row)).isEqualTo(JsonLines.<CustomerRow>parse(
                        JsonLines.readerFor(CustomerRow.class), dir, 1, customer("4000000000000001", "Springfield"))
                        .toCustomer(CardTokens.configured()));
            }
        }
        assertThat(cities()).as("keyed by the token, never by the number")
                .containsExactly(token("4000000000000001") + " Springfield");
    }

    @Test
    void shouldAddToTheTablesAndReplaceThemOnlyWhenAskedKeepingUnchangedRowsUntouched() throws Exception {
        load(dataSet("first", customer("4000000000000001", "Springfield"), customer("4000000000000002", "Springfield"),
                customer("4000000000000003", "Springfield")), true);
        Timestamp unchangedSince = updatedAt(token("4000000000000002"));

        List<ReferenceDataLoader.Loaded> added = load(dataSet("added", customer("4000000000000004", "Springfield")), false);
        assertThat(added.get(0).holds()).isEqualTo("table customers holds 4 rows");

        List<ReferenceDataLoader.Loaded> replaced = load(dataSet("replaced", customer("4000000000000002", "Springfield"),
                customer("4000000000000003", "Shelbyville")), true);
        assertThat(replaced).extracting(ReferenceDataLoader.Loaded::holds)
                .containsExactly("table customers holds 2 rows", "table merchants holds 1 rows");
        assertThat(cities()).containsExactlyInAnyOrder(token("4000000000000002") + " Springfield",
                token("4000000000000003") + " Shelbyville");
        assertThat(updatedAt(token("4000000000000002"))).isEqualTo(unchangedSince);
        assertThat(updatedAt(token("4000000000000003"))).isAfter(unchangedSince);
    }

    @Test
    void shouldWriteNothingWhenARowIsRejected() throws Exception {
        load(dataSet("before", customer("4000000000000001", "Springfield")), true);

        assertThatThrownBy(() -> load(dataSet("rejected", customer("4000000000000005", "Springfield"),
                customer("4000000000000006", "Springfield").replace("39.8", "91.0")), true))
                .hasMessageStartingWith("1 rows rejected");
        assertThat(cities()).containsExactly(token("4000000000000001") + " Springfield");
    }

    @Test
    void shouldLoadFromTheCommandLineIntoTheDatabaseItIsGiven() throws Exception {
        Path data = dataSet("cli", customer("4000000000000007", "Springfield"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[]{"--data-dir", data.toString(), "--clear",
                "--database-url", postgres.jdbcUrl()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Loaded 1 rows of " + data.resolve("customers.jsonl"))
                .contains(": table customers holds 1 rows");
    }

    @Test
    void shouldKeepBothKeysRowsWhileAKeyRotatesThenRemoveTheOldKeysRowsCachedEntriesAndPredictions() throws Exception {
        Path data = dataSet("rotation", customer("4000000000000001", "Springfield"),
                customer("4000000000000002", "Springfield"));
        load(data, true);
        CardTokens next = new CardTokens(TokenKey.read(Files.writeString(dir.resolve("next.key"),
                TokenKey.newKeyFile("next", 32, new SecureRandom()))));

        try (EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                "db-rotation-test-" + ProcessHandle.current().pid(), 1, 5881,
                EmbeddedCluster.referenceDatabase(postgres.jdbcUrl()));
             DatabaseTarget target = DatabaseTarget.connect(postgres.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
            ReferenceDataLoader rotating = new ReferenceDataLoader(target, 2, quiet(), next);
            List<ReferenceDataLoader.Loaded> beside = rotating.loadAll(data, false, false, true);

            assertThat(beside.get(0).holds()).isEqualTo("table customers holds 2 rows of key next:");
            assertThat(cities()).hasSize(4).contains(token("4000000000000001") + " Springfield",
                    next.token("4000000000000001") + " Springfield");
            assertThatThrownBy(() -> rotating.loadAll(data, true, false, true))
                    .hasMessageContaining("--clear would remove them");

            // Given what the job stored under both keys: a cached customer and a prediction of each.
            IMap<String, Object> customers = cluster.member().getMap(Names.CUSTOMERS_MAP);
            customers.set(token("4000000000000001"), "cached under the old key");
            customers.set(next.token("4000000000000001"), "cached under the new key");
            IMap<PredictionKey, FraudPrediction> predictions = cluster.member().getMap(Names.PREDICTION_RESULT_MAP);
            predictions.set(new PredictionKey("T1", token("4000000000000001")), TestData.prediction("T1").build());
            predictions.set(new PredictionKey("T1", next.token("4000000000000001")), TestData.prediction("T1").build());

            assertThat(rotating.removeOtherKeys(cluster.member())).isEqualTo(new ReferenceDataLoader.Removed(2, 1, 1, 0));
            assertThat(cities()).containsExactlyInAnyOrder(next.token("4000000000000001") + " Springfield",
                    next.token("4000000000000002") + " Springfield");
            assertThat(customers.keySet()).containsExactly(next.token("4000000000000001"));
            assertThat(predictions.keySet()).containsExactly(new PredictionKey("T1", next.token("4000000000000001")));
        }
    }

    private static String token(String card) {
        return CardTokens.configured().token(card);
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
