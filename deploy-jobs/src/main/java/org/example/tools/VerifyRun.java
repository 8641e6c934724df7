package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.example.CommandLineFlags;
import org.example.Names;
import org.example.model.FraudPrediction;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks a run on a cluster from the outside, as a client: waits until every transaction sent
 * has an outcome, then prints the {@link RunReport} and fails unless every input ended as exactly
 * one prediction or one dead letter. The end-to-end test runs it after {@code hz-cli submit}.
 */
public final class VerifyRun {

    static final String SYNOPSIS = "Waits for a run's outcomes on a cluster and checks that every input is accounted for.\n"
            + "usage: VerifyRun --expected N [options]";

    static final List<CommandLineFlags.Flag> FLAGS = List.of(
            CommandLineFlags.Flag.option("expected", null, "0", "Transactions sent; each must have one outcome"),
            CommandLineFlags.Flag.option("labels", null, "", "labels.csv of the data set, for precision and recall"),
            CommandLineFlags.Flag.option("submitted-at-ms", null, "0",
                    "When the job was submitted (epoch ms), to report the time to the first prediction"),
            CommandLineFlags.Flag.option("since-ms", null, "0",
                    "Count only outcomes stored at or after this time (epoch ms), e.g. by a replacing job"),
            CommandLineFlags.Flag.option("timeout-seconds", null, "300", "Give up waiting after this long"),
            CommandLineFlags.Flag.option("cluster-name", "HZ_CLUSTER_NAME", "fraud-detection", "Hazelcast cluster name"),
            CommandLineFlags.Flag.option("addresses", "HZ_ADDRESSES", "127.0.0.1:5701", "Member addresses, comma-separated"));

    private VerifyRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** 0 when every input has exactly one outcome, 1 when not (or on timeout), 2 on bad usage. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLineFlags flags;
        long expected;
        try {
            flags = CommandLineFlags.parse(args, FLAGS, env, SYNOPSIS);
            if (flags.helpRequested()) {
                out.print(CommandLineFlags.usage(SYNOPSIS, FLAGS));
                return 0;
            }
            expected = flags.getLong("expected", 1);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        HazelcastInstance client = ReferenceDataLoader.connect(flags.get("cluster-name"), flags.get("addresses"));
        try {
            boolean complete = awaitOutcomes(client, expected, flags.getLong("since-ms", 0),
                    Duration.ofSeconds(flags.getLong("timeout-seconds", 1)), out);
            String labels = flags.get("labels");
            RunReport report = RunReport.collect(client, expected,
                    labels.isEmpty() ? Map.of() : RunReport.readLabels(Path.of(labels)));
            long submittedAt = flags.getLong("submitted-at-ms", 0);
            if (submittedAt > 0) {
                out.printf("  first prediction      %.1f s after submit%n",
                        (firstStoredMs(client) - submittedAt) / 1000.0);
            }
            out.print(report.format());
            if (!complete || !report.accountsForEveryInput()) {
                err.println("VerifyRun: FAILED: not every input has exactly one outcome");
                return 1;
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            client.shutdown();
        }
    }

    private static boolean awaitOutcomes(HazelcastInstance hz, long expected, long sinceMs, Duration timeout,
                                         PrintStream out) throws InterruptedException {
        IMap<Object, Object> predictions = hz.getMap(Names.PREDICTION_RESULT_MAP);
        IMap<Object, Object> deadLetters = hz.getMap(Names.DEAD_LETTERS_MAP);
        ConsoleProgress progress = ConsoleProgress.start("outcomes", expected, out);
        long deadline = System.nanoTime() + timeout.toNanos();
        long done;
        while ((done = countSince(predictions, "storedTimeMs", sinceMs)
                + countSince(deadLetters, "recordedTimeMs", sinceMs)) < expected) {
            progress.update(done);
            if (System.nanoTime() > deadline) {
                progress.finish(done);
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        progress.finish(done);
        return true;
    }

    /** Entries written at or after {@code sinceMs}, counted on the members by the given time field. */
    private static long countSince(IMap<Object, Object> map, String timeField, long sinceMs) {
        return sinceMs <= 0 ? map.size() : map.aggregate(Aggregators.count(), Predicates.greaterEqual(timeField, sinceMs));
    }

    static long firstStoredMs(HazelcastInstance hz) {
        return hz.<Object, FraudPrediction>getMap(Names.PREDICTION_RESULT_MAP).values().stream()
                .mapToLong(FraudPrediction::storedTimeMs).min().orElse(-1);
    }
}
