package org.example.stages;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.dataconnection.impl.JdbcDataConnection;
import com.hazelcast.jet.core.ProcessorSupplier;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import com.hazelcast.map.IMap;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.definition.ReferenceTables;
import org.example.records.CompactValues;
import org.example.records.Customer;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.Merchant;
import org.example.records.Transaction;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * ENRICH's service on a member: the maps {@code customers} and {@code merchants} as a cache of the
 * reference database, when the members' configuration has its data connection
 * ({@value ReferenceTables#DATA_CONNECTION}); without one, the maps alone (the demo).
 *
 * <p>A lookup reads both maps first, synchronously: ENRICH runs on the member that owns the card,
 * and both maps keep near caches of local entries, so a hit is answered in the calling thread
 * (docs/DESIGN.md). An entry is used as it is while it is younger than the refresh age
 * ({@value #REFRESH_PROPERTY}, 60 s): so a change in the database reaches scoring within it. A
 * card or merchant the maps miss, or hold for longer, is read from the database on threads of
 * its own ({@link ReadThrough}) and kept in the maps, which restarts its age. If the database
 * cannot give it in time, an entry the maps hold is used as it is (the maps' time to live bounds
 * how long: scripts/hazelcast.yaml), and only a true miss becomes a
 * {@code REFERENCE_DATA_UNAVAILABLE} dead letter.
 *
 * <p>Values are read as {@code Object}: see {@link CompactValues} for why they may arrive as
 * generic records.
 */
public final class ReferenceCache implements AutoCloseable {

    /** Member configuration property: seconds after which an entry is read again before use. */
    public static final String REFRESH_PROPERTY = "fraud.reference-data.refresh-seconds";
    static final long DEFAULT_REFRESH_MS = 60_000;
    /** Lookups of one member fetching from the database at once; as many as its connection pool holds. */
    private static final int DATABASE_THREADS = 4;
    /** Read times one member remembers per map; past it they are forgotten, which costs a read each. */
    private static final int MAX_READ_TIMES = 200_000;

    private static final ILogger LOG = Logger.getLogger(ReferenceCache.class);

    private final IMap<String, Object> customers;
    private final IMap<String, Object> merchants;
    private final ReferenceRules rules;
    private final ReadThrough database;
    private final long refreshMs;
    private final LongSupplier clock;
    private final Runnable release;
    /** When this member last read each key from the database. Ages of entries it did not read are unknown: due. */
    private final Map<String, Long> customersReadAt = new ConcurrentHashMap<>();
    private final Map<String, Long> merchantsReadAt = new ConcurrentHashMap<>();

    /** The maps alone: what they miss is unknown (the demo, and members without the database). */
    public ReferenceCache(IMap<String, Object> customers, IMap<String, Object> merchants, FeatureDefinition features) {
        this(customers, merchants, features, null, null, DEFAULT_REFRESH_MS, System::currentTimeMillis, () -> { });
    }

    /**
     * The maps, and behind them the database's {@code rows} ({@code null}: none), read through
     * {@code readThrough}, which is given them wrapped so that what they find is kept in the maps.
     */
    ReferenceCache(IMap<String, Object> customers, IMap<String, Object> merchants, FeatureDefinition features,
                   ReadThrough.Source rows, Function<ReadThrough.Source, ReadThrough> readThrough, long refreshMs,
                   LongSupplier clock, Runnable release) {
        this.customers = customers;
        this.merchants = merchants;
        this.rules = new ReferenceRules(features);
        this.refreshMs = refreshMs;
        this.clock = clock;
        this.release = release;
        this.database = rows == null ? null : readThrough.apply(keepingWhatIsFound(rows));
    }

    /** ENRICH's service on a member: with the database, when the member's configuration has it. */
    public static ReferenceCache on(ProcessorSupplier.Context ctx, FeatureDefinition features) {
        HazelcastInstance hz = ctx.hazelcastInstance();
        IMap<String, Object> customers = hz.getMap(Names.CUSTOMERS_MAP);
        IMap<String, Object> merchants = hz.getMap(Names.MERCHANTS_MAP);
        if (!hz.getConfig().getDataConnectionConfigs().containsKey(ReferenceTables.DATA_CONNECTION)) {
            LOG.info("No data connection '" + ReferenceTables.DATA_CONNECTION + "' on this member: ENRICH reads the maps"
                    + " only, and a card or merchant they do not hold is unknown");
            return new ReferenceCache(customers, merchants, features);
        }
        String refresh = hz.getConfig().getProperty(REFRESH_PROPERTY);
        long refreshMs = refresh == null ? DEFAULT_REFRESH_MS : Long.parseLong(refresh.trim()) * 1000;
        JdbcDataConnection database = ctx.dataConnectionService()
                .getAndRetainDataConnection(ReferenceTables.DATA_CONNECTION, JdbcDataConnection.class);
        ReferenceCache cache = new ReferenceCache(customers, merchants, features, ReadThrough.jdbc(database::getConnection),
                keeping -> new ReadThrough(keeping, DATABASE_THREADS), refreshMs, System::currentTimeMillis,
                database::release);
        // The connection pool is made on first use: now, rather than in the first transaction's wait.
        cache.database.warmUp();
        return cache;
    }

    /**
     * What ENRICH does with one event, given its member's cache: {@link #lookUp}, which the
     * pipeline's containment test wraps to throw (the asynchronous twin of {@link Step.StageFunction}).
     */
    @FunctionalInterface
    public interface Lookup extends Serializable {
        CompletableFuture<Step<EnrichedEvent>> apply(ReferenceCache refs, FeaturedEvent event, long nowMs) throws Exception;
    }

    /**
     * ENRICH on one step: a dead letter passes on, and any exception of {@code lookup}, now or in
     * the future, becomes the input's {@code INTERNAL_ERROR}, as {@link Step#next} does.
     */
    public CompletableFuture<Step<EnrichedEvent>> next(Step<FeaturedEvent> step, Lookup lookup, long nowMs) {
        if (!step.isOk()) {
            return CompletableFuture.completedFuture(Step.next(step, Names.Stage.ENRICH, nowMs, (event, now) -> null));
        }
        FeaturedEvent event = step.value();
        try {
            CompletableFuture<Step<EnrichedEvent>> result = lookup.apply(this, event, nowMs);
            if (result == null) {
                throw new IllegalStateException(Names.Stage.ENRICH + " returned no outcome");
            }
            return result.handle((joined, e) -> e == null && joined != null ? joined
                    : Step.failed(Step.internalError(Names.Stage.ENRICH,
                            asException(e == null ? new IllegalStateException(Names.Stage.ENRICH + " returned no outcome") : e),
                            event, clock.getAsLong())));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Step.failed(Step.internalError(Names.Stage.ENRICH, e, event, nowMs)));
        }
    }

    private static Exception asException(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof Exception ex ? ex : new IllegalStateException(cause);
    }

    /**
     * The joined event, or the dead letter of an unknown card or merchant, or of one the maps miss
     * and the database could not give within {@link ReadThrough#DEADLINE_MS}. Completed at once
     * when the maps hold both, young enough; never completed exceptionally.
     */
    public CompletableFuture<Step<EnrichedEvent>> lookUp(FeaturedEvent event, long nowMs) {
        Transaction txn = event.transaction();
        Customer customer = CompactValues.as(customers.get(txn.cardToken()), Customer.class);
        Merchant merchant = CompactValues.as(merchants.get(txn.merchantCode()), Merchant.class);
        boolean readCustomer = database != null && (customer == null || due(customersReadAt, txn.cardToken(), nowMs));
        boolean readMerchant = database != null && (merchant == null || due(merchantsReadAt, txn.merchantCode(), nowMs));
        if (!readCustomer && !readMerchant) {
            return CompletableFuture.completedFuture(Enrich.enrich(event, customer, merchant, rules, nowMs));
        }
        return database.fetch(readCustomer ? txn.cardToken() : null, readMerchant ? txn.merchantCode() : null)
                .handle((found, e) -> Step.apply(event, Names.Stage.ENRICH, clock.getAsLong(), (joined, doneMs) -> {
                    if (e == null) {
                        return Enrich.enrich(joined, readCustomer ? found.customer() : customer,
                                readMerchant ? found.merchant() : merchant, rules, doneMs);
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (!(cause instanceof ReadThrough.Unavailable)) {
                        throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
                    }
                    if (customer != null && merchant != null) {
                        // What the maps hold, though older than the refresh age, rather than nothing.
                        return Enrich.enrich(joined, customer, merchant, rules, doneMs);
                    }
                    return Enrich.failed(joined, DeadLetterReason.REFERENCE_DATA_UNAVAILABLE, "the "
                            + missing(customer, merchant) + " of this transaction, not in the maps, could not be read"
                            + " from the reference database: " + cause.getMessage(), doneMs);
                }));
    }

    private boolean due(Map<String, Long> readAt, String key, long nowMs) {
        Long at = readAt.get(key);
        return at == null || nowMs - at >= refreshMs;
    }

    private static String missing(Customer customer, Merchant merchant) {
        return customer != null ? "merchant" : merchant != null ? "card holder" : "card holder and the merchant";
    }

    /**
     * What the database gives is put in the maps (a row it no longer holds is taken out of them),
     * and the time it was read remembered, without waiting for the maps: see {@link #keep}.
     */
    private ReadThrough.Source keepingWhatIsFound(ReadThrough.Source source) {
        return new ReadThrough.Source() {
            @Override
            public ReadThrough.Rows fetch(Collection<String> cardKeys, Collection<String> merchantCodes) throws Exception {
                ReadThrough.Rows rows = source.fetch(cardKeys, merchantCodes);
                long readAtMs = clock.getAsLong();
                keep(customers, customersReadAt, cardKeys, rows.customers(), readAtMs);
                keep(merchants, merchantsReadAt, merchantCodes, rows.merchants(), readAtMs);
                return rows;
            }

            @Override
            public void probe() throws Exception {
                source.probe();
            }
        };
    }

    /**
     * Puts what was read in the map and takes out what the database no longer holds, without waiting:
     * the rows answer the lookups now, and a cluster that is slow to take writes (a member lost, its
     * partitions moving: seconds) must not make them miss the database's deadline and become dead
     * letters. A write that fails only costs its key's next lookup a trip to the database: its read
     * time is forgotten.
     */
    private static void keep(IMap<String, Object> map, Map<String, Long> readAt, Collection<String> asked,
                             Map<String, ?> found, long readAtMs) {
        if (readAt.size() + asked.size() > MAX_READ_TIMES) {
            readAt.clear();
        }
        asked.forEach(key -> readAt.put(key, readAtMs));
        try {
            if (!found.isEmpty()) {
                map.setAllAsync(found).whenComplete((done, e) -> forgetOnFailure(map, readAt, found.keySet(), e));
            }
            for (String key : asked) {
                if (!found.containsKey(key)) {
                    map.deleteAsync(key).whenComplete((done, e) -> forgetOnFailure(map, readAt, List.of(key), e));
                }
            }
        } catch (RuntimeException e) {
            forgetOnFailure(map, readAt, asked, e);
        }
    }

    private static void forgetOnFailure(IMap<String, Object> map, Map<String, Long> readAt, Collection<String> keys,
                                        Throwable e) {
        if (e != null) {
            keys.forEach(readAt::remove);
            // What was read is right; only the next lookup of these keys goes to the database again.
            LOG.warning("Could not keep reference data read from the database in map '" + map.getName() + "': " + e);
        }
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
        release.run();
    }
}
