package org.example.tools;

import com.fasterxml.jackson.databind.ObjectReader;
import org.example.CommandLineFlags;
import org.example.definition.Names;
import org.example.definition.FeatureDefinition;
import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.example.records.Merchant;
import org.example.stages.ReferenceRules;

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
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Loads the reference data the job enriches with, formats and rules as in docs/DATA.md:
 * {@code customers.jsonl} (key = card) and {@code merchants.jsonl} (key = merchant code) into
 * their {@link Target}: the reference database, the system of record that ENRICH reads through
 * ({@link DatabaseTarget}: tables {@code customers} and {@code merchants}), or, for members without
 * one (the demo), the maps {@value Names#CUSTOMERS_MAP} and {@value Names#MERCHANTS_MAP}
 * themselves ({@link MapTarget}).
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

    /** What loading one file did. */
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

    /** How one kind of reference data is read, keyed and checked. */
    record Kind<T>(Class<T> type, Function<T, String> keyOf, String keyField, String mapName, String table,
                   Function<T, String> problemOf) {
    }

    /**
     * Where checked rows go. {@link #clearAndWrite} gets the rows in batches through {@code rows};
     * {@link #check} then says what the target holds.
     */
    interface Target extends AutoCloseable {
        /** Writes every row {@code rows} gives; replaces what was there first when {@code clearFirst}. */
        <T> void clearAndWrite(Kind<T> kind, boolean clearFirst, RowBatches<T> rows) throws Exception;

        /** What the target holds after {@code written} rows of a file; throws when that is wrong. */
        <T> String check(Kind<T> kind, Path file, long written, boolean cleared) throws Exception;

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

    /**
     * The card's key wherever a customer is stored, in the database and in the maps: what ENRICH
     * looks customers up by, the Kafka key of the card's transactions. The card number today;
     * once the producer tokenizes cards, the token, computed here and nowhere else in the loader.
     */
    static String cardKey(Customer customer) {
        return customer.ccNum();
    }

    private final Target target;
    private final int batchSize;
    private final PrintStream console;
    private final Kind<Customer> customers;
    private final Kind<Merchant> merchants;

    public ReferenceDataLoader(Target target) {
        this(target, DEFAULT_BATCH_SIZE, System.out);
    }

    public ReferenceDataLoader(Target target, int batchSize, PrintStream console) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.target = target;
        this.batchSize = batchSize;
        this.console = console;
        ReferenceRules rules = new ReferenceRules(FeatureDefinition.load());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        this.customers = new Kind<>(Customer.class, ReferenceDataLoader::cardKey, "cc_num", Names.CUSTOMERS_MAP,
                ReferenceTables.CUSTOMERS_TABLE, c -> rules.customerProblem(c, today));
        this.merchants = new Kind<>(Merchant.class, Merchant::merchantCode, "merchant_code", Names.MERCHANTS_MAP,
                ReferenceTables.MERCHANTS_TABLE, rules::merchantProblem);
    }

    /**
     * Checks both files of a data set directory, then loads them.
     *
     * @param allowRejects load the valid rows even when some were rejected
     * @throws IllegalArgumentException when a file is missing or empty, or rows were rejected and
     *                                  {@code allowRejects} is off; nothing was written then
     */
    public List<Loaded> loadAll(Path dataDir, boolean clearFirst, boolean allowRejects) {
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
        return List.of(load(customerFile, customers, customerRows, clearFirst),
                load(merchantFile, merchants, merchantRows, clearFirst));
    }

    private <T> Loaded load(Path file, Kind<T> kind, Checked checked, boolean clearFirst) {
        long start = System.nanoTime();
        ObjectReader reader = JsonLines.readerFor(kind.type());
        Set<Long> skip = checked.rejectedLines();
        ConsoleProgress progress = ConsoleProgress.start(kind.mapName(), checked.valid(), console);
        long[] written = {0};
        String holds;
        try {
            target.clearAndWrite(kind, clearFirst, writer -> {
                Map<String, T> batch = new LinkedHashMap<>();
                JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
                    if (!skip.contains(lineNumber)) {
                        T value = JsonLines.parse(reader, file, lineNumber, line);
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
            holds = target.check(kind, file, written[0], clearFirst);
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
    private static <T> Checked check(Path file, Kind<T> kind) {
        ObjectReader reader = JsonLines.readerFor(kind.type());
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

    private static <T> String problemOf(T value, Kind<T> kind, long lineNumber, Map<String, Long> firstLineOfKey) {
        if (value == null) {
            return "not a JSON object but null";
        }
        String problem = kind.problemOf().apply(value);
        if (problem != null) {
            return problem;
        }
        Long earlier = firstLineOfKey.putIfAbsent(kind.keyOf().apply(value), lineNumber);
        return earlier == null ? null
                : "duplicate " + kind.keyField() + " '" + kind.keyOf().apply(value) + "' (first on line " + earlier + ")";
    }

    // ---- command line ----

    static final String SYNOPSIS = "Loads customers.jsonl and merchants.jsonl into the reference database (tables "
            + ReferenceTables.CUSTOMERS_TABLE + " and " + ReferenceTables.MERCHANTS_TABLE + "), or with --into maps"
            + " straight into the cluster's maps '" + Names.CUSTOMERS_MAP + "' and '" + Names.MERCHANTS_MAP + "'.\n"
            + "usage: ReferenceDataLoader [options]";

    static final List<CommandLineFlags.Flag> FLAGS = ClusterClient.withConnectionFlags(List.of(
            CommandLineFlags.Flag.option("data-dir", "DATA_DIR", "python/data", "Directory with the data set"),
            CommandLineFlags.Flag.option("into", null, "database",
                    "database: the reference database, which the members read through; maps: the maps themselves"
                            + " (members without the database)"),
            CommandLineFlags.Flag.option("database-url", "REFERENCE_DB_URL", DatabaseTarget.DEFAULT_URL,
                    "JDBC URL of the reference database"),
            CommandLineFlags.Flag.option("database-user", "REFERENCE_DB_USER", "fraud", "Its user"),
            CommandLineFlags.Flag.option("database-password", "REFERENCE_DB_PASSWORD", "fraud", "Its password"),
            CommandLineFlags.Flag.option("batch-size", null, String.valueOf(DEFAULT_BATCH_SIZE),
                    "Rows per batch (JDBC batch or putAll)"),
            CommandLineFlags.Flag.onOff("clear", "Replace what the tables (or maps) hold instead of adding to it"),
            CommandLineFlags.Flag.onOff("allow-rejects", "Load the valid rows even when some were rejected")));

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /**
     * The program: 0 when both files are loaded and checked, 1 when loading failed or rows were
     * rejected (unless {@code --allow-rejects}), 2 on bad usage.
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return Cli.run("ReferenceDataLoader", SYNOPSIS, FLAGS, args, env, out, err, flags -> {
            Path dataDir = Path.of(flags.get("data-dir"));
            int batchSize = flags.getInt("batch-size", 1);
            boolean clear = flags.isOn("clear");
            boolean allowRejects = flags.isOn("allow-rejects");
            String into = flags.get("into");
            if (!into.equals("database") && !into.equals("maps")) {
                throw new IllegalArgumentException("--into takes database or maps, not '" + into + "'");
            }
            return () -> {
                try (Target target = into.equals("maps") ? MapTarget.client(flags)
                        : DatabaseTarget.connect(flags.get("database-url"), flags.get("database-user"),
                        flags.get("database-password"))) {
                    for (Loaded loaded : new ReferenceDataLoader(target, batchSize, out).loadAll(dataDir, clear, allowRejects)) {
                        out.printf("Loaded %,d rows of %s in %d ms%s: %s%n", loaded.written(), loaded.file(),
                                loaded.elapsed().toMillis(),
                                loaded.rejected() > 0 ? String.format(" (%,d rows rejected)", loaded.rejected()) : "",
                                loaded.holds());
                    }
                    return 0;
                }
            };
        });
    }
}
