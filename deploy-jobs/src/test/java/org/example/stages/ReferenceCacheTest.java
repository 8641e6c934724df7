package org.example.stages;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapInterceptor;
import org.example.definition.FeatureDefinition;
import org.example.definition.Names;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.Merchant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.NOW;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.token;
import static org.example.TestData.txn;

/**
 * ENRICH's lookups: the maps first, the reference database for what they miss or hold for longer
 * than the refresh age, what it gives kept in the maps, what they hold used when it gives nothing;
 * on one embedded member, with a database that answers as each test says and a clock the test sets
 * (the real database: ReadThroughIntegrationTest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceCacheTest {

    private static final String NEW_CARD = "4000000000000077";

    /** Rows by key; {@code down}: every trip fails. Records the keys it was asked for. */
    private static final class Database implements ReadThrough.Source {
        final Map<String, Object> rows = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean down;

        @Override
        public ReadThrough.Rows fetch(Collection<String> cardKeys, Collection<String> merchantCodes) throws Exception {
            asked.add(cardKeys + "/" + merchantCodes);
            probe();
            Map<String, Customer> customers = new HashMap<>();
            cardKeys.stream().filter(rows::containsKey).forEach(k -> customers.put(k, (Customer) rows.get(k)));
            Map<String, Merchant> merchants = new HashMap<>();
            merchantCodes.stream().filter(rows::containsKey).forEach(k -> merchants.put(k, (Merchant) rows.get(k)));
            return new ReadThrough.Rows(customers, merchants);
        }

        @Override
        public void probe() throws Exception {
            if (down) {
                throw new SQLException("Connection to 127.0.0.1:5433 refused");
            }
        }
    }

    private HazelcastInstance member;
    private IMap<String, Object> customers;
    private IMap<String, Object> merchants;
    private static final long REFRESH_MS = 60_000;

    private Database database;
    private final AtomicLong clock = new AtomicLong(NOW);
    private ReferenceCache withDatabase;

    @BeforeAll
    void startMember() {
        Config config = new Config().setClusterName("reference-data-test-" + ProcessHandle.current().pid());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(5971).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        member = Hazelcast.newHazelcastInstance(config);
        customers = member.getMap(Names.CUSTOMERS_MAP);
        merchants = member.getMap(Names.MERCHANTS_MAP);
    }

    @BeforeEach
    void fill() {
        customers.clear();
        merchants.clear();
        customers.set(token(CARD), customer(CARD));
        merchants.set(MERCHANT, merchant(MERCHANT));
        database = new Database();
        database.rows.put(token(CARD), customer(CARD));
        database.rows.put(token(NEW_CARD), customer(NEW_CARD));
        database.rows.put(MERCHANT, merchant(MERCHANT));
        // A deadline of 2 s (5 s in production), so that the test of a database that is down is quick.
        clock.set(NOW);
        withDatabase = new ReferenceCache(customers, merchants, FeatureDefinition.load(), database,
                rows -> new ReadThrough(rows, 2, System::currentTimeMillis, 2_000, 50), REFRESH_MS, clock::get, () -> { });
    }

    @AfterEach
    void closeService() {
        withDatabase.close();
    }

    @AfterAll
    void stopMember() {
        member.shutdown();
    }

    private static FeaturedEvent event(String card) {
        return txn("T1").card(card).featured(new CardFeatures(1, 10.0, 1));
    }

    /**
     * What the map holds for {@code key} once it equals {@code expected}, or what it holds after 10 s:
     * what was read is kept in the maps without the lookup waiting for it.
     */
    private Object keptEventually(String key, Object expected) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        Object held = customers.get(key);
        while (!java.util.Objects.equals(held, expected) && System.nanoTime() < until) {
            Thread.sleep(10);
            held = customers.get(key);
        }
        return held;
    }

    /** Slows down every write to the map it is added to, as a cluster moving a lost member's partitions does. */
    private static final class SlowWrites implements MapInterceptor {
        private final long delayMs;

        SlowWrites(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public Object interceptGet(Object value) {
            return null;
        }

        @Override
        public void afterGet(Object value) {
        }

        @Override
        public Object interceptPut(Object oldValue, Object newValue) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }

        @Override
        public void afterPut(Object value) {
        }

        @Override
        public Object interceptRemove(Object removedValue) {
            return null;
        }

        @Override
        public void afterRemove(Object value) {
        }
    }

    @Test
    void shouldAnswerFromTheMapsAloneWhileTheirEntriesAreYoungerThanTheRefreshAge() throws InterruptedException {
        withDatabase.lookUp(event(NEW_CARD), NOW).join();
        keptEventually(token(NEW_CARD), customer(NEW_CARD));
        database.asked.clear();

        CompletableFuture<Step<EnrichedEvent>> step = withDatabase.lookUp(event(NEW_CARD), NOW + REFRESH_MS - 1);

        assertThat(step).isCompleted();
        assertThat(step.join().value().customer()).isEqualTo(customer(NEW_CARD));
        assertThat(database.asked).isEmpty();
    }

    @Test
    void shouldReadAnEntryAgainOnceOlderThanTheRefreshAgeSoThatAChangeReachesScoring() throws InterruptedException {
        withDatabase.lookUp(event(NEW_CARD), NOW).join();
        keptEventually(token(NEW_CARD), customer(NEW_CARD));
        Customer moved = customer(NEW_CARD, customer(NEW_CARD).dateOfBirth(), 34.05, -118.24);
        database.rows.put(token(NEW_CARD), moved);

        Step<EnrichedEvent> step = withDatabase.lookUp(event(NEW_CARD), NOW + REFRESH_MS).join();

        assertThat(step.value().customer()).isEqualTo(moved);
        assertThat(keptEventually(token(NEW_CARD), moved)).isEqualTo(moved);
    }

    @Test
    void shouldScoreWithWhatTheMapsHoldWhenTheDatabaseCannotGiveItAgain() throws InterruptedException {
        withDatabase.lookUp(event(NEW_CARD), NOW).join();
        keptEventually(token(NEW_CARD), customer(NEW_CARD));
        database.down = true;

        Step<EnrichedEvent> step = withDatabase.lookUp(event(NEW_CARD), NOW + REFRESH_MS).join();

        assertThat(step.value().customer()).isEqualTo(customer(NEW_CARD));
    }

    @Test
    void shouldCallACardTheDatabaseNoLongerHoldsUnknownAndTakeItOutOfTheMap() throws InterruptedException {
        withDatabase.lookUp(event(NEW_CARD), NOW).join();
        keptEventually(token(NEW_CARD), customer(NEW_CARD));
        database.rows.remove(token(NEW_CARD));

        DeadLetter deadLetter = withDatabase.lookUp(event(NEW_CARD), NOW + REFRESH_MS).join().deadLetter();

        assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
        assertThat(keptEventually(token(NEW_CARD), null)).isNull();
    }

    @Test
    void shouldReadACardTheMapsMissFromTheDatabaseAndKeepIt() throws InterruptedException {
        Step<EnrichedEvent> step = withDatabase.lookUp(event(NEW_CARD), NOW).join();

        assertThat(step.value().customer()).isEqualTo(customer(NEW_CARD));
        // The merchant too: the test put it in the map, so this member does not know its age.
        assertThat(database.asked).containsExactly("[" + token(NEW_CARD) + "]/[" + MERCHANT + "]");
        assertThat(keptEventually(token(NEW_CARD), customer(NEW_CARD))).isEqualTo(customer(NEW_CARD));
    }

    @Test
    void shouldAnswerWhatTheDatabaseGaveInTimeThoughTheMapsAreSlowToTakeIt() throws InterruptedException {
        // Each write takes longer than the test's 2 s deadline, as one to a lost member's partition can.
        String slow = customers.addInterceptor(new SlowWrites(3_000));
        try {
            Step<EnrichedEvent> step = withDatabase.lookUp(event(NEW_CARD), NOW).join();

            assertThat(step.isOk()).as(() -> "scored, not " + step.deadLetter()).isTrue();
            assertThat(step.value().customer()).isEqualTo(customer(NEW_CARD));
            assertThat(keptEventually(token(NEW_CARD), customer(NEW_CARD))).isEqualTo(customer(NEW_CARD));
        } finally {
            customers.removeInterceptor(slow);
        }
    }

    @Test
    void shouldCallACardNeitherTheMapsNorTheDatabaseHoldUnknown() {
        DeadLetter deadLetter = withDatabase.lookUp(event("4999999999999999"), NOW).join().deadLetter();

        assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
        assertThat(customers.containsKey(token("4999999999999999"))).isFalse();
    }

    @Test
    void shouldDeadLetterAMissAsUnavailableWhenTheDatabaseDoesNotAnswer() {
        database.down = true;

        DeadLetter deadLetter = withDatabase.lookUp(event(NEW_CARD), NOW).join().deadLetter();

        assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.REFERENCE_DATA_UNAVAILABLE.name());
        assertThat(deadLetter.stage()).isEqualTo(Names.Stage.ENRICH);
        assertThat(deadLetter.detail())
                .startsWith("the card holder of this transaction, not in the maps, could not be read from the reference"
                        + " database: the reference database failed ")
                .endsWith("SQLException: Connection to 127.0.0.1:5433 refused")
                .doesNotContain(NEW_CARD).doesNotContain(token(NEW_CARD));
        assertThat(deadLetter.recordedTimeMs()).isEqualTo(NOW);
    }


    @Test
    void shouldCallWhatTheMapsMissUnknownWithoutADatabase() {
        try (ReferenceCache mapsOnly = new ReferenceCache(customers, merchants, FeatureDefinition.load())) {
            DeadLetter deadLetter = mapsOnly.lookUp(event(NEW_CARD), NOW).join().deadLetter();

            assertThat(deadLetter.reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
            assertThat(database.asked).isEmpty();
        }
    }

    @Test
    void shouldLetADeadLetterPassAndTurnAnExceptionIntoAnInternalError() {
        Step<FeaturedEvent> thrown = Step.ok(event(CARD));
        ReferenceCache.Lookup throwing = (refs, event, nowMs) -> {
            throw new IllegalStateException("thrown in ENRICH");
        };
        ReferenceCache.Lookup failingLater = (refs, event, nowMs) ->
                CompletableFuture.failedFuture(new IllegalStateException("failed later in ENRICH"));

        DeadLetter internal = withDatabase.next(thrown, throwing, NOW).join().deadLetter();
        DeadLetter later = withDatabase.next(thrown, failingLater, NOW).join().deadLetter();

        assertThat(internal.reason()).isEqualTo(DeadLetterReason.INTERNAL_ERROR.name());
        assertThat(internal.detail()).startsWith("unexpected java.lang.IllegalStateException: thrown in ENRICH");
        assertThat(later.reason()).isEqualTo(DeadLetterReason.INTERNAL_ERROR.name());
        assertThat(later.detail()).startsWith("unexpected java.lang.IllegalStateException: failed later in ENRICH");
        DeadLetter earlier = DeadLetter.of(Names.Stage.INGEST, DeadLetterReason.INVALID_FIELD, "bad", txn("T2").build(),
                event(CARD).origin(), NOW);
        assertThat(withDatabase.next(Step.failed(earlier), ReferenceCache::lookUp, NOW).join().deadLetter())
                .isSameAs(earlier);
    }
}
