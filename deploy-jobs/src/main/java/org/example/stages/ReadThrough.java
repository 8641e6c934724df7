package org.example.stages;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.example.definition.ReferenceTables;
import org.example.records.Customer;
import org.example.records.Merchant;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * ENRICH's way to the reference database, for the cards and merchants the maps do not hold: a
 * card issued since the cache was filled, an entry that expired, or everything after a whole
 * cluster restarted. Lookups wait in a queue; a few threads of its own, never Jet's cooperative
 * threads, take what has gathered, up to {@link #MAX_BATCH} lookups, and fetch it in one query per
 * table, so that the burst of a cold start costs hundreds of round trips, not ten thousands. Each
 * lookup is bounded, so that a database that is down or hangs cannot hold the job:
 * <ul>
 *   <li>A fetch that fails is tried again after 50, 100, 200, ... ms, until {@link #DEADLINE_MS}
 *   after the lookup was asked for; a lookup without an answer by then fails too. A restarted
 *   database (a second or so) costs the transactions that need it a wait, not their scoring; so
 *   does the first query of a job, which makes the connection pool, on a busy machine.</li>
 *   <li>Once the database has failed every fetch for {@link #DEADLINE_MS}, it is known to be down:
 *   lookups fail at once, without waiting, and a background probe asks once a second whether it
 *   is back. Meanwhile only transactions whose card or merchant the maps miss are affected; they
 *   become {@code REFERENCE_DATA_UNAVAILABLE} dead letters (docs/DESIGN.md measures this).</li>
 * </ul>
 * A failed lookup completes its future with {@link Unavailable}; nothing else is thrown at the caller.
 */
public final class ReadThrough implements AutoCloseable {

    /** How long a transaction may wait for its reference data from the database. */
    public static final long DEADLINE_MS = 5_000;
    /** Keys of one table in one query at most. */
    static final int MAX_BATCH = 256;
    static final long FIRST_BACKOFF_MS = 50;
    static final long PROBE_INTERVAL_MS = 1_000;

    private static final ILogger LOG = Logger.getLogger(ReadThrough.class);

    /** The database: what it holds for the keys asked for. May block and throw. */
    public interface Source {
        /** The rows of these keys, by key; a key without a row is left out. */
        Rows fetch(Collection<String> cardKeys, Collection<String> merchantCodes) throws Exception;

        /** Whether the database answers at all. */
        void probe() throws Exception;
    }

    /** Rows found, by key. */
    public record Rows(Map<String, Customer> customers, Map<String, Merchant> merchants) {
    }

    /** What the database holds for one lookup's keys; {@code null} where it holds nothing (or was not asked). */
    public record Found(Customer customer, Merchant merchant) {
    }

    /** The database did not give the reference data in time, or is known to be down. */
    public static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private record Lookup(String cardKey, String merchantCode, long askedMs, CompletableFuture<Found> result) {
    }

    private final Source source;
    private final LongSupplier clock;
    private final long deadlineMs;
    private final long probeIntervalMs;
    private final LinkedBlockingQueue<Lookup> queue = new LinkedBlockingQueue<>();
    private final ExecutorService threads;
    private final AtomicBoolean probing = new AtomicBoolean();
    /** When the current run of failures began; 0 while the database answers. Guarded by {@code this}. */
    private long failingSinceMs;
    private String lastProblem;

    public ReadThrough(Source source, int fetchThreads) {
        this(source, fetchThreads, System::currentTimeMillis, DEADLINE_MS, PROBE_INTERVAL_MS);
    }

    ReadThrough(Source source, int fetchThreads, LongSupplier clock, long deadlineMs, long probeIntervalMs) {
        this.source = source;
        this.clock = clock;
        this.deadlineMs = deadlineMs;
        this.probeIntervalMs = probeIntervalMs;
        ClassLoader jobClasses = Thread.currentThread().getContextClassLoader();
        AtomicInteger n = new AtomicInteger();
        // One thread more than fetch the rows: the probe's, while the database is down.
        this.threads = Executors.newFixedThreadPool(fetchThreads + 1, r -> {
            Thread thread = new Thread(r, "reference-read-through-" + n.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(jobClasses);
            return thread;
        });
        for (int i = 0; i < fetchThreads; i++) {
            threads.execute(this::fetchWhatGathers);
        }
    }

    /**
     * What the database holds for these keys ({@code null}: not asked), or {@link Unavailable}
     * within {@link #DEADLINE_MS}; at once when the database is known to be down.
     */
    public CompletableFuture<Found> fetch(String cardKey, String merchantCode) {
        long askedMs = clock.getAsLong();
        String down = downFor(askedMs);
        if (down != null) {
            probeInBackground();
            return CompletableFuture.failedFuture(new Unavailable(down, null));
        }
        if (threads.isShutdown()) {
            return CompletableFuture.failedFuture(new Unavailable("the lookup was refused: the job is stopping", null));
        }
        CompletableFuture<Found> result = new CompletableFuture<>();
        queue.add(new Lookup(cardKey, merchantCode, askedMs, result));
        return result.orTimeout(deadlineMs, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(e, askedMs)));
    }

    /** A fetch thread: takes what has gathered in the queue, fetches it, and again. */
    private void fetchWhatGathers() {
        List<Lookup> batch = new ArrayList<>();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                fetchAll(batch);
                batch.clear();
            }
        } catch (InterruptedException stopping) {
            Unavailable refused = new Unavailable("the lookup was interrupted: the job is stopping", stopping);
            batch.forEach(lookup -> lookup.result().completeExceptionally(refused));
        }
    }

    /** One batch, asked again after a failure until each lookup has its answer or its deadline passed. */
    private void fetchAll(List<Lookup> batch) throws InterruptedException {
        long backoffMs = FIRST_BACKOFF_MS;
        for (int attempts = 1; ; attempts++) {
            batch.removeIf(lookup -> lookup.result().isDone());
            if (batch.isEmpty()) {
                return;
            }
            Set<String> cardKeys = new LinkedHashSet<>();
            Set<String> merchantCodes = new LinkedHashSet<>();
            for (Lookup lookup : batch) {
                if (lookup.cardKey() != null) {
                    cardKeys.add(lookup.cardKey());
                }
                if (lookup.merchantCode() != null) {
                    merchantCodes.add(lookup.merchantCode());
                }
            }
            try {
                Rows rows = source.fetch(cardKeys, merchantCodes);
                answered();
                for (Lookup lookup : batch) {
                    lookup.result().complete(new Found(lookup.cardKey() == null ? null : rows.customers().get(lookup.cardKey()),
                            lookup.merchantCode() == null ? null : rows.merchants().get(lookup.merchantCode())));
                }
                return;
            } catch (Exception e) {
                long now = clock.getAsLong();
                failed(now, e);
                boolean down = downFor(now) != null;
                for (Lookup lookup : batch) {
                    if (down || now + backoffMs - lookup.askedMs() >= deadlineMs) {
                        lookup.result().completeExceptionally(new Unavailable("the reference database failed "
                                + attempts + (attempts == 1 ? " attempt" : " attempts") + " in " + (now - lookup.askedMs())
                                + " ms: " + problem(e), e));
                    }
                }
            }
            Thread.sleep(backoffMs);
            backoffMs *= 2;
        }
    }

    /** The failure as the caller sees it: already an {@link Unavailable}, or the deadline passed. */
    private Throwable unavailable(Throwable e, long askedMs) {
        if (e instanceof TimeoutException) {
            long now = clock.getAsLong();
            failed(now, e);
            return new Unavailable("the reference database gave no answer within " + (now - askedMs) + " ms", e);
        }
        return e;
    }

    /**
     * Asks the database once, in the background, as a lookup does: the connection pool is made,
     * and the driver's classes loaded, on first use; better before the first transaction waits.
     */
    void warmUp() {
        try {
            threads.execute(() -> {
                try {
                    source.fetch(List.of(), List.of());
                    answered();
                } catch (Exception e) {
                    failed(clock.getAsLong(), e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            // Closed already: nothing to warm up.
        }
    }

    /** While the database is known to be down: one probe a second until it answers. */
    private void probeInBackground() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        try {
            threads.execute(() -> {
                try {
                    while (downFor(clock.getAsLong()) != null) {
                        try {
                            source.probe();
                            answered();
                        } catch (Exception e) {
                            failed(clock.getAsLong(), e);
                            Thread.sleep(probeIntervalMs);
                        }
                    }
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                } finally {
                    probing.set(false);
                }
            });
        } catch (RejectedExecutionException stopping) {
            probing.set(false);
        }
    }

    /** Why a lookup need not even be tried now, or {@code null} when it should be. */
    private synchronized String downFor(long now) {
        if (failingSinceMs == 0 || now - failingSinceMs < deadlineMs) {
            return null;
        }
        return "the reference database has failed every request for " + (now - failingSinceMs) + " ms (last: "
                + lastProblem + "); not asked again until a probe gets an answer";
    }

    private synchronized void answered() {
        if (failingSinceMs != 0) {
            LOG.info("The reference database answers again, after " + (clock.getAsLong() - failingSinceMs)
                    + " ms of failures; cards and merchants the maps miss are read from it again");
        }
        failingSinceMs = 0;
    }

    private synchronized void failed(long now, Throwable e) {
        lastProblem = problem(e);
        if (failingSinceMs == 0) {
            failingSinceMs = now;
            LOG.warning("The reference database failed a request (" + lastProblem + "). Transactions whose card or"
                    + " merchant the maps miss wait up to " + deadlineMs + " ms for it, then become"
                    + " REFERENCE_DATA_UNAVAILABLE dead letters; those the maps hold are scored with what they hold");
        }
    }

    /** The failure and, when it wraps another, what lies under it: a pool's failure names the login's. */
    private static String problem(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no answer in time";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String told = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root == e ? told : told + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /** Stops the threads; lookups still waiting fail. */
    @Override
    public void close() {
        threads.shutdownNow();
        Unavailable refused = new Unavailable("the lookup was refused: the job is stopping", null);
        for (Lookup lookup; (lookup = queue.poll()) != null; ) {
            lookup.result().completeExceptionally(refused);
        }
    }

    /**
     * The reference database through a JDBC connection per trip (from a pool: the members' data
     * connection): one query per table, for all the keys of a batch.
     */
    public static Source jdbc(Supplier<Connection> connections) {
        return new Source() {
            @Override
            public Rows fetch(Collection<String> cardKeys, Collection<String> merchantCodes) throws SQLException {
                // Nothing asked at all: the warm-up, which runs both queries to have everything loaded.
                boolean all = cardKeys.isEmpty() && merchantCodes.isEmpty();
                try (Connection connection = connections.get()) {
                    return new Rows(
                            all || !cardKeys.isEmpty() ? rows(connection, ReferenceTables.SELECT_CUSTOMERS, cardKeys,
                                    ReferenceTables::customer) : Map.of(),
                            all || !merchantCodes.isEmpty() ? rows(connection, ReferenceTables.SELECT_MERCHANTS,
                                    merchantCodes, ReferenceTables::merchant) : Map.of());
                }
            }

            @Override
            public void probe() throws SQLException {
                try (Connection connection = connections.get(); Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
            }
        };
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The rows of {@code keys} by key, the key being each row's first column. */
    private static <T> Map<String, T> rows(Connection connection, String select, Collection<String> keys,
                                           RowReader<T> reader) throws SQLException {
        Map<String, T> rows = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(select)) {
            Array array = connection.createArrayOf("text", keys.toArray());
            statement.setArray(1, array);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.put(row.getString(1), reader.read(row));
                }
            } finally {
                array.free();
            }
        }
        return rows;
    }
}
