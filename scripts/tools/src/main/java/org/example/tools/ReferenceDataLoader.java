package org.example.tools;

import com.fasterxml.jackson.databind.ObjectReader;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.example.CommandLineFlags;
import org.example.Names;
import org.example.model.Customer;
import org.example.model.Merchant;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Loads the reference data the job enriches with: {@code customers.jsonl} into the
 * {@value Names#CUSTOMERS_MAP} map (key = card number) and {@code merchants.jsonl} into
 * {@value Names#MERCHANTS_MAP} (key = merchant code), formats as in docs/DATA.md.
 *
 * <p>Every line is parsed and checked before anything is written, so a bad file leaves the maps
 * as they were; the error names the file and line. The maps are written with {@code putAll} in
 * batches, and afterwards each map must hold exactly as many entries as its file has lines: more
 * means entries from an earlier data set are still there (see {@code clearFirst}).
 *
 * <p>As a library: {@code new ReferenceDataLoader(hz).loadAll(dataDir, false)}. As a program:
 * {@code java -cp fraud-detection-job.jar:<hazelcast jars> org.example.tools.ReferenceDataLoader --help}.
 */
public final class ReferenceDataLoader {

    public static final String CUSTOMERS_FILE = "customers.jsonl";
    public static final String MERCHANTS_FILE = "merchants.jsonl";
    public static final int DEFAULT_BATCH_SIZE = 1_000;

    /** What loading one file did. */
    public record Loaded(String mapName, Path file, int entries, Duration elapsed) {
    }

    private final HazelcastInstance hz;
    private final int batchSize;
    private final PrintStream console;

    public ReferenceDataLoader(HazelcastInstance hz) {
        this(hz, DEFAULT_BATCH_SIZE, System.out);
    }

    public ReferenceDataLoader(HazelcastInstance hz, int batchSize, PrintStream console) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.hz = hz;
        this.batchSize = batchSize;
        this.console = console;
    }

    /** Loads both files of a data set directory. */
    public List<Loaded> loadAll(Path dataDir, boolean clearFirst) {
        Path customers = dataDir.resolve(CUSTOMERS_FILE);
        Path merchants = dataDir.resolve(MERCHANTS_FILE);
        for (Path file : List.of(customers, merchants)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("No " + file.getFileName() + " in " + dataDir
                        + " (generate the data set first: docs/DATA.md)");
            }
        }
        return List.of(loadCustomers(customers, clearFirst), loadMerchants(merchants, clearFirst));
    }

    public Loaded loadCustomers(Path file, boolean clearFirst) {
        return load(file, Customer.class, Customer::ccNum, "cc_num", Names.CUSTOMERS_MAP, clearFirst);
    }

    public Loaded loadMerchants(Path file, boolean clearFirst) {
        return load(file, Merchant.class, Merchant::merchantCode, "merchant_code", Names.MERCHANTS_MAP, clearFirst);
    }

    private <T> Loaded load(Path file, Class<T> type, Function<T, String> keyOf, String keyField,
                            String mapName, boolean clearFirst) {
        long start = System.nanoTime();
        ObjectReader reader = JsonLines.readerFor(type);
        // Two passes over the file on purpose: the first checks every line and keeps only the keys,
        // so nothing is written from a bad file, and a file of many millions of cards need not fit
        // in this process's memory; the second writes it in batches.
        int lines = check(file, reader, keyOf, keyField);

        IMap<String, T> map = hz.getMap(mapName);
        if (clearFirst) {
            map.clear();
        }
        ConsoleProgress progress = ConsoleProgress.start(mapName, lines, console);
        Map<String, T> batch = new HashMap<>();
        long[] written = {0};
        JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
            T value = JsonLines.parse(reader, file, lineNumber, line);
            batch.put(keyOf.apply(value), value);
            if (batch.size() >= batchSize) {
                written[0] += flush(map, batch);
                progress.update(written[0]);
            }
        });
        written[0] += flush(map, batch);
        progress.finish(written[0]);

        int size = map.size();
        if (size != lines) {
            throw new IllegalStateException("Map '" + mapName + "' holds " + size + " entries after loading "
                    + lines + " lines of " + file + (size > lines
                    ? ": it kept entries of an earlier data set; load again with --clear"
                    : ": entries were lost while loading"));
        }
        return new Loaded(mapName, file, size, Duration.ofNanos(System.nanoTime() - start));
    }

    private static <T> int flush(IMap<String, T> map, Map<String, T> batch) {
        int n = batch.size();
        if (n > 0) {
            map.putAll(batch);
            batch.clear();
        }
        return n;
    }

    /**
     * Parses every line and checks its key: present, not blank, not seen before.
     *
     * @return the number of lines, each one entry
     * @throws JsonLines.BadLineException naming the first bad line
     */
    static <T> int check(Path file, ObjectReader reader, Function<T, String> keyOf, String keyField) {
        Map<String, Long> firstLineOfKey = new HashMap<>();
        long lines = JsonLines.forEachLine(file, 0, (lineNumber, line) -> {
            T value = JsonLines.parse(reader, file, lineNumber, line);
            String key = keyOf.apply(value);
            if (key == null || key.isBlank()) {
                throw new JsonLines.BadLineException(file, lineNumber, keyField + " is missing or blank");
            }
            Long earlier = firstLineOfKey.putIfAbsent(key, lineNumber);
            if (earlier != null) {
                throw new JsonLines.BadLineException(file, lineNumber,
                        "duplicate " + keyField + " '" + key + "' (first on line " + earlier + ")");
            }
        });
        if (lines == 0) {
            throw new IllegalArgumentException(file + " is empty");
        }
        if (lines > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + " has more lines than a map can hold");
        }
        return (int) lines;
    }

    // ---- command line ----

    static final String SYNOPSIS = "Loads customers.jsonl and merchants.jsonl into the cluster's maps '"
            + Names.CUSTOMERS_MAP + "' and '" + Names.MERCHANTS_MAP + "'.\n"
            + "usage: ReferenceDataLoader [options]";

    static final List<CommandLineFlags.Flag> FLAGS = ClusterClient.withConnectionFlags(List.of(
            CommandLineFlags.Flag.option("data-dir", "DATA_DIR", "python/data", "Directory with the data set"),
            CommandLineFlags.Flag.option("batch-size", null, String.valueOf(DEFAULT_BATCH_SIZE), "Entries per putAll"),
            CommandLineFlags.Flag.onOff("clear", "Empty both maps before loading (replaces an earlier data set)")));

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The program: 0 when both maps are loaded and checked, 1 when loading failed, 2 on bad usage. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return Cli.run("ReferenceDataLoader", SYNOPSIS, FLAGS, args, env, out, err, flags -> {
            Path dataDir = Path.of(flags.get("data-dir"));
            int batchSize = flags.getInt("batch-size", 1);
            boolean clear = flags.isOn("clear");
            return () -> {
                HazelcastInstance client = ClusterClient.connect(flags);
                try {
                    for (Loaded loaded : new ReferenceDataLoader(client, batchSize, out).loadAll(dataDir, clear)) {
                        out.printf("Loaded %,d entries into '%s' from %s in %d ms%n", loaded.entries(),
                                loaded.mapName(), loaded.file(), loaded.elapsed().toMillis());
                    }
                    return 0;
                } finally {
                    client.shutdown();
                }
            };
        });
    }
}
