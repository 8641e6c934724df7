package org.example.tools;

import org.example.Names;
import org.example.model.Customer;
import org.example.model.Merchant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    private static int checkCustomers(Path file) {
        return ReferenceDataLoader.check(file, JsonLines.readerFor(Customer.class), Customer::ccNum, "cc_num");
    }

    @Test
    void shouldCountOneEntryPerValidLine() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"), customer("4000000000000002"));
        Path merchants = file("merchants.jsonl", merchant("M00001"));

        assertThat(checkCustomers(customers)).isEqualTo(2);
        assertThat(ReferenceDataLoader.check(merchants, JsonLines.readerFor(Merchant.class),
                Merchant::merchantCode, "merchant_code")).isEqualTo(1);
    }

    @Test
    void shouldNameFileAndLineOfMalformedJson() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"), "{\"cc_num\": \"4000\",");

        assertThatThrownBy(() -> checkCustomers(customers))
                .isInstanceOf(JsonLines.BadLineException.class)
                .hasMessageStartingWith(customers + ":2: ");
    }

    @Test
    void shouldRejectALineWithAMissingField() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001").replace("\"job\": \"Engineer\", ", ""));

        assertThatThrownBy(() -> checkCustomers(customers))
                .hasMessageStartingWith(customers + ":1: ")
                .hasMessageContaining("'job'");
    }

    @Test
    void shouldRejectANullWhereANumberBelongs() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001").replace("39.8", "null"));

        assertThatThrownBy(() -> checkCustomers(customers)).hasMessageStartingWith(customers + ":1: ");
    }

    @Test
    void shouldRejectTwoObjectsOnOneLine() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001") + customer("4000000000000002"));

        assertThatThrownBy(() -> checkCustomers(customers)).hasMessageStartingWith(customers + ":1: ");
    }

    @Test
    void shouldRejectADuplicateKeyNamingBothLines() throws IOException {
        Path customers = file("customers.jsonl",
                customer("4000000000000001"), customer("4000000000000002"), customer("4000000000000001"));

        assertThatThrownBy(() -> checkCustomers(customers))
                .hasMessage(customers + ":3: duplicate cc_num '4000000000000001' (first on line 1)");
    }

    @Test
    void shouldRejectABlankKey() throws IOException {
        Path customers = file("customers.jsonl", customer(" "));

        assertThatThrownBy(() -> checkCustomers(customers))
                .hasMessage(customers + ":1: cc_num is missing or blank");
    }

    @Test
    void shouldRejectAnEmptyLine() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"), "", customer("4000000000000002"));

        assertThatThrownBy(() -> checkCustomers(customers))
                .hasMessageStartingWith(customers + ":2: empty line");
    }

    @Test
    void shouldRejectAnEmptyFile() throws IOException {
        Path customers = Files.writeString(dir.resolve("customers.jsonl"), "");

        assertThatThrownBy(() -> checkCustomers(customers)).hasMessage(customers + " is empty");
    }

    @Test
    void shouldRefuseADataDirectoryWithoutBothFilesBeforeTouchingTheCluster() throws IOException {
        file("customers.jsonl", customer("4000000000000001"));
        ReferenceDataLoader loader = new ReferenceDataLoader(null, 10, System.out);

        assertThatThrownBy(() -> loader.loadAll(dir, false))
                .hasMessageStartingWith("No merchants.jsonl in " + dir);
    }

    @Test
    void shouldExitWithUsageOnABadFlag() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[] {"--batch-size", "0"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("--batch-size must be at least 1, not 0\n");
    }

    @Test
    void shouldListEveryOptionWithItsVariableAndDefaultOnHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = ReferenceDataLoader.run(new String[] {"--help"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
                .anySatisfy(l -> assertThat(l).contains("--cluster-name").contains("HZ_CLUSTER_NAME").contains("fraud-detection"))
                .anySatisfy(l -> assertThat(l).contains("--addresses").contains("HZ_ADDRESSES").contains("127.0.0.1:5701"))
                .anySatisfy(l -> assertThat(l).contains("--clear"));
    }

    @Test
    void shouldReadTheRecordsTheJobReads() throws IOException {
        Path customers = file("customers.jsonl", customer("4000000000000001"));
        List<Customer> read = new java.util.ArrayList<>();

        JsonLines.forEachLine(customers, 0, (n, line) ->
                read.add(JsonLines.parse(JsonLines.readerFor(Customer.class), customers, n, line)));

        assertThat(read).singleElement().satisfies(c -> {
            assertThat(c.ccNum()).isEqualTo("4000000000000001");
            assertThat(c.dateOfBirth()).hasYear(1980);
            assertThat(c.cityPopulation()).isEqualTo(116_250);
        });
    }

    @Test
    void shouldLoadInBatchesAndRefuseToMixInAnEarlierDataSet() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(first.resolve(ReferenceDataLoader.CUSTOMERS_FILE), String.join("\n",
                customer("4000000000000001"), customer("4000000000000002"), customer("4000000000000003"),
                customer("4000000000000004"), customer("4000000000000005")) + "\n");
        Files.writeString(first.resolve(ReferenceDataLoader.MERCHANTS_FILE), merchant("M00001") + "\n");
        Files.writeString(second.resolve(ReferenceDataLoader.CUSTOMERS_FILE), customer("4000000000000009") + "\n");
        Files.writeString(second.resolve(ReferenceDataLoader.MERCHANTS_FILE), merchant("M00001") + "\n");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        try (EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                "loader-test-" + ProcessHandle.current().pid(), 1, 5871)) {
            ReferenceDataLoader loader = new ReferenceDataLoader(cluster.member(), 2, quiet);

            List<ReferenceDataLoader.Loaded> loaded = loader.loadAll(first, false);
            assertThat(loaded).extracting(ReferenceDataLoader.Loaded::entries).containsExactly(5, 1);
            assertThat(cluster.member().<String, Customer>getMap(Names.CUSTOMERS_MAP).get("4000000000000004").ccNum())
                    .isEqualTo("4000000000000004");

            assertThatThrownBy(() -> loader.loadAll(second, false))
                    .hasMessageContaining("kept entries of an earlier data set; load again with --clear");
            assertThat(loader.loadAll(second, true)).extracting(ReferenceDataLoader.Loaded::entries).containsExactly(1, 1);
            assertThat(cluster.member().getMap(Names.CUSTOMERS_MAP).keySet()).containsExactly("4000000000000009");
        }
    }
}
