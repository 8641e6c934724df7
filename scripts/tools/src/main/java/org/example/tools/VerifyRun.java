package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.jet.core.metrics.MetricTags;
import com.hazelcast.query.Predicates;
import org.example.definition.Names;
import org.example.records.CardFeatures;
import org.example.records.DeadLetter;
import org.example.records.FraudPrediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Checks a run on a cluster from the outside, as a client: waits until every transaction sent
 * has an outcome, then prints the {@link RunReport} and fails unless every input ended as exactly
 * one prediction or one dead letter. The end-to-end test runs it after {@code hz-cli submit}.
 */
public final class VerifyRun {

    private VerifyRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 when every input has exactly one outcome, 1 when not (or on timeout), 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out, err), args, out, err);
    }

    @Command(name = "VerifyRun", description = {
            "Waits for a run's outcomes on a cluster and checks that every input is accounted for.",
            "  VerifyRun --expected N [options]                      every input has one outcome",
            "  VerifyRun --first-only --submitted-at-ms T [options]  the first prediction is stored",
            "  VerifyRun --snapshot-taken [--job-name NAME]          FEATURES' state is in a snapshot"})
    static final class Program implements Callable<Integer> {

        @Option(names = "--expected", converter = Commands.PositiveLong.class,
                description = "Transactions sent; each must have one outcome (required unless --first-only or --snapshot-taken)")
        Long expected;

        @Option(names = "--labels", description = "labels.csv of the data set, for precision and recall")
        Path labelsFile;

        @Option(names = "--submitted-at-ms", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "When the job was submitted (epoch ms), to report the time to the first prediction")
        long submittedAt;

        @Option(names = "--since-ms", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "Count only outcomes stored at or after this time (epoch ms), e.g. by a replacing job")
        long sinceMs;

        @Option(names = "--expected-features",
                description = "CSV of python/expected_features.py: every stored prediction's features must match it")
        Path featuresFile;

        @Option(names = "--snapshot-taken",
                description = "Wait only until the job has saved the card histories of FEATURES in a snapshot")
        boolean snapshotOnly;

        @Option(names = "--job-name", defaultValue = "${env:JOB_NAME:-" + Names.DEFAULT_JOB_NAME + "}",
                description = "The job: watched while waiting (a job that stops for good ends the wait), "
                        + "and for --snapshot-taken (env JOB_NAME)")
        String jobName;

        @Option(names = "--first-only",
                description = "Wait only for the first stored prediction and report it (needs --submitted-at-ms)")
        boolean firstOnly;

        @Option(names = "--timeout-seconds", defaultValue = "300", converter = Commands.PositiveLong.class,
                description = "Give up waiting after this long")
        long timeoutSeconds;

        @Option(names = "--model-version", defaultValue = "",
                description = "Every prediction appended at or after --version-since-ms must carry this model version")
        String modelVersion;

        @Option(names = "--version-since-ms", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "See --model-version (epoch ms)")
        long versionSinceMs;

        @Mixin
        ClusterClient cluster;

        @Spec
        CommandSpec spec;

        private final PrintStream out;
        private final PrintStream err;

        Program(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws InterruptedException {
            if (firstOnly && submittedAt == 0) {
                throw Commands.usageError(spec, "--first-only needs --submitted-at-ms");
            }
            if (!firstOnly && !snapshotOnly && expected == null) {
                throw Commands.usageError(spec, "--expected is required (unless --first-only or --snapshot-taken)");
            }
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            // Read before the wait, which may be long: a wrong path fails now.
            Map<String, Boolean> labels = labelsFile == null ? Map.of()
                    : Commands.beforeWork(spec, () -> RunReport.readLabels(labelsFile));
            Map<String, CardFeatures> features = featuresFile == null ? Map.of()
                    : Commands.beforeWork(spec, () -> ExpectedFeatures.read(featuresFile));
            HazelcastInstance client = cluster.connect();
            try {
                if (snapshotOnly) {
                    return awaitFeaturesSnapshot(client, jobName, timeout, out, err);
                }
                return firstOnly
                        ? awaitFirstPrediction(client, submittedAt, timeout, out, err)
                        : verify(client, new Check(expected, sinceMs, timeout, labels, features, submittedAt, jobName,
                                new ModelSince(modelVersion, versionSinceMs)), out, err);
            } finally {
                client.shutdown();
            }
        }
    }

    /** What to check of a run; {@code features} empty: not its features. */
    private record Check(long expected, long sinceMs, Duration timeout, Map<String, Boolean> labels,
                         Map<String, CardFeatures> features, long submittedAt, String jobName, ModelSince version) {
    }

    /** The model every prediction appended from {@code sinceMs} on must carry; none when the version is empty. */
    record ModelSince(String version, long sinceMs) {

        /**
         * The predictions that break the rule, as "transaction id: version"; a rule no prediction
         * was appended to check is broken too (it would hold of anything).
         */
        List<String> breakers(Collection<FraudPrediction> predictions) {
            if (version.isEmpty()) {
                return List.of();
            }
            if (predictions.stream().noneMatch(p -> p.appendTimeMs() >= sinceMs)) {
                return List.of("(no prediction appended since " + sinceMs + " to check)");
            }
            return predictions.stream().filter(p -> p.appendTimeMs() >= sinceMs && !p.modelVersion().equals(version))
                    .map(p -> p.transactionId() + ": " + p.modelVersion()).toList();
        }
    }

    private static int verify(HazelcastInstance client, Check check, PrintStream out, PrintStream err)
            throws InterruptedException {
        boolean complete = Outcomes.await(client, check.expected(), check.sinceMs(), check.timeout(), out,
                new JobWatch(client, check.jobName(), out, JobWatch.DEFAULT_GRACE));
        // With --since-ms, the outcomes stored since then only: a job that replaced another under a new
        // card-token key stores every prediction again under a new key, beside the old job's.
        Collection<FraudPrediction> predictions = client.<Object, FraudPrediction>getMap(Names.PREDICTION_RESULT_MAP)
                .values(Predicates.greaterEqual("storedTimeMs", check.sinceMs()));
        RunReport report = RunReport.of(check.expected(), predictions, client.<Object, DeadLetter>getMap(
                Names.DEAD_LETTERS_MAP).values(Predicates.greaterEqual("recordedTimeMs", check.sinceMs())), check.labels());
        if (check.submittedAt() > 0) {
            printFirstPrediction(Outcomes.firstStoredMs(client), check.submittedAt(), out);
        }
        out.print(report.format());
        List<String> wrongFeatures = check.features().isEmpty() ? List.of()
                : ExpectedFeatures.mismatches(predictions, check.features());
        if (!check.features().isEmpty()) {
            out.printf("  features              %s%n", wrongFeatures.isEmpty()
                    ? String.format("all %,d predictions as computed offline from the data set", predictions.size())
                    : String.format("%,d of %,d predictions differ, e.g. %s", wrongFeatures.size(), predictions.size(),
                            wrongFeatures.get(0)));
        }
        List<String> otherModels = check.version().breakers(predictions);
        if (!check.version().version().isEmpty()) {
            long after = predictions.stream().filter(p -> p.appendTimeMs() >= check.version().sinceMs()).count();
            out.printf("  model                 %s%n", otherModels.isEmpty()
                    ? String.format("all %,d predictions appended since the change carry %s", after, check.version().version())
                    : String.format("%,d of %,d predictions appended since the change carry another model, e.g. %s",
                            otherModels.size(), after, otherModels.get(0)));
        }
        if (!complete || !report.accountsForEveryInput()) {
            err.println("VerifyRun: FAILED: not every input has exactly one outcome");
            return 1;
        }
        if (!wrongFeatures.isEmpty()) {
            err.println("VerifyRun: FAILED: stored features differ from the exact ones");
            return 1;
        }
        if (!otherModels.isEmpty()) {
            err.println("VerifyRun: FAILED: predictions appended after the change were scored by another model");
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

    /**
     * Waits until the job has completed a snapshot that holds the card histories of FEATURES, so that
     * a failure injected afterwards (the end-to-end test kills a Python worker) restores state rather
     * than starting from nothing. FEATURES' snapshot-keys metric says that its processors wrote their
     * share; the snapshot is only complete once the job's execution record says so (see Snapshots).
     */
    static int awaitFeaturesSnapshot(HazelcastInstance client, String jobName, Duration timeout,
                                             PrintStream out, PrintStream err) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long keys;
        while ((keys = featuresSnapshotKeys(client, jobName)) == 0) {
            if (System.nanoTime() > deadline) {
                err.println("VerifyRun: FAILED: job '" + jobName + "' saved no FEATURES state in a snapshot in time");
                return 1;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        // The snapshot FEATURES wrote into is at most the one started last.
        long holdingFeatures = Snapshots.lastStartedId(client, jobName);
        Optional<Snapshots.Completed> completed;
        while ((completed = Snapshots.lastCompleted(client, jobName)).filter(s -> s.id() >= holdingFeatures).isEmpty()) {
            if (System.nanoTime() > deadline) {
                err.println("VerifyRun: FAILED: job '" + jobName + "' did not complete snapshot " + holdingFeatures
                        + " in time");
                return 1;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        Snapshots.Completed snapshot = completed.get();
        out.printf("  snapshot              FEATURES saved %,d entries (card histories, partition times); "
                        + "snapshot %d completed in %,d ms, %,d keys, %,d bytes%n",
                keys, snapshot.id(), snapshot.durationMs(), snapshot.keys(), snapshot.bytes());
        return 0;
    }

    private static long featuresSnapshotKeys(HazelcastInstance client, String jobName) {
        Job job = client.getJet().getJob(jobName);
        if (job == null) {
            return 0;
        }
        return job.getMetrics().filter(MetricTags.VERTEX, Names.Stage.FEATURES).get(MetricNames.SNAPSHOT_KEYS)
                .stream().mapToLong(Measurement::value).sum();
    }

    private static void printFirstPrediction(long firstStoredMs, long submittedAt, PrintStream out) {
        out.printf("  first prediction      %.1f s after submit%n", (firstStoredMs - submittedAt) / 1000.0);
    }
}
