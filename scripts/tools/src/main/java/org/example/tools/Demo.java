package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.example.CommandLineFlags;
import org.example.FraudJob;
import org.example.JobSettings;
import org.example.definition.Names;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The one-command demo, every part real: Hazelcast members in this JVM (3 by default, as in
 * production), the fraud-detection job with PREDICT in Python processes, a Kafka broker (started by
 * {@code scripts/demo.sh}), the customers and merchants of a generated data set, and its
 * transactions streamed into Kafka. It ends with a summary read back from the maps: every input
 * accounted for, throughput, latency and the flagged frauds against the labels.
 */
public final class Demo {

    static final String SYNOPSIS = "Runs the fraud-detection pipeline end to end on embedded Hazelcast members.\n"
            + "usage: Demo [options]";

    static final List<CommandLineFlags.Flag> FLAGS = List.of(
            CommandLineFlags.Flag.option("data-dir", "DATA_DIR", "python/data/demo", "Generated data set to stream"),
            CommandLineFlags.Flag.option("kafka-bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                    "Kafka broker"),
            CommandLineFlags.Flag.option("members", "DEMO_MEMBERS", "3", "Hazelcast members to start in this JVM"),
            CommandLineFlags.Flag.option("python-parallelism", "PYTHON_PARALLELISM", "10",
                    "Python processes per member"),
            CommandLineFlags.Flag.option("count", null, "0", "Stream only the first N transactions; 0 = all"),
            CommandLineFlags.Flag.option("rate", null, "2000",
                    "Transactions per second; 0 = all at once, which measures throughput, not latency"),
            CommandLineFlags.Flag.option("member-config", null, "scripts/hazelcast.yaml", "Member configuration"),
            CommandLineFlags.Flag.option("timeout-seconds", null, "900", "Give up if the run takes longer"));

    private static final int BASE_PORT = 5721;

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run("Demo", SYNOPSIS, FLAGS, args, System.getenv(), System.out, System.err, flags -> {
            Path dataDir = Path.of(flags.get("data-dir"));
            String bootstrapServers = flags.get("kafka-bootstrap-servers");
            String topic = Names.TRANSACTIONS_TOPIC + "-demo-" + System.currentTimeMillis() / 1000;
            // The job's own settings come from their environment variables, as under hz-cli submit.
            JobSettings settings = JobSettings.from(new String[0], System.getenv())
                    .withKafka(bootstrapServers, topic)
                    .withPythonParallelism(flags.getInt("python-parallelism", 1));
            Run run = new Run(dataDir, bootstrapServers, settings, flags.getInt("members", 1),
                    Path.of(flags.get("member-config")), flags.getLong("count", 0), flags.getDouble("rate", 0),
                    Duration.ofSeconds(flags.getLong("timeout-seconds", 1)));
            return () -> run(run) ? 0 : 1;
        }));
    }

    /** A demo run, every option checked before anything starts. */
    private record Run(Path dataDir, String bootstrapServers, JobSettings settings, int members, Path memberConfig,
                       long count, double rate, Duration timeout) {
    }

    private static boolean run(Run options) throws Exception {
        Path dataDir = options.dataDir();
        JobSettings settings = options.settings();
        String topic = settings.kafkaTopic();
        int members = options.members();
        Properties kafka = new Properties();
        kafka.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());

        long clusterStart = System.nanoTime();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(options.memberConfig(),
                "fraud-demo", members, BASE_PORT)) {
            HazelcastInstance hz = cluster.member();
            say("%d Hazelcast members up in %.1f s", members, seconds(clusterStart));
            new ReferenceDataLoader(new MapTarget(hz)).loadAll(dataDir, true, false);
            BrokenInputs.prepareReferenceData(hz, dataDir);

            TransactionProducer producer = new TransactionProducer(kafka);
            producer.ensureTopic(topic, TransactionProducer.DEFAULT_PARTITIONS, (short) 1,
                    TransactionProducer.DEFAULT_LEADER_TIMEOUT);
            long submitted = System.nanoTime();
            Job job = FraudJob.deploy(hz, settings);
            say("Job '%s' submitted: PREDICT runs %d Python processes on each of %d members",
                    settings.jobName(), settings.pythonParallelism(), members);
            try {
                double startSeconds = awaitPython(job, members * settings.pythonParallelism(), submitted);
                TransactionProducer.Summary sent = producer.produce(
                        dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE), topic,
                        options.count(), options.rate()).requireNothingLost();
                say(sent.describe());
                int broken = BrokenInputs.send(kafka, topic, dataDir, sent.sent());
                say("Sent %d deliberately broken messages too, one per reason a message can be a dead letter", broken);
                long inputs = sent.sent() + broken;
                boolean complete = Outcomes.await(hz, inputs, 0, options.timeout(), System.out,
                        new JobWatch(hz, settings.jobName(), System.out, JobWatch.DEFAULT_GRACE));
                RunReport report = RunReport.collect(hz, inputs, RunReport.readLabels(dataDir.resolve("labels.csv")));
                printSummary(report, startSeconds, members, settings.pythonParallelism());
                return complete && report.accountsForEveryInput()
                        && report.deadLettersByReason().keySet().equals(BrokenInputs.EXPECTED_REASONS);
            } finally {
                job.cancel();
                producer.deleteTopic(topic);
            }
        }
    }

    /**
     * Waits until every Python process of PREDICT serves, so that the latency figures measure
     * the pipeline, not its start. Returns the seconds since submit.
     */
    private static double awaitPython(Job job, int processes, long submittedNanos) throws InterruptedException {
        if (!LocalProcesses.awaitPythonServing(() -> ProcessHandle.current().descendants(), processes, Duration.ofMinutes(3))) {
            throw new IllegalStateException("Python did not start within 3 minutes; job " + job.getStatus()
                    + " (see .run/logs/demo.log)");
        }
        double seconds = seconds(submittedNanos);
        say("All %d Python processes serving %.1f s after submit", processes, seconds);
        return seconds;
    }

    private static void printSummary(RunReport report, double jobStartSeconds, int members, int pythonParallelism) {
        System.out.println();
        System.out.println("==================== fraud-detection demo: summary ====================");
        System.out.printf(Locale.ROOT, "  cluster               %d members, %d Python processes%n",
                members, members * pythonParallelism);
        System.out.printf(Locale.ROOT, "  job start             %.1f s from submit until every Python process serves%n",
                jobStartSeconds);
        System.out.print(report.format());
        System.out.println("=======================================================================");
        System.out.println("  The demo's members stop with it. To query results with SQL or watch the job in");
        System.out.println("  Management Center, run it on scripts/cluster.sh or docker compose (README).");
        System.out.println("  Live fraud page on such a cluster: scripts/dashboard.sh, then http://127.0.0.1:8501");
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[demo] " + format + "%n", args);
    }
}
