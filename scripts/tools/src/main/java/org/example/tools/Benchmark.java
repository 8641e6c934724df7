package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.metrics.JobMetrics;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.map.IMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.example.CommandLineFlags;
import org.example.Names;
import org.example.model.DeadLetter;
import org.example.model.FraudPrediction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;

/**
 * The pipeline benchmark, run by {@code scripts/benchmark.sh} against the local cluster of
 * {@code scripts/cluster.sh}: the job is submitted with hz-cli, fed through Kafka, and measured
 * from its outputs. Each scenario runs a job of its own on a topic of its own, into emptied maps.
 *
 * <ol>
 *   <li><b>Job start</b>: submit → first stored prediction, transactions already waiting.</li>
 *   <li><b>Backlog</b>: a topic already holding {@code --backlog} transactions when the job is
 *   submitted. Gives the maximum sustained throughput (the drain rate, every input accounted
 *   for), CPU per transaction of each process group, and Jet's per-vertex metrics.</li>
 *   <li><b>Fixed rates</b>: for each of {@code --rates}, a new job fed at that rate, first for
 *   {@code --warm-up-seconds} (a new job's classes are compiled by the JIT anew, and it drains
 *   what queued while it started), then for {@code --seconds}, over which the latency from Kafka
 *   append to stored is measured.</li>
 *   <li><b>Memory</b> of the members, the broker and the Python workers.</li>
 * </ol>
 * Writes {@code benchmark.md} and {@code benchmark.csv} to {@code --out}.
 */
public final class Benchmark {

    static final String SYNOPSIS = "Measures the fraud-detection pipeline on the local cluster.\n"
            + "usage: Benchmark [options]   (scripts/benchmark.sh runs it)";

    static final List<CommandLineFlags.Flag> FLAGS = ClusterClient.withConnectionFlags(List.of(
            CommandLineFlags.Flag.option("data-dir", "DATA_DIR", "python/data/bench",
                    "Generated data set; needs the most transactions any scenario sends"),
            CommandLineFlags.Flag.option("backlog", null, "150000", "Transactions of the throughput scenario"),
            CommandLineFlags.Flag.option("rates", null, "1000,5000,20000", "Offered rates for the latency scenarios"),
            CommandLineFlags.Flag.option("warm-up-seconds", null, "20",
                    "How long each rate is offered before latency is measured"),
            CommandLineFlags.Flag.option("seconds", null, "15", "How long each rate is measured after the warm-up"),
            CommandLineFlags.Flag.option("python-parallelism", "PYTHON_PARALLELISM", "10", "Python processes per member"),
            CommandLineFlags.Flag.option("job-args", null, "", "Further job options, space-separated"),
            CommandLineFlags.Flag.option("kafka-bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka broker"),
            CommandLineFlags.Flag.option("job-jar", null, "deploy-jobs/target/fraud-detection-job.jar", "Job JAR to submit"),
            CommandLineFlags.Flag.option("out", null, "results", "Directory for benchmark.md and benchmark.csv")));

    private static final Duration PYTHON_START_TIMEOUT = Duration.ofMinutes(3);

    private final CommandLineFlags flags;
    private final HazelcastInstance client;
    private final Properties kafka = new Properties();
    private final int members;
    private final Options options;
    private final Map<String, String> csv = new LinkedHashMap<>();
    private final StringBuilder report = new StringBuilder();

    private Benchmark(CommandLineFlags flags, Options options, HazelcastInstance client) {
        this.flags = flags;
        this.client = client;
        this.kafka.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, flags.get("kafka-bootstrap-servers"));
        this.members = client.getCluster().getMembers().size();
        this.options = options;
    }

    public static void main(String[] args) {
        System.exit(Cli.run("Benchmark", SYNOPSIS, FLAGS, args, System.getenv(), System.out, System.err, flags -> {
            // Every number checked now: a typo in --rates must not fail the run after its first scenarios.
            Options options = new Options(flags.getInt("python-parallelism", 1), parseRates(flags.get("rates")),
                    flags.getLong("backlog", 2), flags.getLong("warm-up-seconds", 0), flags.getLong("seconds", 1));
            return () -> {
                HazelcastInstance client = ClusterClient.connect(flags);
                try {
                    new Benchmark(flags, options, client).run();
                    return 0;
                } finally {
                    client.shutdown();
                }
            };
        }));
    }

    private record Options(int pythonParallelism, List<Integer> rates, long backlog, long warmUpSeconds,
                           long seconds) {
    }

    static List<Integer> parseRates(String rates) {
        List<Integer> parsed = new ArrayList<>();
        for (String rate : rates.split(",")) {
            int value;
            try {
                value = Integer.parseInt(rate.trim());
            } catch (NumberFormatException e) {
                value = 0;
            }
            if (value < 1) {
                throw new IllegalArgumentException("--rates takes transactions per second of at least 1, comma-separated, not '"
                        + rates + "'");
            }
            parsed.add(value);
        }
        return parsed;
    }

    private void run() throws Exception {
        heading(String.format(Locale.ROOT, "%d members, %d Python processes per member, %d cores, %s",
                members, options.pythonParallelism(), Runtime.getRuntime().availableProcessors(),
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16)));
        // The first job meets cold members and measures the start. The backlog then runs the
        // members' code hot (JIT), as in a cluster that has been running, before the latencies.
        jobStart();
        backlog();
        List<String> rateRows = new ArrayList<>();
        for (int rate : options.rates()) {
            rateRows.add(fixedRate(rate));
        }
        table("Latency at fixed offered rates (Kafka append → stored, over " + options.seconds()
                        + " s after a " + options.warmUpSeconds() + " s warm-up)",
                "| offered txn/s | achieved txn/s | p50 ms | p95 ms | p99 ms | max ms | sustained |", rateRows);
        memory();
        Path out = Path.of(flags.get("out"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("benchmark.md"), report);
        StringBuilder lines = new StringBuilder("metric,value\n");
        csv.forEach((k, v) -> lines.append(k).append(',').append(v).append('\n'));
        Files.writeString(out.resolve("benchmark.csv"), lines);
        System.out.println("\nWrote " + out.resolve("benchmark.md") + " and " + out.resolve("benchmark.csv"));
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
        double seconds = seconds(first - submitted);
        record("job_start_seconds", seconds);
        table("Job start (cold members, " + members * options.pythonParallelism() + " Python processes)",
                "| metric | value | unit |", List.of(row("submit → first stored prediction", seconds, "s")));
        finish(job, topic);
    }

    /**
     * Maximum sustained throughput: a warm job drains a backlog, every input accounted for. The
     * CPU of each process group over the drain, per transaction, shows where the cores go.
     */
    private void backlog() throws Exception {
        long count = options.backlog();
        String topic = newTopic("backlog");
        TransactionProducer.Summary sent = produce(topic, count, 0);
        Map<String, List<ProcessHandle>> groups = processGroups();
        Job job = submit(topic, "backlog");
        awaitOutcomes(job, 1, Duration.ofMinutes(5));
        Map<String, Double> cpuBefore = cpuSeconds(groups);
        long cpuFrom = System.currentTimeMillis();
        awaitOutcomes(job, sent.sent(), Duration.ofMinutes(15));
        Map<String, Double> cpuAfter = cpuSeconds(groups);
        double cpuWindowSeconds = seconds(System.currentTimeMillis() - cpuFrom);
        List<ProcessHandle> workers = LocalProcesses.pythonWorkers(ProcessHandle.allProcesses());
        long workersMb = workers.stream().mapToLong(LocalProcesses::residentMb).sum();
        List<FraudPrediction> predictions = new ArrayList<>(predictionMap().values());
        RunReport outcome = RunReport.of(sent.sent(), predictions, deadLetters(), Map.of());
        // The drain rate over its second half, when the job's code is compiled and running hot.
        long[] stored = predictions.stream().mapToLong(FraudPrediction::storedTimeMs).sorted().toArray();
        long half = stored.length / 2;
        double throughput = half * 1000.0 / Math.max(1, stored[stored.length - 1] - stored[(int) half]);
        List<String> rows = new ArrayList<>();
        rows.add(row("maximum sustained throughput (second half of the drain of " + count + ")", throughput, "txn/s"));
        rows.add(row("every input accounted for", outcome.accountsForEveryInput() ? "yes" : "NO", ""));
        record("max_throughput_per_second", throughput);
        double transactionsInWindow = throughput * cpuWindowSeconds;
        cpuAfter.forEach((group, after) -> {
            double used = after - cpuBefore.getOrDefault(group, 0.0);
            rows.add(row("CPU of " + group + " per transaction", used * 1000 / transactionsInWindow, "ms"));
            rows.add(row("CPU of " + group + " during the drain", used / cpuWindowSeconds, "cores"));
            record("cpu_ms_per_txn_" + group.replace(' ', '_'), used * 1000 / transactionsInWindow);
        });
        rows.add(row("resident memory of the " + workers.size() + " Python workers, each on average",
                workers.isEmpty() ? 0 : workersMb / workers.size(), "MB"));
        rows.add(row("resident memory of all Python workers", workersMb, "MB"));
        csv.put("python_worker_rss_mb", String.valueOf(workers.isEmpty() ? 0 : workersMb / workers.size()));
        table("Throughput (" + members + " members, warm, backlog of " + count + ")", "| metric | value | unit |", rows);
        stageMetrics(job);
        finish(job, topic);
    }

    /** Offers {@code rate} transactions/s to a new job and measures latency after its warm-up. */
    private String fixedRate(int rate) throws Exception {
        String topic = newTopic("rate-" + rate);
        long warmUpMs = options.warmUpSeconds() * 1000;
        long count = rate * (options.warmUpSeconds() + options.seconds());
        Job job = submit(topic, "rate-" + rate);
        if (!LocalProcesses.awaitPythonServing(ProcessHandle::allProcesses, members * options.pythonParallelism(),
                PYTHON_START_TIMEOUT)) {
            throw new IllegalStateException("Python workers did not start for rate " + rate);
        }
        TransactionProducer.Summary sent = produce(topic, count, rate);
        boolean complete = awaitOutcomes(job, sent.sent(), Duration.ofMinutes(10));
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
        record("latency_p50_ms_at_" + rate, q[0]);
        record("latency_p95_ms_at_" + rate, q[1]);
        record("latency_p99_ms_at_" + rate, q[2]);
        record("latency_max_ms_at_" + rate, q[3]);
        record("achieved_per_second_at_" + rate, achieved);
        finish(job, topic);
        return String.format(Locale.ROOT, "| %,d | %,.0f | %d | %d | %d | %d | %s |",
                rate, achieved, q[0], q[1], q[2], q[3], sustained ? "yes" : "no");
    }

    private void memory() {
        List<String> rows = new ArrayList<>();
        for (ProcessHandle member : LocalProcesses.withRole("member-")) {
            rows.add(row("member (pid " + member.pid() + ")", LocalProcesses.residentMb(member), "MB"));
        }
        for (ProcessHandle broker : LocalProcesses.withRole("kafka ")) {
            rows.add(row("Kafka broker", LocalProcesses.residentMb(broker), "MB"));
        }
        csv.put("member_rss_mb", String.valueOf(LocalProcesses.withRole("member-").stream()
                .mapToLong(LocalProcesses::residentMb).max().orElse(0)));
        table("Resident memory after the runs (Python workers: see the backlog run)", "| process | RSS | unit |", rows);
    }

    /** Jet's own per-vertex counters of the backlog run: where the items went and queued. */
    private void stageMetrics(Job job) {
        JobMetrics metrics = job.getMetrics();
        Map<String, long[]> byVertex = new TreeMap<>();
        addTo(byVertex, metrics, MetricNames.RECEIVED_COUNT, 0);
        addTo(byVertex, metrics, MetricNames.EMITTED_COUNT, 1);
        addTo(byVertex, metrics, MetricNames.RECEIVED_BATCHES, 2);
        List<String> rows = new ArrayList<>();
        byVertex.forEach((vertex, v) -> rows.add(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f |",
                vertex, v[0], v[1], v[2], v[2] == 0 ? 0.0 : (double) v[0] / v[2])));
        table("Per-vertex metrics of the backlog run (Jet job metrics, as last collected)",
                "| vertex | received | emitted | input batches | items per batch |", rows);
    }

    private static void addTo(Map<String, long[]> byVertex, JobMetrics metrics, String name, int index) {
        for (Measurement m : metrics.get(name)) {
            String vertex = m.tag("vertex");
            if (vertex != null && !"snapshot".equals(m.tag("ordinal"))) {
                byVertex.computeIfAbsent(vertex, k -> new long[3])[index] += m.value();
            }
        }
    }

    /** The long-lived processes of the run: members and broker. */
    private Map<String, List<ProcessHandle>> processGroups() {
        Map<String, List<ProcessHandle>> groups = new LinkedHashMap<>();
        groups.put("Hazelcast members", LocalProcesses.withRole("member-"));
        groups.put("Kafka broker", LocalProcesses.withRole("kafka "));
        return groups;
    }

    private Map<String, Double> cpuSeconds(Map<String, List<ProcessHandle>> groups) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        groups.forEach((name, processes) -> cpu.put(name, LocalProcesses.cpuSeconds(processes)));
        cpu.put("Python workers", LocalProcesses.cpuSeconds(LocalProcesses.pythonWorkers(ProcessHandle.allProcesses())));
        return cpu;
    }

    private Job submit(String topic, String scenario) throws IOException, InterruptedException {
        String jobName = "benchmark-" + scenario;
        List<String> command = new ArrayList<>(List.of("scripts/hz-cli", "submit", flags.get("job-jar"),
                "--kafka-bootstrap-servers", flags.get("kafka-bootstrap-servers"), "--kafka-topic", topic,
                "--job-name", jobName, "--python-parallelism", String.valueOf(options.pythonParallelism())));
        String extra = flags.get("job-args").trim();
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        Process hzCli = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(".run/logs/benchmark-hz-cli.log").toFile()))
                .start();
        if (hzCli.waitFor() != 0) {
            throw new IllegalStateException("hz-cli submit failed; see .run/logs/benchmark-hz-cli.log");
        }
        Job job = client.getJet().getJob(jobName);
        if (job == null) {
            throw new IllegalStateException("job " + jobName + " not found after submit");
        }
        return job;
    }

    /**
     * Cancels the job, waits until its Python workers are gone, so the next scenario starts clean,
     * and deletes the scenario's topic.
     */
    private void finish(Job job, String topic) throws InterruptedException {
        job.cancel();
        try {
            job.join();
        } catch (RuntimeException cancelled) {
            // join() of a cancelled job reports the cancellation.
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!LocalProcesses.pythonWorkers(ProcessHandle.allProcesses()).isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        new TransactionProducer(kafka, System.out).deleteTopic(topic);
    }

    private String newTopic(String scenario) {
        predictionMap().clear();
        client.getMap(Names.DEAD_LETTERS_MAP).clear();
        String topic = "benchmark-" + scenario + "-" + System.currentTimeMillis();
        new TransactionProducer(kafka, System.out).ensureTopic(topic, TransactionProducer.DEFAULT_PARTITIONS,
                (short) 1, TransactionProducer.DEFAULT_LEADER_TIMEOUT);
        return topic;
    }

    private TransactionProducer.Summary produce(String topic, long count, double rate) {
        return new TransactionProducer(kafka, System.out)
                .produce(Path.of(flags.get("data-dir")).resolve(TransactionProducer.TRANSACTIONS_FILE), topic, count, rate)
                .requireNothingLost();
    }

    private boolean awaitOutcomes(Job job, long expected, Duration timeout) throws InterruptedException {
        return Outcomes.await(client, expected, 0, timeout, System.out,
                new JobWatch(client, job.getName(), System.out, JobWatch.DEFAULT_GRACE));
    }

    private IMap<Object, FraudPrediction> predictionMap() {
        return client.getMap(Names.PREDICTION_RESULT_MAP);
    }

    private Collection<DeadLetter> deadLetters() {
        return client.<Object, DeadLetter>getMap(Names.DEAD_LETTERS_MAP).values();
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

    private void record(String metric, double value) {
        csv.put(metric, String.format(Locale.ROOT, "%.3f", value));
    }

    private static String row(String metric, Object value, String unit) {
        String shown = value instanceof Double d ? String.format(Locale.ROOT, "%,.2f", d) : String.valueOf(value);
        return "| " + metric + " | " + shown + " | " + unit + " |";
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }
}
