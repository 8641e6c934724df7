package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.example.FraudJob;
import org.example.JobSettings;
import org.example.definition.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The one-command demo, every part real: Hazelcast members in this JVM (3 by default, as in
 * production), the fraud-detection job with PREDICT in Python processes, a Kafka broker (started by
 * {@code scripts/demo.sh}), the customers and merchants of a generated data set, and its
 * transactions streamed into Kafka. It ends with a summary read back from the maps: every input
 * accounted for, throughput, latency and the flagged frauds against the labels; and the decisions
 * per decision and band as a consumer of the decision topic sees them, read_committed.
 */
public final class Demo {

    private static final int BASE_PORT = 5721;

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(Commands.execute(new Program(), args, System.out, System.err));
    }

    @Command(name = "Demo", description = "Runs the fraud-detection pipeline end to end on embedded Hazelcast members.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--data-dir", defaultValue = "${env:DATA_DIR:-python/data/demo}",
                description = "Generated data set to stream (env DATA_DIR)")
        Path dataDir;

        @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
                description = "Kafka broker (env KAFKA_BOOTSTRAP_SERVERS)")
        String bootstrapServers;

        @Option(names = "--members", defaultValue = "${env:DEMO_MEMBERS:-3}", converter = Commands.PositiveInt.class,
                description = "Hazelcast members to start in this JVM (env DEMO_MEMBERS)")
        int members;

        @Option(names = "--python-parallelism", defaultValue = "${env:PYTHON_PARALLELISM:-10}",
                converter = Commands.PositiveInt.class, description = "Python processes per member (env PYTHON_PARALLELISM)")
        int pythonParallelism;

        @Option(names = "--count", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "Stream only the first N transactions; 0 = all")
        long count;

        @Option(names = "--rate", defaultValue = "2000", converter = Commands.NonNegativeNumber.class,
                description = "Transactions per second; 0 = all at once, which measures throughput, not latency")
        double rate;

        @Option(names = "--member-config", defaultValue = "scripts/hazelcast.yaml", description = "Member configuration")
        Path memberConfig;

        @Option(names = "--timeout-seconds", defaultValue = "900", converter = Commands.PositiveLong.class,
                description = "Give up if the run takes longer")
        long timeoutSeconds;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String topic = Names.TRANSACTIONS_TOPIC + "-demo-" + System.currentTimeMillis() / 1000;
            // The job's own settings come from their environment variables, as under hz-cli submit.
            JobSettings settings = Commands.beforeWork(spec, () -> JobSettings.from(new String[0], System.getenv()))
                    .withKafka(bootstrapServers, topic)
                    .withPythonParallelism(pythonParallelism);
            return run(new Run(dataDir, bootstrapServers, settings, members, memberConfig, count, rate,
                    Duration.ofSeconds(timeoutSeconds))) ? 0 : 1;
        }
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
            List<String> outputTopics = outputTopics(settings);
            for (String each : concat(topic, outputTopics)) {
                producer.ensureTopic(each, TransactionProducer.DEFAULT_PARTITIONS, (short) 1,
                        TransactionProducer.DEFAULT_LEADER_TIMEOUT);
            }
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
                // What a downstream consumer of the topics saw, read_committed: each input once.
                TopicCheck.Tally onTopics = outputTopics.isEmpty() ? null
                        : TopicCheck.read(kafka, outputTopics, inputs, TOPIC_READ_TIMEOUT);
                printSummary(report, onTopics, inputs, startSeconds, members, settings.pythonParallelism());
                return complete && report.accountsForEveryInput()
                        && report.deadLettersByReason().keySet().equals(BrokenInputs.EXPECTED_REASONS)
                        && (onTopics == null || onTopics.problems(inputs).isEmpty());
            } finally {
                job.cancel();
                for (String each : concat(topic, outputTopics)) {
                    producer.deleteTopic(each);
                }
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

    /**
     * Decisions reach a read_committed consumer only with the snapshot after them (10 s apart):
     * the last ones a little after the maps have them all.
     */
    private static final Duration TOPIC_READ_TIMEOUT = Duration.ofSeconds(90);

    /** The job's decision and dead-letter topics, those it writes. */
    private static List<String> outputTopics(JobSettings settings) {
        return Stream.of(settings.decisionsTopic(), settings.deadLettersTopic())
                .filter(t -> !t.isEmpty()).toList();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static void printSummary(RunReport report, TopicCheck.Tally onTopics, long inputs, double jobStartSeconds,
                                     int members, int pythonParallelism) {
        System.out.println();
        System.out.println("==================== fraud-detection demo: summary ====================");
        System.out.printf(Locale.ROOT, "  cluster               %d members, %d Python processes%n",
                members, members * pythonParallelism);
        System.out.printf(Locale.ROOT, "  job start             %.1f s from submit until every Python process serves%n",
                jobStartSeconds);
        System.out.print(report.format());
        if (onTopics != null) {
            System.out.printf(Locale.ROOT, "  decision topics       %,d records read_committed: %s; per band %s; %s%n",
                    onTopics.records(), onTopics.byDecision(), onTopics.byBand(),
                    onTopics.problems(inputs).isEmpty() ? "each input once" : String.join("; ", onTopics.problems(inputs)));
        }
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
