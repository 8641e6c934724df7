package org.example.tools;

import com.fasterxml.jackson.databind.ObjectReader;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.example.records.Merchant;
import org.example.stages.FieldRules;
import org.example.stages.ReferenceRules;
import org.example.tokens.CardTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Loads the reference data the job enriches with, formats and rules as in docs/DATA.md:
 * {@code customers.jsonl} (key = the card's token) and {@code merchants.jsonl} (key = merchant
 * code) into their {@link Target}: the reference database, the system of record that ENRICH reads
 * through ({@link DatabaseTarget}: tables {@code customers} and {@code merchants}), or, for members
 * without one (the demo), the maps {@value Names#CUSTOMERS_MAP} and {@value Names#MERCHANTS_MAP}
 * themselves ({@link MapTarget}). Either way a card number becomes its token here, with the key
 * file the job's members have, and goes no further.
 *
 * <p>Every row of both files is checked before anything is written: it must parse strictly, have
 * a key not seen before, and obey {@link ReferenceRules} (the rules ENRICH applies too: ranges of
 * latitude and longitude, the model's vocabularies, dates). Each rejected row is reported with its
 * file, line and reason. If any was rejected, nothing is written unless {@code allowRejects} says to
 * load the valid rows. Rows are written in batches; what a target then holds is checked (see each
 * target for how).
 *
 * <p>As a library: {@code new ReferenceDataLoader(new MapTarget(hz)).loadAll(dataDir, false, false)}.
 * As a program: {@code java -cp fraud-detection-tools.jar:<hazelcast jars> org.example.tools.ReferenceDataLoader --help}.
 */
public final class ReferenceDataLoader {

    public static final String CUSTOMERS_FILE = "customers.jsonl";
    public static final String MERCHANTS_FILE = "merchants.jsonl";
    public static final int DEFAULT_BATCH_SIZE = 1_000;

    /** What loading one file did: where it went and what that holds now, the rows written, those refused. */
    public record Loaded(String holds, Path file, long written, int rejected, Duration elapsed) {
    }

    /** A row that is not loaded, and why. */
    public record Rejected(Path file, long line, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reason;
        }
    }

    /** What checking one file found: the number of rows to load, and the rows refused. */
    record Checked(int valid, List<Rejected> rejected) {
        Set<Long> rejectedLines() {
            return rejected.stream().map(Rejected::line).collect(Collectors.toSet());
        }
    }

    /**
     * How one kind of reference data is read, checked and keyed: a file row of type {@code R}
     * becomes a value of type {@code T}, stored in map {@code mapName} or table {@code table}.
     *
     * @param rowProblem what is wrong with a row before it becomes a value (null: nothing)
     * @param showKey    whether a duplicate's key may be shown (a card's may not: it is its number's token
     *                   made from a number that may be wrong)
     */
    record Kind<R, T>(Class<R> rowType, Function<R, String> rowProblem, Function<R, T> toValue,
                      Function<T, String> keyOf, String keyField, boolean showKey, String mapName, String table,
                      Function<T, String> problemOf) {
    }

    /**
     * Where checked rows go. {@link #clearAndWrite} gets the rows in batches through {@code rows};
     * {@link #check} then says what the target holds.
     */
    interface Target extends AutoCloseable {
        /** Writes every row {@code rows} gives; replaces what was there first when {@code clearFirst}. */
        <R, T> void clearAndWrite(Kind<R, T> kind, boolean clearFirst, RowBatches<T> rows) throws Exception;

        /**
         * What the target holds after {@code written} rows of a file; throws when that is wrong.
         *
         * @param keyPrefix count only the keys that start with it (the customers of the current
         *                  card-token key during a rotation); {@code null}: all
         */
        <R, T> String check(Kind<R, T> kind, Path file, long written, boolean cleared, String keyPrefix)
                throws Exception;

        /** Removes the customers whose key does not start with {@code keyPrefix}; returns how many. */
        long removeCustomersNotStartingWith(String keyPrefix) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /** The checked rows of one file, handed out batch by batch (keyed as the target stores them). */
    @FunctionalInterface
    interface RowBatches<T> {
        void forEach(BatchWriter<T> writer) throws Exception;
    }

    @FunctionalInterface
    interface BatchWriter<T> {
        void write(Map<String, T> batch) throws Exception;
    }

    private final Target target;
    private final int batchSize;
    private final PrintStream console;
    private final Kind<CustomerRow, Customer> customers;
    private final Kind<Merchant, Merchant> merchants;
    private final String keyId;

    public ReferenceDataLoader(Target target) {
        this(target, DEFAULT_BATCH_SIZE, System.out);
    }

    public ReferenceDataLoader(Target target, int batchSize, PrintStream console) {
        // The card number becomes its token here, with the key file the job's members have.
        this(target, batchSize, console, CardTokens.configured());
    }

    ReferenceDataLoader(Target target, int batchSize, PrintStream console, CardTokens tokens) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.target = target;
        this.batchSize = batchSize;
        this.console = console;
        ReferenceRules rules = new ReferenceRules(FeatureDefinition.load());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        this.keyId = tokens.keyId();
        this.customers = new Kind<>(CustomerRow.class,
                row -> FieldRules.first(FieldRules.identifierProblem("cc_num", row.ccNum()),
                        FieldRules.cardNumberProblem("cc_num", row.ccNum())),
                row -> row.toCustomer(tokens), Customer::cardToken, "cc_num", false, Names.CUSTOMERS_MAP,
                ReferenceTables.CUSTOMERS_TABLE, c -> rules.customerProblem(c, today));
        this.merchants = new Kind<>(Merchant.class, m -> null, m -> m, Merchant::merchantCode, "merchant_code", true,
                Names.MERCHANTS_MAP, ReferenceTables.MERCHANTS_TABLE, rules::merchantProblem);
    }

    /** The id of the card-token key the customers are keyed with: the start of each of their keys. */
    String keyId() {
        return keyId;
    }

    /**
     * Checks both files of a data set directory, then loads them.
     *
     * @param allowRejects load the valid rows even when some were rejected
     * @throws IllegalArgumentException when a file is missing or empty, or rows were rejected and
     *                                  {@code allowRejects} is off; nothing was written then
     */
    public List<Loaded> loadAll(Path dataDir, boolean clearFirst, boolean allowRejects) {
        return loadAll(dataDir, clearFirst, allowRejects, false);
    }

    /**
     * As {@link #loadAll(Path, boolean, boolean)}; with {@code beside} (a key rotation), the
     * customers of other card-token keys stay where they are and only the current key's are counted.
     */
    public List<Loaded> loadAll(Path dataDir, boolean clearFirst, boolean allowRejects, boolean beside) {
        if (beside && clearFirst) {
            throw new IllegalArgumentException("--beside-other-keys keeps the customers of the other keys;"
                    + " --clear would remove them");
        }
        Path customerFile = dataDir.resolve(CUSTOMERS_FILE);
        Path merchantFile = dataDir.resolve(MERCHANTS_FILE);
        for (Path file : List.of(customerFile, merchantFile)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("No " + file.getFileName() + " in " + dataDir
                        + " (generate the data set first: docs/DATA.md)");
            }
        }
        Checked customerRows = check(customerFile, customers);
        Checked merchantRows = check(merchantFile, merchants);
        int rejected = customerRows.rejected().size() + merchantRows.rejected().size();
        if (rejected > 0) {
            customerRows.rejected().forEach(console::println);
            merchantRows.rejected().forEach(console::println);
            console.printf("Rejected %,d of %,d customers and %,d of %,d merchants%n",
                    customerRows.rejected().size(), customerRows.valid() + customerRows.rejected().size(),
                    merchantRows.rejected().size(), merchantRows.valid() + merchantRows.rejected().size());
            if (!allowRejects) {
                throw new IllegalArgumentException(rejected + " rows rejected (listed above), so nothing was loaded;"
                        + " fix them, or load the valid rows with --allow-rejects");
            }
        }
        return List.of(load(customerFile, customers, customerRows, clearFirst, beside ? keyId + ":" : null),
                load(merchantFile, merchants, merchantRows, clearFirst, null));
    }

    private <R, T> Loaded load(Path file, Kind<R, T> kind, Checked checked, boolean clearFirst, String keyPrefix) {
        long start = System.nanoTime();
        ObjectReader reader = JsonLines.readerFor(kind.rowType());
        Set<Long> skip = checked.rejectedLines();
        ConsoleProgress progress = ConsoleProgress.start(kind.mapName(), checked.valid(), console);
        long[] written = {0};
        String holds;
        try {
            target.clearAndWrite(kind, clearFirst, writer -> {
                Map<String, T> batch = new LinkedHashMap<>();
                JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
                    if (!skip.contains(lineNumber)) {
                        T value = kind.toValue().apply(JsonLines.<R>parse(reader, file, lineNumber, line));
                        batch.put(kind.keyOf().apply(value), value);
                        if (batch.size() >= batchSize) {
                            written[0] += flush(writer, batch);
                            progress.update(written[0]);
                        }
                    }
                });
                written[0] += flush(writer, batch);
            });
            progress.finish(written[0]);
            holds = target.check(kind, file, written[0], clearFirst, keyPrefix);
        } catch (WriteFailed e) {
            throw new IllegalStateException("Writing " + file + " to " + kind.table() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Writing " + file + " to " + kind.table() + " failed: " + e.getMessage(), e);
        }
        return new Loaded(holds, file, written[0], checked.rejected().size(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** A batch the target refused, carried out of the line reader. */
    private static final class WriteFailed extends RuntimeException {
        WriteFailed(Exception cause) {
            super(cause);
        }
    }

    private static <T> int flush(BatchWriter<T> writer, Map<String, T> batch) {
        int n = batch.size();
        if (n > 0) {
            try {
                writer.write(batch);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new WriteFailed(e);
            }
            batch.clear();
        }
        return n;
    }

    /**
     * After a key rotation, once the job tokenises with the new key and has stored its outcomes:
     * removes the customers keyed by tokens of any other key from the target and, when the target
     * is the database, from the maps that cache it; and the predictions and dead letters of them
     * from {@code cluster}. The replay derived every outcome again under the new key: a dead letter
     * it wrote again (same input, same key) now carries a new token, so one still carrying an old
     * token is of an input the replay scored (a transient reason, such as reference data that was
     * unavailable then), and left in place it would be that input's second outcome.
     */
    public Removed removeOtherKeys(HazelcastInstance cluster) throws Exception {
        String current = keyId + ":";
        long removed = target.removeCustomersNotStartingWith(current);
        long cached = target instanceof MapTarget ? 0 : new MapTarget(cluster).removeCustomersNotStartingWith(current);
        int predictions = removeOtherTokens(cluster.getMap(Names.PREDICTION_RESULT_MAP),
                MapTarget.KEY + ".cardToken", current);
        // A dead letter of a message that never became a transaction has no token (like does not
        // match it): the replay wrote it again under the same key, so it is current.
        int deadLetters = removeOtherTokens(cluster.getMap(Names.DEAD_LETTERS_MAP), "cardToken", current);
        return new Removed(removed, cached, predictions, deadLetters);
    }

    /** Deletes the entries whose card token ({@code attribute}) is of another key than {@code current}. */
    private static <K> int removeOtherTokens(IMap<K, ?> map, String attribute, String current) {
        Set<K> stale = map.keySet(Predicates.and(Predicates.like(attribute, "%:%"),
                Predicates.not(Predicates.like(attribute, current + "%"))));
        stale.forEach(map::delete);
        return stale.size();
    }

    /**
     * What {@link #removeOtherKeys} removed: customers from the target, cached customers from the
     * maps (the database target only), predictions, dead letters.
     */
    public record Removed(long customers, long cachedCustomers, int predictions, int deadLetters) {
    }

    Checked checkCustomers(Path file) {
        return check(file, customers);
    }

    Checked checkMerchants(Path file) {
        return check(file, merchants);
    }

    /**
     * Reads every row and judges it: parsed strictly, a key not seen before, the rules of its
     * kind. Keeps only the keys, so that a file of many millions of cards need not fit in memory.
     *
     * @throws IllegalArgumentException for an empty file or one too long for a map
     */
    private static <R, T> Checked check(Path file, Kind<R, T> kind) {
        ObjectReader reader = JsonLines.readerFor(kind.rowType());
        Map<String, Long> firstLineOfKey = new HashMap<>();
        List<Rejected> rejected = new ArrayList<>();
        long lines = JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
            String problem;
            if (line.isBlank()) {
                problem = "empty line (JSON Lines needs one JSON object per line)";
            } else {
                try {
                    problem = problemOf(JsonLines.parse(reader, file, lineNumber, line), kind, lineNumber, firstLineOfKey);
                } catch (JsonLines.BadLineException e) {
                    problem = e.problem();
                }
            }
            if (problem != null) {
                rejected.add(new Rejected(file, lineNumber, problem));
            }
        });
        if (lines == 0) {
            throw new IllegalArgumentException(file + " is empty");
        }
        if (lines - rejected.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + " has more rows than a map can hold");
        }
        return new Checked((int) (lines - rejected.size()), List.copyOf(rejected));
    }

    private static <R, T> String problemOf(R row, Kind<R, T> kind, long lineNumber, Map<String, Long> firstLineOfKey) {
        if (row == null) {
            return "not a JSON object but null";
        }
        String problem = kind.rowProblem().apply(row);
        if (problem != null) {
            return problem;
        }
        T value = kind.toValue().apply(row);
        problem = kind.problemOf().apply(value);
        if (problem != null) {
            return problem;
        }
        Long earlier = firstLineOfKey.putIfAbsent(kind.keyOf().apply(value), lineNumber);
        return earlier == null ? null : "duplicate " + kind.keyField()
                + (kind.showKey() ? " '" + kind.keyOf().apply(value) + "'" : "") + " (first on line " + earlier + ")";
    }

    // ---- command line ----

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The program: 0 when both files are loaded and checked, 1 when loading failed or rows were
     * rejected (unless {@code --allow-rejects}), 2 on bad usage.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    /** Where the program writes: the reference database, or the maps themselves. */
    enum Into { database, maps }

    @Command(name = "ReferenceDataLoader", description = "Loads customers.jsonl and merchants.jsonl into the "
            + "reference database (tables " + ReferenceTables.CUSTOMERS_TABLE + " and " + ReferenceTables.MERCHANTS_TABLE
            + "), or with --into maps straight into the cluster's maps '" + Names.CUSTOMERS_MAP + "' and '"
            + Names.MERCHANTS_MAP + "'.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--data-dir", defaultValue = "${env:DATA_DIR:-python/data}",
                description = "Directory with the data set (env DATA_DIR)")
        Path dataDir;

        @Option(names = "--into", defaultValue = "database", description = "database: the reference database, which"
                + " the members read through; maps: the maps themselves (members without the database)")
        Into into;

        @Option(names = "--database-url", defaultValue = "${env:REFERENCE_DB_URL:-" + DatabaseTarget.DEFAULT_URL + "}",
                description = "JDBC URL of the reference database (env REFERENCE_DB_URL)")
        String databaseUrl;

        @Option(names = "--database-user", defaultValue = "${env:REFERENCE_DB_USER:-fraud}",
                description = "Its user (env REFERENCE_DB_USER)")
        String databaseUser;

        @Option(names = "--database-password", defaultValue = "${env:REFERENCE_DB_PASSWORD:-fraud}",
                description = "Its password (env REFERENCE_DB_PASSWORD)")
        String databasePassword;

        @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH_SIZE, converter = Commands.PositiveInt.class,
                description = "Rows per batch (JDBC batch or putAll)")
        int batchSize;

        @Option(names = "--clear", description = "Replace what the tables (or maps) hold instead of adding to it")
        boolean clear;

        @Option(names = "--allow-rejects", description = "Load the valid rows even when some were rejected")
        boolean allowRejects;

        @Option(names = "--beside-other-keys",
                description = "Key rotation: load the customers under the new key, keeping those of the other keys")
        boolean beside;

        @Option(names = "--remove-other-keys", description = "Key rotation, last step: remove the customers (from the"
                + " target, and from the maps that cache the database) and the predictions of every key but the"
                + " current one, and load nothing")
        boolean removeOthers;

        @Mixin
        ClusterClient cluster;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (removeOthers) {
                // The predictions are in the cluster whichever the target: both are needed.
                HazelcastInstance client = cluster.connect();
                try (Target target = into == Into.maps ? new MapTarget(client) : database()) {
                    ReferenceDataLoader loader = new ReferenceDataLoader(target, batchSize, out);
                    Removed removed = loader.removeOtherKeys(client);
                    out.printf("Removed %,d customers (%s), %,d cached customers, %,d predictions and %,d dead letters"
                                    + " keyed by other card-token keys than %s%n", removed.customers(), into,
                            removed.cachedCustomers(), removed.predictions(), removed.deadLetters(), loader.keyId());
                    return 0;
                } finally {
                    client.shutdown();
                }
            }
            try (Target target = into == Into.maps ? MapTarget.owning(cluster.connect()) : database()) {
                for (Loaded loaded : new ReferenceDataLoader(target, batchSize, out)
                        .loadAll(dataDir, clear, allowRejects, beside)) {
                    out.printf("Loaded %,d rows of %s in %d ms%s: %s%n", loaded.written(), loaded.file(),
                            loaded.elapsed().toMillis(),
                            loaded.rejected() > 0 ? String.format(" (%,d rows rejected)", loaded.rejected()) : "",
                            loaded.holds());
                }
                return 0;
            }
        }

        private DatabaseTarget database() throws Exception {
            return DatabaseTarget.connect(databaseUrl, databaseUser, databasePassword);
        }
    }
}
