package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import org.example.CommandLineFlags;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Checks a run on a cluster from the outside, as a client: waits until every transaction sent
 * has an outcome, then prints the {@link RunReport} and fails unless every input ended as exactly
 * one prediction or one dead letter. The end-to-end test runs it after {@code hz-cli submit}.
 */
public final class VerifyRun {

    static final String SYNOPSIS = "Waits for a run's outcomes on a cluster and checks that every input is accounted for.\n"
            + "usage: VerifyRun --expected N [options]  |  VerifyRun --first-only --submitted-at-ms T [options]";

    static final List<CommandLineFlags.Flag> FLAGS = ClusterClient.withConnectionFlags(List.of(
            CommandLineFlags.Flag.option("expected", null, "0", "Transactions sent; each must have one outcome"),
            CommandLineFlags.Flag.option("labels", null, "", "labels.csv of the data set, for precision and recall"),
            CommandLineFlags.Flag.option("submitted-at-ms", null, "0",
                    "When the job was submitted (epoch ms), to report the time to the first prediction"),
            CommandLineFlags.Flag.option("since-ms", null, "0",
                    "Count only outcomes stored at or after this time (epoch ms), e.g. by a replacing job"),
            CommandLineFlags.Flag.onOff("first-only",
                    "Wait only for the first stored prediction and report it (needs --submitted-at-ms)"),
            CommandLineFlags.Flag.option("timeout-seconds", null, "300", "Give up waiting after this long")));

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
            if (flags.isOn("first-only") && flags.getLong("submitted-at-ms", 0) <= 0) {
                throw new IllegalArgumentException("--first-only needs --submitted-at-ms");
            }
            expected = flags.isOn("first-only") ? 1 : flags.getLong("expected", 1);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        HazelcastInstance client = ClusterClient.connect(flags);
        try {
            if (flags.isOn("first-only")) {
                return awaitFirstPrediction(client, flags, out, err);
            }
            boolean complete = Outcomes.await(client, expected, flags.getLong("since-ms", 0),
                    Duration.ofSeconds(flags.getLong("timeout-seconds", 1)), out, () -> false);
            String labels = flags.get("labels");
            RunReport report = RunReport.collect(client, expected,
                    labels.isEmpty() ? Map.of() : RunReport.readLabels(Path.of(labels)));
            long submittedAt = flags.getLong("submitted-at-ms", 0);
            if (submittedAt > 0) {
                printFirstPrediction(client, submittedAt, out);
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

    /**
     * Waits until the first prediction is stored, so that a caller can time the job's start on its
     * own, before it disturbs the job (the end-to-end test then kills a Python worker).
     */
    private static int awaitFirstPrediction(HazelcastInstance client, CommandLineFlags flags,
                                            PrintStream out, PrintStream err) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(flags.getLong("timeout-seconds", 1)).toNanos();
        while (Outcomes.firstStoredMs(client) < 0) {
            if (System.nanoTime() > deadline) {
                err.println("VerifyRun: FAILED: no prediction was stored in time");
                return 1;
            }
            Thread.sleep(100);
        }
        printFirstPrediction(client, flags.getLong("submitted-at-ms", 0), out);
        return 0;
    }

    private static void printFirstPrediction(HazelcastInstance client, long submittedAt, PrintStream out) {
        out.printf("  first prediction      %.1f s after submit%n", (Outcomes.firstStoredMs(client) - submittedAt) / 1000.0);
    }
}
