package org.example.stages;

import org.example.records.Customer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.example.TestData.CARD;
import static org.example.TestData.customer;
import static org.example.TestData.token;

/**
 * The bounds of a fetch from the reference database, with a database made to fail or hang on
 * purpose (the real one is stopped and started under load in ReadThroughIntegrationTest). The
 * deadline is 1 s here instead of 2 s, the probe interval 50 ms.
 */
class ReadThroughTest {

    private static final long DEADLINE_MS = 1_000;
    private static final long PROBE_INTERVAL_MS = 50;

    /** A database whose answer each test decides; counts the fetches it was asked. */
    private static final class Database implements ReadThrough.Source {
        final AtomicInteger fetches = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();
        final AtomicBoolean down = new AtomicBoolean();
        volatile long hangMs;

        @Override
        public ReadThrough.Rows fetch(Collection<String> cardKeys, Collection<String> merchantCodes) throws Exception {
            fetches.incrementAndGet();
            probe();
            return new ReadThrough.Rows(cardKeys.contains(token(CARD)) ? Map.of(token(CARD), customer(CARD)) : Map.of(), Map.of());
        }

        @Override
        public void probe() throws Exception {
            if (hangMs > 0) {
                Thread.sleep(hangMs);
            }
            if (down.get() || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLException("Connection to 127.0.0.1:5433 refused");
            }
        }
    }

    private final Database database = new Database();
    private final ReadThrough readThrough = new ReadThrough(database, 2, System::currentTimeMillis, DEADLINE_MS,
            PROBE_INTERVAL_MS);

    @AfterEach
    void stop() {
        readThrough.close();
    }

    @Test
    void shouldGiveWhatTheDatabaseHoldsAndNothingForAKeyItDoesNotHold() {
        assertThat(readThrough.fetch(token(CARD), null).join().customer()).isEqualTo(customer(CARD));
        assertThat(readThrough.fetch("4999999999999999", null).join()).isEqualTo(new ReadThrough.Found(null, null));
    }

    @Test
    void shouldAskAgainUntilTheDatabaseAnswersWithinTheDeadline() {
        database.failuresLeft.set(2);

        Customer found = readThrough.fetch(token(CARD), null).join().customer();

        assertThat(found).isEqualTo(customer(CARD));
        assertThat(database.fetches).hasValue(3);
    }

    @Test
    void shouldGiveUpByTheDeadlineSayingWhatFailed() {
        database.down.set(true);
        long start = System.nanoTime();

        Throwable e = unavailable(readThrough.fetch(token(CARD), null));

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(DEADLINE_MS + 500);
        assertThat(e).hasMessageStartingWith("the reference database failed ")
                .hasMessageEndingWith(" ms: SQLException: Connection to 127.0.0.1:5433 refused");
        assertThat(database.fetches.get()).isGreaterThan(1);
    }

    @Test
    void shouldNotWaitForADatabaseThatHangsBeyondTheDeadline() {
        database.hangMs = 5_000;
        long start = System.nanoTime();

        Throwable e = unavailable(readThrough.fetch(token(CARD), null));

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(DEADLINE_MS + 1_000);
        assertThat(e).hasMessageStartingWith("the reference database gave no answer within ");
    }

    @Test
    void shouldFailAtOnceWhileTheDatabaseIsKnownDownAndReadAgainOnceAProbeGetsAnAnswer() throws Exception {
        database.down.set(true);
        unavailable(readThrough.fetch(token(CARD), null));
        Thread.sleep(DEADLINE_MS);
        int asked = database.fetches.get();

        CompletableFuture<ReadThrough.Found> whileDown = readThrough.fetch(token(CARD), null);

        assertThat(whileDown).isCompletedExceptionally();
        assertThat(unavailable(whileDown)).hasMessageContaining("not asked again until a probe gets an answer");
        assertThat(database.fetches).hasValue(asked);

        database.down.set(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<ReadThrough.Found> again;
        do {
            Thread.sleep(PROBE_INTERVAL_MS);
            again = readThrough.fetch(token(CARD), null);
        } while (again.isCompletedExceptionally() && System.nanoTime() < deadline);
        assertThat(again.join().customer()).isEqualTo(customer(CARD));
    }

    private static Throwable unavailable(CompletableFuture<?> future) {
        Throwable e = catchThrowable(future::join);
        assertThat(e).isInstanceOf(CompletionException.class);
        assertThat(e.getCause()).isInstanceOf(ReadThrough.Unavailable.class);
        return e.getCause();
    }
}
