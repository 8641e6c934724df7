package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.core.metrics.JobMetrics;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.jet.core.metrics.MetricTags;
import com.hazelcast.map.IMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.example.FraudPipeline;
import org.example.JobSupervisor;
import org.example.definition.Names;
import org.example.features.CardFeaturesP;
import org.example.records.FraudPrediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The pipeline benchmark, run by {@code scripts/benchmark.sh} against the local cluster of
 * {@code scripts/cluster.sh}: the job is submitted with hz-cli, fed through Kafka, and measured
 * from its outputs, its metrics and the processes' CPU time. Each scenario runs a job of its own
 * on a topic of its own, into emptied maps.
 *
 * <ol>
 *   <li><b>Job start</b>: submit → first stored prediction, transactions already waiting.</li>
 *   <li><b>Drain</b>: a topic already holding {@code --drain} transactions (a million by default)
 *   when the job is submitted. Over the middle 80 % of it, when the job runs hot: the throughput,
 *   and the headline, <b>CPU µs per transaction</b> of all the processes that do the work
 *   (members, Python workers, broker; the benchmark, which produced the topic beforehand, apart).
 *   Also each member's heap after GC through the drain (the soak: with the outputs' retention,
 *   it must stay flat), Jet's per-vertex counts, and a CPU profile of the first member (Java
 *   Flight Recorder).</li>
 *   <li><b>Fixed rates</b>: for each of {@code --rates}, a new job fed at that rate, first for
 *   {@code --warm-up-seconds}, then for {@code --seconds}, over which the latency from Kafka
 *   append to stored is measured.</li>
 * </ol>
 * Writes {@code benchmark.md} to {@code --out}, and the configuration's row to
 * {@code --results-csv} (replacing an earlier row of the same configuration).
 */
public final class Benchmark {

    /** The smallest drain it takes: throughput and CPU per transaction are measured over its middle 80 %. */
    private static final long MIN_DRAIN = 1_000;
    /**
     * The reference database of scripts/postgres.sh, whose CPU counts with the other processes': its
     * data directory, as scripts/lib/common.sh exports it.
     */
    private static final Path POSTGRES_DATA = Path.of(System.getenv().getOrDefault("POSTGRES_DATA_DIR",
            Path.of(".run", "postgres-data").toString()));

    private static final Duration PYTHON_START_TIMEOUT = Duration.ofMinutes(3);
    private static final String RESULT_HEADER = "configuration,scorer,members,python_processes,cpu_us_per_txn,"
            + "throughput_txn_s,p50_ms_at_5000,p99_ms_at_5000,p50_ms_at_1000,p99_ms_at_1000,job_start_s,"
            + "cpu_us_members,cpu_us_python,cpu_us_broker,heap_after_gc_mb_first,heap_after_gc_mb_last,drained,date";

    private final Program options;
    private final HazelcastInstance client;
    private final Properties kafka = new Properties();
    private final int members;
    private final Path out;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final StringBuilder report = new StringBuilder();

    private Benchmark(Program options, HazelcastInstance client) {
        this.options = options;
        this.client = client;
        this.kafka.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        this.members = client.getCluster().getMembers().size();
        this.out = options.out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(), args, out, err);
    }

    @Command(name = "Benchmark", description = {"Measures the fraud-detection pipeline on the local cluster.",
            "scripts/benchmark.sh runs it."})
    static final class Program implements Callable<Integer> {

        @Option(names = "--configuration", defaultValue = "default", description = "Name of what is measured, for the results")
        String configuration;

        @Option(names = "--data-dir", defaultValue = "${env:DATA_DIR:-python/data/bench}",
                description = "Generated data set; needs as many transactions as the drain (env DATA_DIR)")
        Path dataDir;

        @Option(names = "--drain", defaultValue = "1000000", converter = Commands.PositiveLong.class,
                description = "Transactions of the drain (the soak), at least " + MIN_DRAIN)
        long drain;

        @Option(names = "--rates", split = ",", defaultValue = "1000,5000,10000", converter = Commands.PositiveInt.class,
                description = "Offered rates for the latency scenarios, transactions per second, comma-separated")
        List<Integer> rates;

        @Option(names = "--warm-up-seconds", defaultValue = "15", converter = Commands.NonNegativeLong.class,
                description = "How long each rate is offered before latency is measured")
        long warmUpSeconds;

        @Option(names = "--seconds", defaultValue = "10", converter = Commands.PositiveLong.class,
                description = "How long each rate is measured after the warm-up")
        long seconds;

        @Option(names = "--python-parallelism", defaultValue = "${env:PYTHON_PARALLELISM:-10}",
                converter = Commands.PositiveInt.class, description = "Python processes per member (env PYTHON_PARALLELISM)")
        int pythonParallelism;

        @Option(names = "--job-args", defaultValue = "",
                description = "Further job options, space-separated (e.g. --scorer JAVA)")
        String jobArgs;

        @Option(names = "--evict-reference-data", description = "Empty the maps customers and merchants before every"
                + " scenario, so that ENRICH reads every card holder and merchant from the database again (cold)")
        boolean evictReferenceData;

        @Option(names = "--no-topics",
                description = "The job writes no decision or dead-letter topic (the maps only): the topics' cost"
                        + " is the CPU per transaction with them minus without")
        boolean noTopics;

        @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
                description = "Kafka broker (env KAFKA_BOOTSTRAP_SERVERS)")
        String bootstrapServers;

        @Option(names = "--job-jar", defaultValue = "deploy-jobs/target/fraud-detection-job.jar", description = "Job JAR to submit")
        String jobJar;

        @Option(names = "--profile-seconds", defaultValue = "20", converter = Commands.NonNegativeLong.class,
                description = "How long to record a CPU profile of a member during the drain; 0: none")
        long profileSeconds;

        @Option(names = "--out", defaultValue = "results", description = "Directory for benchmark.md, the profile and logs")
        Path out;

        @Option(names = "--results-csv", description = "CSV to put this configuration's row in")
        Path resultsCsv;

        @Mixin
        ClusterClient cluster;

        @Spec
        CommandSpec spec;

        /** The scorer the job arguments choose. */
        String scorer() {
            return scorerOf(jobArgs);
        }

        @Override
        public Integer call() throws Exception {
            // Every option checked now: a bad one must not fail the run after its first scenarios.
            if (drain < MIN_DRAIN) {
                throw Commands.usageError(spec, "--drain must be at least " + MIN_DRAIN + ", not " + drain);
            }
            HazelcastInstance client = cluster.connect();
            try {
                new Benchmark(this, client).run();
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }

    /** The scorer the job arguments choose: the job's default, Python, unless they say otherwise. */
    static String scorerOf(String jobArgs) {
        List<String> args = Arrays.asList(jobArgs.trim().split("\\s+"));
        int at = args.indexOf("--scorer");
        if (at >= 0 && at + 1 < args.size()) {
            return args.get(at + 1).toLowerCase(Locale.ROOT);
        }
        return args.stream().filter(a -> a.startsWith("--scorer=")).map(a -> a.substring(9).toLowerCase(Locale.ROOT))
                .findFirst().orElse("python");
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        heading(String.format(Locale.ROOT, "%s: %d member(s), %s scorer%s, %d cores, %s", options.configuration,
                members, options.scorer(), options.scorer().equals("python")
                        ? ", " + options.pythonParallelism + " Python processes per member" : "",
                Runtime.getRuntime().availableProcessors(),
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16)));
        // The first job meets cold members and measures the start. The drain then runs the
        // members' code hot (JIT), as in a cluster that has been running, before the latencies.
        jobStart();
        drain();
        List<String> rateRows = new ArrayList<>();
        for (int rate : options.rates) {
            rateRows.add(fixedRate(rate));
        }
        table("Latency at fixed offered rates (Kafka append → stored, over " + options.seconds
                        + " s after a " + options.warmUpSeconds + " s warm-up)",
                "| offered txn/s | achieved txn/s | p50 ms | p95 ms | p99 ms | max ms | sustained "
                        + "| GC pauses in it, total ms | longest GC pause ms |", rateRows);
        Files.writeString(out.resolve("benchmark.md"), report);
        System.out.println("\nWrote " + out.resolve("benchmark.md"));
        if (options.resultsCsv != null) {
            writeResultRow(options.resultsCsv);
        }
    }

    /** Submit → first stored prediction, with transactions already waiting in Kafka. */
    private void jobStart() throws Exception {
        String topic = newTopic("start");
        produce(topic, 1_000, 0);
        long submitted = System.currentTimeMillis();
        Job job = submit(topic, "start");
        long first = Outcomes.awaitFirstStoredMs(client, Duration.ofMinutes(5));
        if (first < 0) {
            throw new IllegalStateException("no prediction within 5 minutes of submit; job " + job.getStatus());
        }
        double seconds = (first - submitted) / 1000.0;
        results.put("job_start_s", format(seconds, 1));
        table("Job start (cold members)", "| metric | value | unit |",
                List.of(row("submit → first stored prediction", seconds, "s")));
        finish(job, topic);
    }

    /** One look at the drain: when, how many outcomes so far, and the CPU each group had used. */
    private record Sample(long nanos, long outcomes, double members, double python, double broker, double database) {
        double all() {
            return members + python + broker + database;
        }
    }

    /**
     * The drain of a backlog: throughput and CPU per transaction over its middle 80 %, the soak's
     * heap after GC, the per-vertex counts and a profile. Outcomes are counted from the job's
     * metrics: the maps' retention may already have evicted the first of them.
     */
    private void drain() throws Exception {
        long count = options.drain;
        String topic = newTopic("drain");
        TransactionProducer.Summary sent = produce(topic, count, 0);
        long drainStartMs = System.currentTimeMillis();
        Job job = submit(topic, "drain");
        JobWatch watch = new JobWatch(client, job.getName(), System.out, JobWatch.DEFAULT_GRACE);
        List<Sample> samples = new ArrayList<>();
        Path profile = out.resolve("member-1-drain.jfr");
        boolean profiling = false;
        Map<Long, Snapshots.Completed> snapshots = new TreeMap<>();
        int liveHeapSamples = 0;
        ConsoleProgress progress = ConsoleProgress.start("drain", sent.sent(), System.out);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (true) {
            Sample sample = sample(job);
            samples.add(sample);
            progress.update(sample.outcomes());
            Snapshots.lastCompleted(client, job.getName()).ifPresent(snapshot -> snapshots.put(snapshot.id(), snapshot));
            // The soak: the live heap of every member, from a full collection at each quarter of the drain.
            if (sample.outcomes() >= sent.sent() * (liveHeapSamples + 1) / 4) {
                forceFullGc();
                liveHeapSamples++;
            }
            if (sample.outcomes() >= sent.sent()) {
                break;
            }
            String problem = watch.problem();
            if (problem != null || System.nanoTime() > deadline) {
                progress.finish(sample.outcomes());
                throw new IllegalStateException("the drain stopped at " + sample.outcomes() + " of " + sent.sent()
                        + " outcomes: " + (problem != null ? problem : "30 minutes passed"));
            }
            if (!profiling && options.profileSeconds > 0 && sample.outcomes() >= sent.sent() / 5) {
                profiling = Profiles.start(LocalProcesses.withRole("member-1"), options.profileSeconds, profile);
            }
            TimeUnit.MILLISECONDS.sleep(1000);
        }
        progress.finish(samples.get(samples.size() - 1).outcomes());
        long drainEndMs = System.currentTimeMillis();
        Sample from = firstAtLeast(samples, sent.sent() / 10);
        Sample to = firstAtLeast(samples, sent.sent() * 9 / 10);
        long transactions = to.outcomes() - from.outcomes();
        double seconds = (to.nanos() - from.nanos()) / 1e9;
        double throughput = transactions / seconds;
        double cpuUs = (to.all() - from.all()) * 1e6 / transactions;
        List<String> rows = new ArrayList<>();
        rows.add(row("maximum sustained throughput (middle 80 % of " + String.format(Locale.ROOT, "%,d", sent.sent())
                + ")", throughput, "txn/s"));
        rows.add(row("**CPU per transaction, all processes**", cpuUs, "µs"));
        rows.add(row("  of it: members", (to.members() - from.members()) * 1e6 / transactions, "µs"));
        rows.add(row("  of it: Python workers", (to.python() - from.python()) * 1e6 / transactions, "µs"));
        rows.add(row("  of it: Kafka broker", (to.broker() - from.broker()) * 1e6 / transactions, "µs"));
        rows.add(row("  of it: PostgreSQL (reference data read through)",
                (to.database() - from.database()) * 1e6 / transactions, "µs"));
        rows.add(row("cores busy during it", (to.all() - from.all()) / seconds, "cores"));
        // The first cards' reads from the database happen here, when the maps start empty (cold).
        Sample start = samples.stream().filter(s -> s.outcomes() > 0).findFirst().orElseThrow();
        rows.add(row("CPU per transaction from the first outcome to 10 % of the drain"
                        + (options.evictReferenceData ? " (maps emptied before: every card read)" : ""),
                (from.all() - start.all()) * 1e6 / Math.max(1, from.outcomes() - start.outcomes()), "µs"));
        long predictions = metric(job, FraudPipeline.PREDICTIONS_METRIC);
        long deadLetters = metric(job, FraudPipeline.DEAD_LETTERS_METRIC);
        rows.add(row("every input one outcome (job metrics: predictions + dead letters = sent)",
                predictions + deadLetters == sent.sent() ? "yes" : "NO: " + predictions + " + " + deadLetters, ""));
        results.put("cpu_us_per_txn", format(cpuUs, 1));
        results.put("throughput_txn_s", format(throughput, 0));
        results.put("cpu_us_members", format((to.members() - from.members()) * 1e6 / transactions, 1));
        results.put("cpu_us_python", format((to.python() - from.python()) * 1e6 / transactions, 1));
        results.put("cpu_us_broker", format((to.broker() - from.broker()) * 1e6 / transactions, 1));
        results.put("drained", String.valueOf(sent.sent()));
        List<ProcessHandle> workers = LocalProcesses.pythonWorkers(ProcessHandle.allProcesses());
        if (!workers.isEmpty()) {
            rows.add(row("resident memory of a Python worker, on average",
                    workers.stream().mapToLong(LocalProcesses::residentMb).sum() / workers.size(), "MB"));
        }
        snapshotRows(snapshots.values(), rows);
        rows.add(row("  FEATURES held up by one of them, longest / writing in it / longest call", featuresSnapshot(job), "ms"));
        table("Drain of a backlog (" + members + " member(s), warm)", "| metric | value | unit |", rows);
        heapAfterGc(drainStartMs, drainEndMs);
        stageMetrics(job);
        if (profiling) {
            finishProfile(profile);
        }
        finish(job, topic);
    }

    /**
     * Snapshots under load: how long the barrier took to pass every stage while the backlog drained,
     * and what the state weighs. Bounds what a failure replays: the records since the last completed
     * snapshot, i.e. at most one interval plus one snapshot's duration of traffic.
     */
    private void snapshotRows(Collection<Snapshots.Completed> snapshots, List<String> rows) {
        if (snapshots.isEmpty()) {
            rows.add(row("snapshots completed during the drain", 0, ""));
            return;
        }
        long[] durations = snapshots.stream().mapToLong(Snapshots.Completed::durationMs).sorted().toArray();
        Snapshots.Completed last = snapshots.stream().reduce((a, b) -> b).orElseThrow();
        rows.add(row("snapshots completed during the drain (seen once a second)", snapshots.size(), ""));
        rows.add(row("  their duration, median", durations[durations.length / 2], "ms"));
        rows.add(row("  their duration, max", durations[durations.length - 1], "ms"));
        rows.add(row("  the last one's size", format(last.bytes() / 1e6, 1) + " MB in "
                + String.format(Locale.ROOT, "%,d", last.keys()) + " keys", ""));
    }

    private Sample sample(Job job) {
        return new Sample(System.nanoTime(), outcomes(job),
                LocalProcesses.cpuSeconds(LocalProcesses.withRole("member-")),
                LocalProcesses.cpuSeconds(LocalProcesses.pythonWorkers(ProcessHandle.allProcesses())),
                LocalProcesses.cpuSeconds(LocalProcesses.withRole("kafka ")),
                LocalProcesses.cpuSeconds(LocalProcesses.postgres(POSTGRES_DATA)));
    }

    /** Predictions and dead letters so far, as the job counts them (its metrics, every 5 s). */
    private static long outcomes(Job job) {
        JobMetrics metrics = job.getMetrics();
        return sum(metrics, FraudPipeline.PREDICTIONS_METRIC) + sum(metrics, FraudPipeline.DEAD_LETTERS_METRIC);
    }

    private static Sample firstAtLeast(List<Sample> samples, long outcomes) {
        return samples.stream().filter(s -> s.outcomes() >= outcomes).findFirst().orElseThrow();
    }

    /** The soak: each member's live heap after the full collections forced at each quarter of the drain. */
    private void heapAfterGc(long fromMs, long toMs) throws IOException {
        List<String> rows = new ArrayList<>();
        long first = 0;
        long last = 0;
        for (Path log : GcLogs.memberLogs()) {
            List<GcLogs.Point> live = GcLogs.fullCollections(log, fromMs, toMs);
            int collections = GcLogs.heapAfterGc(log, fromMs, toMs).size();
            rows.add(String.format(Locale.ROOT, "| %s | %d | %s |", log.getFileName(), collections,
                    live.stream().map(p -> String.format(Locale.ROOT, "%,d", p.heapAfterMb()))
                            .collect(Collectors.joining(" → "))));
            if (!live.isEmpty()) {
                first = Math.max(first, live.get(0).heapAfterMb());
                last = Math.max(last, live.get(live.size() - 1).heapAfterMb());
            }
        }
        results.put("heap_after_gc_mb_first", String.valueOf(first));
        results.put("heap_after_gc_mb_last", String.valueOf(last));
        table("Soak: live heap through the drain (MB after a full GC forced at 25, 50, 75 and 100 % of it)",
                "| member GC log | collections | live heap at each quarter |", rows);
    }

    /** A full collection in every member, so that its GC log says what it holds alive. */
    private static void forceFullGc() throws IOException, InterruptedException {
        for (ProcessHandle member : LocalProcesses.withRole("member-")) {
            LocalProcesses.jcmd(member, "GC.run");
        }
    }

    private String fixedRate(int rate) throws Exception {
        String topic = newTopic("rate-" + rate);
        long warmUpMs = options.warmUpSeconds * 1000;
        long count = rate * (options.warmUpSeconds + options.seconds);
        Instant submitted = Instant.now();
        Job job = submit(topic, "rate-" + rate);
        awaitReady(job, submitted);
        TransactionProducer.Summary sent = produce(topic, count, rate);
        // Counted from the job's metrics: on one member the retention may evict some of a run's
        // predictions before they are counted; the latencies are those of the predictions found.
        boolean complete = Outcomes.await(() -> outcomes(job), sent.sent(), Duration.ofMinutes(10),
                System.out, new JobWatch(client, job.getName(), System.out, JobWatch.DEFAULT_GRACE));
        List<FraudPrediction> predictions = new ArrayList<>(predictionMap().values());
        long firstAppend = predictions.stream().mapToLong(FraudPrediction::appendTimeMs).min().orElse(0);
        List<FraudPrediction> measured = predictions.stream()
                .filter(p -> p.appendTimeMs() >= firstAppend + warmUpMs).toList();
        long[] q = RunReport.percentiles(measured.stream().mapToLong(p -> p.storedTimeMs() - p.appendTimeMs()).toArray());
        long measuredFrom = measured.stream().mapToLong(FraudPrediction::appendTimeMs).min().orElse(0);
        long lastStored = measured.stream().mapToLong(FraudPrediction::storedTimeMs).max().orElse(0);
        double achieved = measured.size() * 1000.0 / Math.max(1, lastStored - measuredFrom);
        // Sustained: the pipeline kept up, so the latency did not grow with the run.
        boolean sustained = complete && achieved >= 0.95 * rate && q[2] < 1000;
        table(String.format(Locale.ROOT, "Where the time went at %,d txn/s (%,d predictions over the measured %d s: %s; "
                        + "load average %s; FEATURES held up by a snapshot, longest / writing in it / longest call: %s ms)",
                        rate, measured.size(), options.seconds, bands(measured), loadAverage(), featuresSnapshot(job)),
                HopBreakdown.HEADER, HopBreakdown.of(measured).stream().map(HopBreakdown.Row::markdown).toList());
        results.put("p50_ms_at_" + rate, String.valueOf(q[0]));
        results.put("p99_ms_at_" + rate, String.valueOf(q[2]));
        finish(job, topic);
        List<GcLogs.Pause> pauses = gcPauses(measuredFrom, lastStored);
        return String.format(Locale.ROOT, "| %,d | %,.0f | %d | %d | %d | %d | %s | %d, %.0f | %.1f |",
                rate, achieved, q[0], q[1], q[2], q[3], sustained ? "yes" : "no", pauses.size(),
                pauses.stream().mapToDouble(GcLogs.Pause::durationMs).sum(),
                pauses.stream().mapToDouble(GcLogs.Pause::durationMs).max().orElse(0));
    }

    /**
     * How many of the predictions fell in each band: a REVIEW or DECLINE costs its reasons
     * (TreeSHAP, about 2 ms each), an APPROVE none, so the share flagged moves the CPU per transaction.
     */
    static String bands(List<FraudPrediction> predictions) {
        Map<String, Long> byBand = predictions.stream()
                .collect(Collectors.groupingBy(FraudPrediction::band, TreeMap::new, Collectors.counting()));
        return byBand.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %,d (%.2f %%)", e.getKey(), e.getValue(),
                        100.0 * e.getValue() / predictions.size()))
                .collect(Collectors.joining(", "));
    }

    /**
     * The machine's 1-, 5- and 15-minute load averages: on a shared machine a figure means little
     * without what else was running.
     */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException unreadable) {
            return "unknown";
        }
    }

    /** What GC stopped the members for while a rate was measured: how much of its latency is GC. */
    private static List<GcLogs.Pause> gcPauses(long fromMs, long toMs) throws IOException {
        List<GcLogs.Pause> pauses = new ArrayList<>();
        for (Path log : GcLogs.memberLogs()) {
            pauses.addAll(GcLogs.pauses(log, fromMs, toMs));
        }
        return pauses;
    }

    /** Jet's own per-vertex counters of the drain: where the items went, in how large batches. */
    private void stageMetrics(Job job) {
        JobMetrics metrics = job.getMetrics();
        Map<String, long[]> byVertex = new TreeMap<>();
        addTo(byVertex, metrics, MetricNames.RECEIVED_COUNT, 0);
        addTo(byVertex, metrics, MetricNames.EMITTED_COUNT, 1);
        addTo(byVertex, metrics, MetricNames.RECEIVED_BATCHES, 2);
        List<String> rows = new ArrayList<>();
        byVertex.forEach((vertex, v) -> rows.add(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f |",
                vertex, v[0], v[1], v[2], v[2] == 0 ? 0.0 : (double) v[0] / v[2])));
        table("Per-vertex counts of the drain (Jet job metrics)",
                "| vertex | received | emitted | input batches | items per batch |", rows);
    }

    /** Sums a metric over every processor and ordinal of each vertex, snapshot traffic apart. */
    private static void addTo(Map<String, long[]> byVertex, JobMetrics metrics, String name, int index) {
        for (Measurement m : metrics.get(name)) {
            String vertex = m.tag(MetricTags.VERTEX);
            if (vertex != null && !"snapshot".equals(m.tag(MetricTags.ORDINAL))) {
                byVertex.computeIfAbsent(vertex, k -> new long[3])[index] += m.value();
            }
        }
    }

    private void finishProfile(Path recording) throws IOException, InterruptedException {
        List<String> rows = Profiles.summary(recording, 25);
        table("Where a member's CPU went during the drain (JFR execution samples, top frames; "
                + recording.getFileName() + ")", "| share | samples | method (top of stack) |", rows);
        table("The same samples by what they were doing (any frame of the stack)", "| share | samples | part |",
                Profiles.byPart(recording));
    }

    /**
     * The longest one snapshot kept FEATURES from its transactions, the most of that spent writing
     * the card histories, and the longest single call of it, over the job and its processors, in ms:
     * the stall the transactions behind FEATURES wait out (CardFeaturesP).
     */
    private static String featuresSnapshot(Job job) {
        JobMetrics metrics = job.getMetrics();
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", max(metrics, CardFeaturesP.SNAPSHOT_US_METRIC) / 1000.0,
                max(metrics, CardFeaturesP.SNAPSHOT_WORK_US_METRIC) / 1000.0,
                max(metrics, CardFeaturesP.SNAPSHOT_CALL_US_METRIC) / 1000.0);
    }

    private static long max(JobMetrics metrics, String name) {
        return metrics.get(name).stream().mapToLong(Measurement::value).max().orElse(0);
    }

    private static long metric(Job job, String name) {
        return sum(job.getMetrics(), name);
    }

    private static long sum(JobMetrics metrics, String name) {
        return metrics.get(name).stream().mapToLong(Measurement::value).sum();
    }

    /**
     * Waits until the job runs and, when it scores in Python, until every Python worker it started is
     * serving: only then does a fixed rate measure the pipeline rather than the backlog of its start.
     * The previous scenario's workers may still be exiting, so only processes started after this
     * submit count.
     */
    private void awaitReady(Job job, Instant submitted) throws InterruptedException {
        long deadline = System.nanoTime() + PYTHON_START_TIMEOUT.toNanos();
        while (job.getStatus() != JobStatus.RUNNING) {
            if (job.getStatus().isTerminal() || System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job.getName() + " is " + job.getStatus() + ", not RUNNING");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        if (options.scorer().equals("python") && !LocalProcesses.awaitPythonServing(
                () -> ProcessHandle.allProcesses().filter(p -> startedSince(p, submitted)),
                members * options.pythonParallelism, PYTHON_START_TIMEOUT)) {
            throw new IllegalStateException("the Python workers of job " + job.getName() + " did not start");
        }
    }

    private static boolean startedSince(ProcessHandle process, Instant since) {
        return process.info().startInstant().map(start -> !start.isBefore(since)).orElse(false);
    }

    private Job submit(String topic, String scenario) throws IOException, InterruptedException {
        String jobName = "benchmark-" + scenario;
        List<String> command = new ArrayList<>(List.of("scripts/hz-cli", "submit", options.jobJar,
                "--kafka-bootstrap-servers", options.bootstrapServers, "--kafka-topic", topic,
                "--job-name", jobName, "--python-parallelism", String.valueOf(options.pythonParallelism)));
        // Each scenario's own output topics, made by newTopic, so no run reads or fills another's.
        List<String> outputs = outputTopics(topic);
        command.addAll(List.of("--decisions-topic=" + (outputs.isEmpty() ? "" : outputs.get(0)),
                "--dead-letters-topic=" + (outputs.isEmpty() ? "" : outputs.get(1))));
        String extra = options.jobArgs.trim();
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        Process hzCli = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("hz-cli.log").toFile()))
                .start();
        if (hzCli.waitFor() != 0) {
            throw new IllegalStateException("hz-cli submit failed; see " + out.resolve("hz-cli.log"));
        }
        Job job = client.getJet().getJob(jobName);
        if (job == null) {
            throw new IllegalStateException("job " + jobName + " not found after submit");
        }
        return job;
    }

    /**
     * Cancels the job and its supervisor, waits until its Python workers are gone, so the next
     * scenario starts clean, and deletes the scenario's topic.
     */
    private void finish(Job job, String topic) throws InterruptedException {
        for (Job j : new Job[]{job, client.getJet().getJob(job.getName() + JobSupervisor.SUFFIX)}) {
            if (j == null) {
                continue;
            }
            j.cancel();
            try {
                j.join();
            } catch (RuntimeException cancelled) {
                // join() of a cancelled job reports the cancellation.
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!LocalProcesses.pythonWorkers(ProcessHandle.allProcesses()).isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        TransactionProducer topics = new TransactionProducer(kafka, System.out);
        topics.deleteTopic(topic);
        outputTopics(topic).forEach(topics::deleteTopic);
    }

    /** The decision and dead-letter topics of a scenario's input topic; none with {@code --no-topics}. */
    private List<String> outputTopics(String topic) {
        return options.noTopics ? List.of() : List.of(topic + "-decisions", topic + "-dead-letters");
    }

    private String newTopic(String scenario) {
        predictionMap().clear();
        client.getMap(Names.DEAD_LETTERS_MAP).clear();
        if (options.evictReferenceData) {
            client.getMap(Names.CUSTOMERS_MAP).evictAll();
            client.getMap(Names.MERCHANTS_MAP).evictAll();
        }
        String topic = "benchmark-" + scenario + "-" + System.currentTimeMillis();
        TransactionProducer topics = new TransactionProducer(kafka, System.out);
        for (String each : concat(topic, outputTopics(topic))) {
            topics.ensureTopic(each, TransactionProducer.DEFAULT_PARTITIONS, (short) 1,
                    TransactionProducer.DEFAULT_LEADER_TIMEOUT);
        }
        return topic;
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private TransactionProducer.Summary produce(String topic, long count, double rate) {
        return new TransactionProducer(kafka, System.out)
                .produce(options.dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE), topic, count, rate)
                .requireNothingLost();
    }

    private IMap<Object, FraudPrediction> predictionMap() {
        return client.getMap(Names.PREDICTION_RESULT_MAP);
    }

    /** Puts this configuration's row in the results file, replacing an earlier one of the same name. */
    private void writeResultRow(Path csv) throws IOException {
        String configuration = options.configuration;
        results.put("configuration", configuration);
        results.put("scorer", options.scorer());
        results.put("members", String.valueOf(members));
        results.put("python_processes", options.scorer().equals("python")
                ? String.valueOf(members * options.pythonParallelism) : "0");
        results.put("date", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE));
        StringBuilder row = new StringBuilder();
        for (String column : RESULT_HEADER.split(",")) {
            row.append(row.length() > 0 ? "," : "").append(results.getOrDefault(column, ""));
        }
        List<String> lines = new ArrayList<>();
        if (Files.exists(csv)) {
            lines.addAll(Files.readAllLines(csv));
        }
        if (lines.isEmpty() || !lines.get(0).equals(RESULT_HEADER)) {
            lines.clear();
            lines.add(RESULT_HEADER);
        }
        lines.removeIf(line -> line.startsWith(configuration + ","));
        lines.add(row.toString());
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.write(csv, lines);
        System.out.println("Wrote the row of '" + configuration + "' to " + csv);
    }

    private void heading(String text) {
        report.append("# Pipeline benchmark\n\n").append(text).append("\n");
        System.out.println(text);
    }

    private void table(String title, String header, List<String> rows) {
        StringBuilder table = new StringBuilder("\n## ").append(title).append("\n\n").append(header).append('\n')
                .append(header.replaceAll("[^|]+", "---")).append('\n');
        rows.forEach(r -> table.append(r).append('\n'));
        report.append(table);
        System.out.print(table);
    }

    private static String row(String metric, Object value, String unit) {
        String shown = value instanceof Double d ? String.format(Locale.ROOT, "%,.2f", d) : String.valueOf(value);
        return "| " + metric + " | " + shown + " | " + unit + " |";
    }

    private static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
