package org.example.tools;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import org.example.definition.Names;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waiting for a run's outcomes: the demo, the end-to-end check and the benchmark all wait until
 * {@code predictionResult} and {@code deadLetters} together hold one entry per input.
 */
final class Outcomes {

    private Outcomes() {
    }

    /**
     * Waits, with a progress bar on {@code out}, until {@code expected} outcomes written at or after
     * {@code sinceMs} (0: any) exist. Returns false on timeout or as soon as the watched job will
     * not come back ({@link JobWatch}), saying why on {@code out}.
     */
    static boolean await(HazelcastInstance hz, long expected, long sinceMs, Duration timeout,
                         PrintStream out, JobWatch job) throws InterruptedException {
        IMap<Object, Object> predictions = hz.getMap(Names.PREDICTION_RESULT_MAP);
        IMap<Object, Object> deadLetters = hz.getMap(Names.DEAD_LETTERS_MAP);
        return await(() -> whileForming(() -> countSince(predictions, "storedTimeMs", sinceMs)
                + countSince(deadLetters, "recordedTimeMs", sinceMs), 0), expected, timeout, out, job);
    }

    /**
     * The same wait on outcomes counted elsewhere: the job's own metrics count what the maps'
     * retention may already have evicted.
     */
    static boolean await(LongSupplier outcomes, long expected, Duration timeout, PrintStream out, JobWatch job)
            throws InterruptedException {
        ConsoleProgress progress = ConsoleProgress.start("outcomes", expected, out);
        long deadline = System.nanoTime() + timeout.toNanos();
        long done;
        while ((done = outcomes.getAsLong()) < expected) {
            progress.update(done);
            String problem = job.problem();
            if (System.nanoTime() > deadline || problem != null) {
                progress.finish(done);
                out.println(problem != null ? "Stopped waiting: " + problem
                        : "Stopped waiting: " + done + " of " + expected + " outcomes after " + timeout.toSeconds() + " s");
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        progress.finish(done);
        return true;
    }

    /** Waits until a first prediction is stored and returns when (epoch ms), or -1 if none was in time. */
    static long awaitFirstStoredMs(HazelcastInstance hz, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long first;
        while ((first = whileForming(() -> firstStoredMs(hz), -1)) < 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return first;
    }

    /**
     * The read, or {@code notYet} while the maps refuse it because the members have not formed a
     * majority yet: a cluster starting again after a full restart refuses every map operation
     * (split-brain protection) until its second member has joined. Waiting through that is what a
     * wait for outcomes is for; failing on it made the compose test's restart phase fail at random.
     */
    static long whileForming(LongSupplier read, long notYet) {
        try {
            return read.getAsLong();
        } catch (SplitBrainProtectionException e) {
            return notYet;
        }
    }

    /** When the first prediction was stored (epoch ms), or -1 if none was. */
    static long firstStoredMs(HazelcastInstance hz) {
        // Computed on the members: the client does not fetch the entries.
        Long first = hz.getMap(Names.PREDICTION_RESULT_MAP).aggregate(Aggregators.longMin("storedTimeMs"));
        return first == null || first == Long.MAX_VALUE ? -1 : first;
    }

    /** Entries written at or after {@code sinceMs}, counted on the members by the given time field. */
    private static long countSince(IMap<Object, Object> map, String timeField, long sinceMs) {
        return sinceMs <= 0 ? map.size() : map.aggregate(Aggregators.count(), Predicates.greaterEqual(timeField, sinceMs));
    }
}
