package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.example.definition.Names;
import org.example.records.CardFeatures;
import org.example.records.Json;
import org.example.tools.netns.LabCluster;
import org.example.tools.netns.LabNetwork;
import org.example.tools.netns.MemberLog;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One run of the pipeline on the network lab, as the drills use it: the broker and the members on
 * their hosts, the reference data loaded, the job submitted with {@code hz-cli}, the load streaming
 * in, the outcomes read into an {@link OutcomeLedger} as they are stored, and at the end the
 * verdict on every input. The drill in between makes the faults.
 */
final class LabRun implements AutoCloseable {

    static final String JOB = Names.DEFAULT_JOB_NAME;
    /** Generous: other builds share this machine, and under a load of 50 a broker took over three minutes to start. */
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(600);
    /** Load before the first fault may come: card histories for a snapshot to hold. */
    private static final Duration WARM_UP = Duration.ofSeconds(15);

    /** What a run streams and scores ({@link LabRunOptions} reads it from the command line). */
    record Options(Path root, Path dataDir, Path expectedFeatures, double rate, Duration hostileEvery, String scorer,
                   int pythonParallelism) {
    }

    private final LabCluster cluster;
    private final Options options;
    private final PrintStream out;
    final DrillTimeline timeline = new DrillTimeline();
    private final String topic;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ledger-poll");
        t.setDaemon(true);
        return t;
    });
    private HazelcastInstance client;
    private HostileMessages hostile;
    private LoadStream stream;
    private OutcomeLedger ledger;
    private Map<String, CardFeatures> expectedFeatures;
    private long startMs;

    LabRun(LabCluster cluster, Options options, String topic, PrintStream out) {
        this.cluster = cluster;
        this.options = options;
        this.topic = topic;
        this.out = out;
    }

    LabCluster cluster() {
        return cluster;
    }

    HazelcastInstance client() {
        return client;
    }

    OutcomeLedger ledger() {
        return ledger;
    }

    LoadStream stream() {
        return stream;
    }

    long startMs() {
        return startMs;
    }

    void say(String format, Object... args) {
        out.printf(java.util.Locale.ROOT, "[%s] %s%n", DrillTimeline.offset(System.currentTimeMillis() - startMs),
                String.format(java.util.Locale.ROOT, format, args));
    }

    /** The broker and every member, up and formed into one cluster, then a client of it. */
    void startCluster() throws IOException, InterruptedException {
        startMs = System.currentTimeMillis();
        expectedFeatures = ExpectedFeatures.read(options.expectedFeatures());
        cluster.prepare();
        for (int i = 1; i <= cluster.memberCount(); i++) {
            cluster.startMember(i);
        }
        cluster.startKafka(CLUSTER_TIMEOUT);
        cluster.awaitMembers(allMembers(), cluster.memberCount(), CLUSTER_TIMEOUT);
        say("cluster up: %d members and the broker, on hosts %s", cluster.memberCount(), cluster.network());
        client = connect();
    }

    List<Integer> allMembers() {
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= cluster.memberCount(); i++) {
            all.add(i);
        }
        return all;
    }

    private HazelcastInstance connect() {
        ClientConfig config = new ClientConfig();
        config.setClusterName("fraud-detection");
        config.getNetworkConfig().setAddresses(cluster.memberAddresses());
        // Members come and go in a drill (a split, a restart): the client keeps trying, it never gives up.
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1);
        return HazelcastClient.newHazelcastClient(config);
    }

    /** Customers and merchants, and the customers the hostile messages need. */
    void loadReferenceData() throws IOException {
        // Into the maps: the lab's members have no reference database (LabCluster).
        new ReferenceDataLoader(new MapTarget(client), ReferenceDataLoader.DEFAULT_BATCH_SIZE,
                new PrintStream(PrintStream.nullOutputStream()))
                .loadAll(options.dataDir(), false, false);
        hostile = HostileMessages.prepare(client, options.dataDir());
        say("reference data loaded");
    }

    Properties kafkaProperties() {
        Properties properties = new Properties();
        properties.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return properties;
    }

    /** The topic, then the job, submitted as users submit it. */
    void submit() throws IOException, InterruptedException {
        new TransactionProducer(kafkaProperties(), new PrintStream(PrintStream.nullOutputStream()))
                .ensureTopic(topic, TransactionProducer.DEFAULT_PARTITIONS, (short) 1, TransactionProducer.DEFAULT_LEADER_TIMEOUT);
        List<String> command = new ArrayList<>(List.of(options.root().resolve("scripts/hz-cli").toString(),
                "-t", "fraud-detection@" + cluster.memberAddresses().get(0), "submit",
                options.root().resolve("deploy-jobs/target/fraud-detection-job.jar").toString(),
                "--kafka-bootstrap-servers", cluster.bootstrapServers(), "--kafka-topic", topic,
                "--scorer", options.scorer().toUpperCase(java.util.Locale.ROOT)));
        if (options.scorer().equals("python")) {
            command.addAll(List.of("--python-parallelism", String.valueOf(options.pythonParallelism())));
        }
        Path log = cluster.settings().logs().resolve("hz-cli-submit.log");
        Process submit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Generous: under a load average of 50 an upload and start took over five minutes.
        if (!submit.waitFor(15, TimeUnit.MINUTES) || submit.exitValue() != 0) {
            submit.destroyForcibly();
            throw new IllegalStateException("hz-cli submit failed; see " + log);
        }
        timeline.mark(System.currentTimeMillis(), "job submitted with hz-cli (" + options.scorer() + " scorer)");
        say("job '%s' submitted (scorer %s), topic %s", JOB, options.scorer(), topic);
    }

    /** Starts the load and the ledger's reads; returns once the job has a completed snapshot of the card histories. */
    void startLoad(Duration pollEvery) throws InterruptedException {
        ledger = new OutcomeLedger(expectedFeatures, startMs);
        stream = new LoadStream(kafkaProperties(), topic, options.dataDir(), options.rate(), options.hostileEvery(),
                hostile, out).start();
        timeline.mark(System.currentTimeMillis(), String.format(java.util.Locale.ROOT,
                "load starts: %,.0f transactions/s, a hostile message every %d s", options.rate(), options.hostileEvery().toSeconds()));
        poller.scheduleWithFixedDelay(this::pollQuietly, pollEvery.toMillis(), pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        // Some card histories first, so that a restore after the fault has state to restore.
        while (stream.validSent() < options.rate() * WARM_UP.toSeconds() && stream.isRunning()) {
            Thread.sleep(200);
        }
        if (VerifyRun.awaitFeaturesSnapshot(client, JOB, Duration.ofMinutes(5), out, out) != 0) {
            throw new IllegalStateException("the job completed no snapshot of the card histories in time");
        }
        say("the job has a completed snapshot of the card histories");
    }

    private void pollQuietly() {
        try {
            ledger.poll(client);
        } catch (RuntimeException e) {
            // A split or a restart may fail a read; the next one, a little wider, covers it.
            say("(ledger read failed, will read again: %s)", e.getMessage());
        }
    }

    /** The job's status now, as the cluster (the client's side of it) sees it. */
    JobStatus jobStatus() {
        Job job = client.getJet().getJob(JOB);
        return job == null ? null : job.getStatus();
    }

    /** Waits until the job's status is RUNNING; false on timeout. */
    boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (jobStatus() == JobStatus.RUNNING) {
                    return true;
                }
            } catch (RuntimeException e) {
                // The cluster is changing: ask again.
            }
            Thread.sleep(500);
        }
        return false;
    }

    /**
     * Waits until the job runs on every member, according to their logs, after {@code sinceMs};
     * returns when that was, or -1 on timeout.
     */
    long awaitJobOnAllMembers(long sinceMs, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var when = DrillTimeline.runningOn(memberEvents(), JOB, java.util.Set.copyOf(allMembers()), sinceMs);
            if (when.isPresent()) {
                return when.getAsLong();
            }
            Thread.sleep(1000);
        }
        return -1;
    }

    List<MemberLog.Event> memberEvents() throws IOException {
        List<MemberLog.Event> events = new ArrayList<>();
        for (Path log : cluster.memberLogs()) {
            events.addAll(MemberLog.read(log));
        }
        return events;
    }

    /**
     * Ends the load (if it still runs), waits until every input has an outcome on the decision and
     * dead-letter topics, reads them to their end and the map one last time, and returns the
     * ledger's verdict on every input.
     */
    OutcomeLedger.Verdict finish(Duration timeout) throws InterruptedException {
        stream.stop();
        LoadStream.Summary sent = stream.await();
        timeline.mark(System.currentTimeMillis(), "load ends: " + sent.describe());
        say("load ended: %s", sent.describe());
        if (sent.lost() > 0) {
            throw new IllegalStateException("the load lost messages: " + sent.describe());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        // Counted from the topics, which keep every outcome (the map evicts the oldest); the map
        // is still read every few seconds meanwhile, for the features of what is stored last.
        boolean complete;
        try (KafkaConsumer<String, String> topics = TopicCheck.fromStart(kafkaProperties(),
                List.of(Names.DECISIONS_TOPIC, Names.DEAD_LETTERS_TOPIC), IsolationLevel.READ_COMMITTED, timeout)) {
            complete = Outcomes.await(() -> {
                // A poll gives at most a few hundred records: read on for a while between progress updates.
                long until = System.nanoTime() + 2_000_000_000L;
                int read;
                do {
                    var records = topics.poll(Duration.ofMillis(200));
                    records.forEach(r -> recordFromTopic(r.value()));
                    read = records.count();
                } while (read > 0 && System.nanoTime() < until);
                return ledger.outcomesOnTopics();
            }, sent.inputs(), timeout, out, new JobWatch(client, JOB, out, JobWatch.DEFAULT_GRACE));
            TopicCheck.drainToEnd(topics, deadline, this::recordFromTopic);
        }
        poller.shutdownNow();
        poller.awaitTermination(30, TimeUnit.SECONDS);
        ledger.sweep(client);
        if (!complete) {
            say("not every input has an outcome within %d s", timeout.toSeconds());
        }
        Map<String, String> hostileReasons = stream.hostile().stream().collect(Collectors.toMap(
                h -> h.partition() + "-" + h.offset(), h -> h.message().expected().name()));
        return ledger.verdict(endOffsets(), hostileReasons);
    }

    /** A record of the output topics, if it answers an input of this run's topic. */
    private void recordFromTopic(String value) {
        try {
            JsonNode node = Json.MAPPER.readTree(value);
            if (topic.equals(node.path("origin_topic").asText())) {
                ledger.recordFromTopic(node);
            }
        } catch (IOException e) {
            throw new IllegalStateException("a record on the output topics that is not JSON: " + value, e);
        }
    }

    /** The end offset of each partition of the topic: the inputs are offsets 0 up to it. */
    Map<Integer, Long> endOffsets() {
        Properties properties = kafkaProperties();
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < TransactionProducer.DEFAULT_PARTITIONS; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            ListOffsetsResult result = admin.listOffsets(request);
            Map<Integer, Long> ends = new HashMap<>();
            for (var e : result.all().get(60, TimeUnit.SECONDS).entrySet()) {
                ends.put(e.getKey().partition(), e.getValue().offset());
            }
            return ends;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the end offsets of topic " + topic + ": " + e, e);
        }
    }

    /** Prints the verdict; returns whether it holds. */
    boolean report(OutcomeLedger.Verdict verdict) {
        out.printf(java.util.Locale.ROOT, "  inputs                %,d (offsets 0 to the end of every partition)%n", verdict.inputs());
        out.printf(java.util.Locale.ROOT, "  predictions           %,d%n", verdict.predictions());
        out.printf(java.util.Locale.ROOT, "  dead letters          %,d %s%n", verdict.deadLetters(), verdict.deadLettersByReason());
        out.printf(java.util.Locale.ROOT, "  rewritten             %,d predictions written again by a replay, each the same as before%n",
                verdict.rewrites());
        out.printf(java.util.Locale.ROOT, "  seen late in the map  %,d predictions first read over %d s after ACT stamped them%s%n",
                verdict.seenLate(), OutcomeLedger.OVERLAP_MS / 1000,
                verdict.seenLate() == 0 ? "" : String.format(java.util.Locale.ROOT, " (the latest %.1f s)", verdict.latestSeenMs() / 1000.0));
        if (verdict.ok()) {
            out.println("  accounted for         every input exactly once on the decision and dead-letter topics: the hostile"
                    + " ones as the dead letter each had to be, every other one a decision, seen in the map with the exact"
                    + " features and the same score");
        } else {
            out.printf(java.util.Locale.ROOT, "  PROBLEMS              %,d, e.g.:%n", verdict.problemCount());
            verdict.problems().forEach(p -> out.println("    " + p));
        }
        return verdict.ok();
    }

    /**
     * The machine's load average over the last minute, from /proc/loadavg: the drills run beside
     * whatever else the machine does, and every time they measure depends on it.
     */
    static String machineLoad() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The lab's network. */
    LabNetwork network() {
        return cluster.network();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        if (stream != null) {
            stream.stop();
        }
        if (client != null) {
            try {
                client.shutdown();
            } catch (RuntimeException e) {
                // Going down anyway.
            }
        }
        cluster.close();
    }
}
