package org.example.tools;

import org.example.TestData;
import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import com.hazelcast.map.IMap;
import org.example.records.FraudPrediction;
import org.example.records.PredictionKey;
import org.example.tokens.CardTokens;
import org.example.tokens.TokenKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks made before anything is written, and the loading into a one-member cluster. */
class ReferenceDataLoaderTest {

    @TempDir
    Path dir;

    private static String customer(String ccNum) {
        return """
                {"cc_num": "%s", "first_name": "Ada", "last_name": "Byron", "gender": "F", \
                "date_of_birth": "1980-04-02", "job": "Engineer", "street": "1 Main St", "city": "Springfield", \
                "state": "IL", "zip": "62701", "latitude": 39.8, "longitude": -89.6, "city_population": 116250, \
                "setting": "urban"}""".formatted(ccNum);
    }

    private static String merchant(String code) {
        return """
                {"merchant_code": "%s", "name": "Corner Grocery", "category": "grocery_pos", \
                "latitude": 39.8, "longitude": -89.6}""".formatted(code);
    }

    private Path file(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private final ReferenceDataLoader loader = new ReferenceDataLoader(null, 10, quiet());

    /** "line: reason" of each rejected row. */
    private List<String> rejectedCustomers(Path file) {
        return loader.checkCustomers(file).rejected().stream().map(r -> r.line() + ": " + r.reason()).toList();
    }

    @Test
    void shouldCountOneEntryPerValidLine() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"), customer("4000000000000002"));
        Path merchants = file("merchants.jsonl", merchant("M00001"));

        assertThat(loader.checkCustomers(customers)).isEqualTo(new ReferenceDataLoader.Checked(2, List.of()));
        assertThat(loader.checkMerchants(merchants)).isEqualTo(new ReferenceDataLoader.Checked(1, List.of()));
    }

    @Test
    void shouldReportEveryRejectedRowWithItsLineAndReason() throws IOException {
        Path customers = file("customers.jsonl",
                customer("4000000000000001"),
                "{\"cc_num\": \"4000\",",
                customer("4000000000000003").replace("\"job\": \"Engineer\", ", ""),
                customer("4000000000000004").replace("39.8", "null"),
                customer("4000000000000005") + customer("4000000000000006"),
                customer("4000000000000001"),
                customer(" "),
                "",
                customer("4000000000000009").replace("39.8", "91.0").replace("-89.6", "-181.0"),
                customer("4000000000000010").replace("\"F\"", "\"X\""),
                customer("4000000000000011").replace("urban", "suburban"),
                customer("4000000000000012").replace("1980-04-02", "1899-12-31"),
                customer("4000000000000013").replace("116250", "-1"),
                customer("4000000000000014").replace("39.8", "\"39.8\""),
                customer("4000000000000015"));

        List<String> rejected = rejectedCustomers(customers);

        assertThat(rejected).hasSize(13);
        assertThat(rejected.get(0)).startsWith("2: Unexpected end-of-input");
        assertThat(rejected.get(1)).startsWith("3: Missing creator property 'job'");
        assertThat(rejected.get(2)).startsWith("4: Cannot map `null` into type `double`");
        assertThat(rejected.get(3)).startsWith("5: Trailing token");
        assertThat(rejected.subList(4, 13)).containsExactly(
                "6: duplicate cc_num (first on line 1)",
                "7: cc_num is missing or blank",
                "8: empty line (JSON Lines needs one JSON object per line)",
                "9: latitude 91.0 is outside [-90, 90]",
                "10: gender 'X' is not one of [F, M]",
                "11: setting 'suburban' is not one of [rural, urban]",
                "12: date_of_birth 1899-12-31 is not between 1900-01-01 and today",
                "13: city_population -1 is negative",
                "14: Cannot coerce String value (\"39.8\") to `double` value (but might if coercion using `CoercionConfig` was enabled)");
        assertThat(loader.checkCustomers(customers).valid()).isEqualTo(2);
    }

    @Test
    void shouldRejectAMerchantOfACategoryTheModelDoesNotKnow() throws IOException {
        Path merchants = file("merchants.jsonl", merchant("M00001").replace("grocery_pos", "crypto_exchange"));

        assertThat(loader.checkMerchants(merchants).rejected()).singleElement()
                .satisfies(r -> assertThat(r.reason()).startsWith("category 'crypto_exchange' is not one of [entertainment,"));
    }

    @Test
    void shouldRejectAnEmptyFile() throws IOException {
        Path customers = Files.writeString(dir.resolve("customers.jsonl"), "");

        assertThatThrownBy(() -> loader.checkCustomers(customers)).hasMessage(customers + " is empty");
    }

    @Test
    void shouldRefuseADataDirectoryWithoutBothFilesBeforeTouchingTheCluster() throws IOException {
        file("customers.jsonl", customer("4000000000000001"));
        assertThatThrownBy(() -> loader.loadAll(dir, false, false))
                .hasMessageStartingWith("No merchants.jsonl in " + dir);
    }

    @Test
    void shouldExitWithUsageOnABadFlag() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[] {"--batch-size", "0"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("Invalid value for option '--batch-size': must be at least 1, not 0\n");
    }

    @Test
    void shouldListEveryOptionWithItsVariableAndDefaultOnHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[] {"--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(code).isZero();
        // Each option, then its description, then its default (picocli's layout).
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("--cluster-name=\\S+\\s+Hazelcast cluster name \\(env HZ_CLUSTER_NAME\\)\\s+Default: fraud-detection\n")
                .containsPattern("--addresses=\\S+\\s+Member addresses, comma-separated \\(env HZ_ADDRESSES\\)\\s+Default: 127.0.0.1:5701\n")
                .contains("--clear").contains("--into").contains("(env REFERENCE_DB_URL)");
    }

    @Test
    void shouldReadTheRecordsTheJobReads() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"));
        List<CustomerRow> read = new java.util.ArrayList<>();

        JsonLines.forEachLine(customers, 0, (n, line) ->
                read.add(JsonLines.parse(JsonLines.readerFor(CustomerRow.class), customers, n, line)));

        assertThat(read).singleElement().satisfies(c -> {
            assertThat(c.ccNum()).isEqualTo("4000000000000001");
            assertThat(c.dateOfBirth()).hasYear(1980);
            assertThat(c.cityPopulation()).isEqualTo(116_250);
        });
    }

    private static String token(String card) {
        return CardTokens.configured().token(card);
    }

    @Test
    void shouldKeepBothKeysCustomersWhileAKeyRotatesThenRemoveTheOldKeysCustomersAndPredictions() throws Exception {
        Files.writeString(dir.resolve(ReferenceDataLoader.CUSTOMERS_FILE),
                customer("4000000000000001") + "\n" + customer("4000000000000002") + "\n");
        Files.writeString(dir.resolve(ReferenceDataLoader.MERCHANTS_FILE), merchant("M00001") + "\n");
        CardTokens next = new CardTokens(TokenKey.read(Files.writeString(dir.resolve("next.key"),
                TokenKey.newKeyFile("next", 32, new SecureRandom()))));

        try (EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                "rotation-test-" + ProcessHandle.current().pid(), 1, 5876)) {
            IMap<String, Customer> customers = cluster.member().getMap(Names.CUSTOMERS_MAP);
            IMap<PredictionKey, FraudPrediction> predictions = cluster.member().getMap(Names.PREDICTION_RESULT_MAP);
            new ReferenceDataLoader(new MapTarget(cluster.member()), 10, quiet()).loadAll(dir, false, false);
            predictions.set(new PredictionKey("T1", token("4000000000000001")),
                    TestData.prediction("T1").build());

            ReferenceDataLoader rotating = new ReferenceDataLoader(new MapTarget(cluster.member()), 10, quiet(), next);
            assertThatThrownBy(() -> rotating.loadAll(dir, false, false)).as("without --beside-other-keys")
                    .hasMessageContaining("kept entries of an earlier data set");
            rotating.loadAll(dir, false, false, true);
            assertThat(customers.keySet()).containsExactlyInAnyOrder(token("4000000000000001"), token("4000000000000002"),
                    next.token("4000000000000001"), next.token("4000000000000002"));

            predictions.set(new PredictionKey("T1", next.token("4000000000000001")),
                    TestData.prediction("T1").build());
            // Before the rotation T2's reference data was unavailable; the replay scored it, and
            // dead-lettered T3 again (under the new token); T4 was never a transaction.
            IMap<String, DeadLetter> deadLetters = cluster.member().getMap(Names.DEAD_LETTERS_MAP);
            deadLetters.set("transactions/0/2", deadLetter("T2", token("4000000000000002"), 2));
            deadLetters.set("transactions/0/3", deadLetter("T3", next.token("4000000000000001"), 3));
            deadLetters.set("transactions/0/4", deadLetter("T4", null, 4));
            assertThat(rotating.removeOtherKeys(cluster.member())).isEqualTo(new ReferenceDataLoader.Removed(2, 0, 1, 1));
            assertThat(deadLetters.keySet()).containsExactlyInAnyOrder("transactions/0/3", "transactions/0/4");
            assertThat(customers.keySet()).containsExactlyInAnyOrder(
                    next.token("4000000000000001"), next.token("4000000000000002"));
            assertThat(predictions.keySet()).containsExactly(new PredictionKey("T1", next.token("4000000000000001")));
        }
    }

    @Test
    void shouldLoadTheMapsInBatchesAndRefuseToMixInAnEarlierDataSet() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(first.resolve(ReferenceDataLoader.CUSTOMERS_FILE), String.join("\n",
                customer("4000000000000001"), customer("4000000000000002"), customer("4000000000000003"),
                customer("4000000000000004"), customer("4000000000000005")) + "\n");
        Files.writeString(first.resolve(ReferenceDataLoader.MERCHANTS_FILE), merchant("M00001") + "\n");
        Files.writeString(second.resolve(ReferenceDataLoader.CUSTOMERS_FILE), customer("4000000000000009") + "\n");
        Files.writeString(second.resolve(ReferenceDataLoader.MERCHANTS_FILE), merchant("M00001") + "\n");
        PrintStream quiet = quiet();

        try (EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                "loader-test-" + ProcessHandle.current().pid(), 1, 5871)) {
            ReferenceDataLoader loader = new ReferenceDataLoader(new MapTarget(cluster.member()), 2, quiet);


            List<ReferenceDataLoader.Loaded> loaded = loader.loadAll(first, false, false);
            assertThat(loaded).extracting(ReferenceDataLoader.Loaded::written).containsExactly(5L, 1L);
            String token = CardTokens.configured().token("4000000000000004");
            assertThat(cluster.member().<String, Customer>getMap(Names.CUSTOMERS_MAP).get(token).cardToken())
                    .isEqualTo(token);
            assertThat(cluster.member().getMap(Names.CUSTOMERS_MAP).containsKey("4000000000000004"))
                    .as("keyed by the token, never by the number").isFalse();

            assertThatThrownBy(() -> loader.loadAll(second, false, false))
                    .hasMessageContaining("kept entries of an earlier data set; load again with --clear");
            assertThat(loader.loadAll(second, true, false)).extracting(ReferenceDataLoader.Loaded::written).containsExactly(1L, 1L);
            assertThat(cluster.member().getMap(Names.CUSTOMERS_MAP).keySet()).containsExactly(token("4000000000000009"));

            Files.writeString(second.resolve(ReferenceDataLoader.CUSTOMERS_FILE), customer("4000000000000007") + "\n"
                    + customer("4000000000000008").replace("39.8", "-95.5") + "\n");
            assertThatThrownBy(() -> loader.loadAll(second, true, false))
                    .hasMessage("1 rows rejected (listed above), so nothing was loaded; fix them, or load the valid"
                            + " rows with --allow-rejects");
            assertThat(cluster.member().getMap(Names.CUSTOMERS_MAP).keySet()).containsExactly(token("4000000000000009"));
            assertThat(loader.loadAll(second, true, true)).extracting(ReferenceDataLoader.Loaded::rejected)
                    .containsExactly(1, 0);
            assertThat(cluster.member().getMap(Names.CUSTOMERS_MAP).keySet()).containsExactly(token("4000000000000007"));
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static DeadLetter deadLetter(String transactionId, String cardToken, long offset) {
        return new DeadLetter("ENRICH", "REFERENCE_DATA_UNAVAILABLE", "test", "{}", transactionId, cardToken,
                "transactions", 0, offset, 1L, 2L);
    }
}
