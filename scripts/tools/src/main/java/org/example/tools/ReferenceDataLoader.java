package org.example.tools;

import com.fasterxml.jackson.databind.ObjectReader;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.Merchant;
import org.example.records.PredictionKey;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Loads the reference data the job enriches with: {@code customers.jsonl} into the
 * {@value Names#CUSTOMERS_MAP} map (key = card number) and {@code merchants.jsonl} into
 * {@value Names#MERCHANTS_MAP} (key = merchant code), formats and rules as in docs/DATA.md.
 *
 * <p>Every row of both files is checked before anything is written: it must parse strictly, have
 * a key not seen before, and obey {@link ReferenceRules} (the rules ENRICH applies too: ranges of
 * latitude and longitude, the model's vocabularies, dates). Each rejected row is reported with its
 * file, line and reason. If any was rejected, nothing is written unless {@code allowRejects} says to
 * load the valid rows. The maps are written with {@code putAll} in batches, and afterwards each map
 * must hold exactly as many entries as valid rows: more means entries from an earlier data set are
 * still there (see {@code clearFirst}).
 *
 * <p>As a library: {@code new ReferenceDataLoader(hz).loadAll(dataDir, false, false)}. As a
 * program: {@code java -cp fraud-detection-tools.jar:<hazelcast jars> org.example.tools.ReferenceDataLoader --help}.
 */
public final class ReferenceDataLoader {

    public static final String CUSTOMERS_FILE = "customers.jsonl";
    public static final String MERCHANTS_FILE = "merchants.jsonl";
    public static final int DEFAULT_BATCH_SIZE = 1_000;
    /** The attribute a predicate names to match a map entry's key. */
    private static final String KEY = "__key";

    /** What loading one file did. */
    public record Loaded(String mapName, Path file, int entries, int rejected, Duration elapsed) {
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
     * becomes a map value of type {@code T}.
     *
     * @param rowProblem what is wrong with a row before it becomes a value (null: nothing)
     * @param showKey    whether a duplicate's key may be shown (a card's may not: it is its number's token
     *                   made from a number that may be wrong)
     */
    private record Kind<R, T>(Class<R> rowType, Function<R, String> rowProblem, Function<R, T> toValue,
                              Function<T, String> keyOf, String keyField, boolean showKey, String mapName,
                              Function<T, String> problemOf) {
    }

    private final HazelcastInstance hz;
    private final int batchSize;
    private final PrintStream console;
    private final Kind<CustomerRow, Customer> customers;
    private final String keyId;
    private boolean besideOtherKeys;
    private final Kind<Merchant, Merchant> merchants;

    public ReferenceDataLoader(HazelcastInstance hz) {
        this(hz, DEFAULT_BATCH_SIZE, System.out);
    }

    public ReferenceDataLoader(HazelcastInstance hz, int batchSize, PrintStream console) {
        // The card number becomes its token here, with the key file the job's members have.
        this(hz, batchSize, console, CardTokens.configured());
    }

    ReferenceDataLoader(HazelcastInstance hz, int batchSize, PrintStream console, CardTokens tokens) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.hz = hz;
        this.batchSize = batchSize;
        this.console = console;
        ReferenceRules rules = new ReferenceRules(FeatureDefinition.load());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        this.keyId = tokens.keyId();
        this.customers = new Kind<>(CustomerRow.class,
                row -> FieldRules.first(FieldRules.identifierProblem("cc_num", row.ccNum()),
                        FieldRules.cardNumberProblem("cc_num", row.ccNum())),
                row -> row.toCustomer(tokens), Customer::cardToken, "cc_num", false, Names.CUSTOMERS_MAP,
                c -> rules.customerProblem(c, today));
        this.merchants = new Kind<>(Merchant.class, m -> null, m -> m, Merchant::merchantCode, "merchant_code", true,
                Names.MERCHANTS_MAP, rules::merchantProblem);
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
     * customers of other card-token keys stay in the map and only the current key's are counted.
     */
    public List<Loaded> loadAll(Path dataDir, boolean clearFirst, boolean allowRejects, boolean beside) {
        this.besideOtherKeys = beside;
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

    private <R, T> Loaded load(Path file, Kind<R, T> kind, Checked checked, boolean clearFirst) {
        long start = System.nanoTime();
        ObjectReader reader = JsonLines.readerFor(kind.rowType());
        Set<Long> skip = checked.rejectedLines();
        IMap<String, T> map = hz.getMap(kind.mapName());
        if (clearFirst) {
            map.clear();
        }
        ConsoleProgress progress = ConsoleProgress.start(kind.mapName(), checked.valid(), console);
        Map<String, T> batch = new HashMap<>();
        long[] written = {0};
        JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
            if (skip.contains(lineNumber)) {
                return;
            }
            T value = kind.toValue().apply(JsonLines.<R>parse(reader, file, lineNumber, line));
            batch.put(kind.keyOf().apply(value), value);
            if (batch.size() >= batchSize) {
                written[0] += flush(map, batch);
                progress.update(written[0]);
            }
        });
        written[0] += flush(map, batch);
        progress.finish(written[0]);

        int size = besideOtherKeys && kind == customers ? customersOf(keyId) : map.size();
        if (size != checked.valid()) {
            throw new IllegalStateException("Map '" + kind.mapName() + "' holds " + size + " entries after loading "
                    + checked.valid() + " rows of " + file + (size > checked.valid()
                    ? ": it kept entries of an earlier data set; load again with --clear"
                    : ": entries were lost while loading"));
        }
        return new Loaded(kind.mapName(), file, size, checked.rejected().size(), Duration.ofNanos(System.nanoTime() - start));
    }

    private static <T> int flush(IMap<String, T> map, Map<String, T> batch) {
        int n = batch.size();
        if (n > 0) {
            map.putAll(batch);
            batch.clear();
        }
        return n;
    }

    /** How many customers the map holds under tokens of key {@code id}. */
    private int customersOf(String id) {
        return hz.getMap(Names.CUSTOMERS_MAP).keySet(Predicates.like(KEY, id + ":%"))
                .size();
    }

    /**
     * After a key rotation, once the job tokenises with the new key and has stored its outcomes:
     * removes the customers, and the predictions, keyed by tokens of any other key (the replay
     * stored each prediction again under its new token). Returns how many of each.
     */
    public Removed removeOtherKeys() {
        IMap<String, Object> customers = hz.getMap(Names.CUSTOMERS_MAP);
        Set<String> staleCustomers = customers.keySet(Predicates.not(Predicates.like(KEY, keyId + ":%")));
        staleCustomers.forEach(customers::delete);
        IMap<PredictionKey, Object> predictions = hz.getMap(Names.PREDICTION_RESULT_MAP);
        Set<PredictionKey> stalePredictions = predictions.keySet(
                Predicates.not(Predicates.like(KEY + ".cardToken", keyId + ":%")));
        stalePredictions.forEach(predictions::delete);
        return new Removed(staleCustomers.size(), stalePredictions.size());
    }

    /** What {@link #removeOtherKeys()} removed. */
    public record Removed(int customers, int predictions) {
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
     * The program: 0 when both maps are loaded and checked, 1 when loading failed or rows were
     * rejected (unless {@code --allow-rejects}), 2 on bad usage.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    @Command(name = "ReferenceDataLoader", description = "Loads customers.jsonl and merchants.jsonl into the "
            + "cluster's maps '" + Names.CUSTOMERS_MAP + "' and '" + Names.MERCHANTS_MAP + "'.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--data-dir", defaultValue = "${env:DATA_DIR:-python/data}",
                description = "Directory with the data set (env DATA_DIR)")
        Path dataDir;

        @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH_SIZE, converter = Commands.PositiveInt.class,
                description = "Entries per putAll")
        int batchSize;

        @Option(names = "--clear", description = "Empty both maps before loading (replaces an earlier data set)")
        boolean clear;

        @Option(names = "--allow-rejects", description = "Load the valid rows even when some were rejected")
        boolean allowRejects;

        @Option(names = "--beside-other-keys",
                description = "Key rotation: load the customers under the new key, keeping those of the other keys")
        boolean beside;

        @Option(names = "--remove-other-keys", description = "Key rotation, last step: remove the customers and "
                + "predictions of every key but the current one, and load nothing")
        boolean removeOthers;

        @Mixin
        ClusterClient cluster;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            HazelcastInstance client = cluster.connect();
            try {
                ReferenceDataLoader loader = new ReferenceDataLoader(client, batchSize, out);
                if (removeOthers) {
                    Removed removed = loader.removeOtherKeys();
                    out.printf("Removed %,d customers and %,d predictions keyed by other card-token keys than %s%n",
                            removed.customers(), removed.predictions(), loader.keyId);
                    return 0;
                }
                for (Loaded loaded : loader.loadAll(dataDir, clear, allowRejects, beside)) {
                    out.printf("Loaded %,d entries into '%s' from %s in %d ms%s%n", loaded.entries(),
                            loaded.mapName(), loaded.file(), loaded.elapsed().toMillis(),
                            loaded.rejected() > 0 ? String.format(" (%,d rows rejected)", loaded.rejected()) : "");
                }
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }
}
