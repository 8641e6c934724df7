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
            CommandLineFlags.Flag.option("expected", null, "0", "Transactions sent; each must have one outcome (required)"),
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
        return Cli.run("VerifyRun", SYNOPSIS, FLAGS, args, env, out, err, flags -> {
            boolean firstOnly = flags.isOn("first-only");
            long submittedAt = flags.getLong("submitted-at-ms", 0);
            if (firstOnly && submittedAt == 0) {
                throw new IllegalArgumentException("--first-only needs --submitted-at-ms");
            }
            long expected = firstOnly ? 1 : flags.getLong("expected", 1);
            long sinceMs = flags.getLong("since-ms", 0);
            Duration timeout = Duration.ofSeconds(flags.getLong("timeout-seconds", 1));
            // Read before the wait, which may be long: a wrong path fails now.
            String labelsFile = flags.get("labels");
            Map<String, Boolean> labels = labelsFile.isEmpty() ? Map.of() : RunReport.readLabels(Path.of(labelsFile));
            return () -> {
                HazelcastInstance client = ClusterClient.connect(flags);
                try {
                    return firstOnly
                            ? awaitFirstPrediction(client, submittedAt, timeout, out, err)
                            : verify(client, expected, sinceMs, timeout, labels, submittedAt, out, err);
                } finally {
                    client.shutdown();
                }
            };
        });
    }

    private static int verify(HazelcastInstance client, long expected, long sinceMs, Duration timeout,
                              Map<String, Boolean> labels, long submittedAt, PrintStream out, PrintStream err)
            throws InterruptedException {
        boolean complete = Outcomes.await(client, expected, sinceMs, timeout, out, () -> false);
        RunReport report = RunReport.collect(client, expected, labels);
        if (submittedAt > 0) {
            printFirstPrediction(Outcomes.firstStoredMs(client), submittedAt, out);
        }
        out.print(report.format());
        if (!complete || !report.accountsForEveryInput()) {
            err.println("VerifyRun: FAILED: not every input has exactly one outcome");
            return 1;
        }
        return 0;
    }

    /**
     * Waits until the first prediction is stored, so that a caller can time the job's start on its
     * own, before it disturbs the job (the end-to-end test then kills a Python worker).
     */
    private static int awaitFirstPrediction(HazelcastInstance client, long submittedAt, Duration timeout,
                                            PrintStream out, PrintStream err) throws InterruptedException {
        long first = Outcomes.awaitFirstStoredMs(client, timeout);
        if (first < 0) {
            err.println("VerifyRun: FAILED: no prediction was stored in time");
            return 1;
        }
        printFirstPrediction(first, submittedAt, out);
        return 0;
    }

    private static void printFirstPrediction(long firstStoredMs, long submittedAt, PrintStream out) {
        out.printf("  first prediction      %.1f s after submit%n", (firstStoredMs - submittedAt) / 1000.0);
    }
}
