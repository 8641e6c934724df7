package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import org.example.SqlMappings;
import org.example.TestData;
import org.example.definition.Names;
import org.example.records.CardFeatures;
import org.example.records.FraudPrediction;
import org.example.records.FraudRequest;
import org.example.records.KafkaOrigin;
import org.example.policy.ScoringPolicy;
import org.example.registry.ModelEntry;
import org.example.registry.ModelPointer;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;
import org.example.scoring.BundledModel;
import org.example.scoring.JavaScorer;
import org.example.scoring.ModelFollower;
import org.example.stages.Act;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/deploy-model.sh's tool against a running job: an embedded member runs a job scoring an
 * endless stream with the JVM scorer into {@code predictionResult}; the tool puts models into
 * service as a client, and the stored predictions say what it did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelCommandTest {

    private static final String JOB = "models-test";
    private static final int PORT = 5971;
    private static final String CLUSTER = "models-test-" + ProcessHandle.current().pid();
    /** A member follows a change of the pointer within this. */
    private static final long FOLLOWED_WITHIN_MS = ModelFollower.POLL_MS * 2;

    private EmbeddedCluster cluster;
    private HazelcastInstance member;
    private ModelRegistry registry;
    private String shipped;
    private Job job;

    /** The band is beside the point here: one policy for every model, read from a static field. */
    private static final ScoringPolicy POLICY = ScoringPolicy.of(ScoringPolicy.EVERY_MODEL, 0.1, 0.5, 1, "test", 0);

    @BeforeAll
    void startAJobScoringAnEndlessStream() {
        cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"), CLUSTER, 1, PORT);
        member = cluster.member();
        SqlMappings.create(member);
        registry = new ModelRegistry(member);
        ModelEntry bundled = BundledModel.entry(0, "test");
        registry.publish(bundled);
        shipped = bundled.version();
        registry.setChampion(JOB, shipped, 0, "test");

        Pipeline pipeline = Pipeline.create();
        StreamSource<FraudRequest> endless = SourceBuilder.stream("requests", ctx -> new long[1])
                .<FraudRequest>fillBufferFn((next, buffer) -> {
                    Thread.sleep(2);
                    buffer.add(request(next[0]++));
                })
                .build();
        JavaScorer.following(JOB).score(pipeline.readFrom(endless).withoutTimestamps())
                .map(step -> step.isOk() ? Act.toPrediction(step.value(), POLICY, System.currentTimeMillis()) : null)
                .writeTo(com.hazelcast.jet.pipeline.Sinks.map(Names.PREDICTION_RESULT_MAP, Act::key, p -> p));
        job = member.getJet().newJob(pipeline);
    }

    @BeforeEach
    void shippedModelAloneScores() throws Exception {
        long resetMs = System.currentTimeMillis();
        registry.setChampion(JOB, shipped, resetMs, "test");
        registry.setChallenger(JOB, null, resetMs, "test");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (storedSince(resetMs + FOLLOWED_WITHIN_MS, shipped) == 0) {
            assertThat(System.nanoTime()).as("the job scores with the shipped model").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void shouldRollAModelOutWhileTheJobRunsAndSayWhatItDidToScoring(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 11);

        Result result = models("rollout", "--model-dir", dir.toString());

        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out()).contains("test-11-binary: both scorers accept it",
                "every member (1) scores with test-11-binary as champion",
                "first prediction by the new model", "longest gap in stored predictions",
                "scored again (replayed)            0 ", "test-11-binary scores every new transaction");
        ModelPointer pointer = registry.pointer(JOB).orElseThrow();
        assertThat(pointer.champion()).isEqualTo("test-11-binary");
        assertThat(pointer.previousChampion()).isEqualTo(shipped);
        assertThat(pointer.changedBy()).isEqualTo("tester");
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldRefuseAModelThePythonScorerCannotLoadAndChangeNothing(@TempDir Path dir) throws Exception {
        TestModelDirs.unloadableByLightGbm(dir);
        ModelPointer before = registry.pointer(JOB).orElseThrow();

        Result result = models("rollout", "--model-dir", dir.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("refused, nothing changed: the Python scorer refuses it: parse: ");
        assertThat(registry.pointer(JOB)).contains(before);
        assertThat(registry.model("lgbm-even-odds")).isEmpty();
    }

    @Test
    void shouldFailAtOnceWhenAMemberCannotUseTheModelAndKeepTheChampionScoring() throws Exception {
        // A model that got into the registry without the tool's checks, and that no scorer can parse
        ModelEntry bundled = BundledModel.entry(0, "test");
        registry.publish(ModelEntry.of("lgbm-broken", "tree\nthis is no model\n", bundled.metadataJson(), 0, "test"));
        long startMs = System.currentTimeMillis();
        registry.setChampion(JOB, "lgbm-broken", startMs, "test");
        StringWriter out = new StringWriter();

        HazelcastInstance client = client();
        int exit;
        try {
            exit = new RolloutWatch(client, new PrintWriter(out, true))
                    .await(JOB, "lgbm-broken", ModelStatus.State.CHAMPION, startMs, Duration.ofSeconds(60));
        } finally {
            client.shutdown();
        }

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAILED: lgbm-broken could not be put into service", "(java scorer): parse: ");
        long failedMs = System.currentTimeMillis();
        Thread.sleep(1000);
        assertThat(storedSince(failedMs, shipped)).as("the champion it had scores on; job %s", job.getStatus())
                .isPositive();
    }

    @Test
    void shouldScoreAChallengerBesidePromoteItAndRollBack(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 12);

        Result challenger = models("challenger", "--model-dir", dir.toString());
        assertThat(challenger.exit()).as(challenger.toString()).isZero();
        assertThat(challenger.out()).contains("test-12-binary scores beside champion " + shipped + ", deciding nothing");
        // What the live page reads in SQL: the pointer, and each scorer's report of what it serves.
        try (var rows = member.getSql().execute("SELECT champion, challenger FROM modelPointer WHERE __key = ?", JOB)) {
            var row = rows.iterator().next();
            assertThat(List.of(row.<String>getObject("champion"), row.<String>getObject("challenger")))
                    .containsExactly(shipped, "test-12-binary");
        }
        try (var rows = member.getSql().execute("SELECT version FROM modelStatus WHERE jobName = ? AND state = ?",
                JOB, "CHALLENGER")) {
            assertThat(rows.iterator().next().<String>getObject("version")).isEqualTo("test-12-binary");
        }
        Thread.sleep(1000);
        Result report = models("report", "--last", "PT1M");
        assertThat(report.out()).contains("champion " + shipped + " against challenger test-12-binary", "decide alike");

        Result promote = models("promote");
        assertThat(promote.exit()).as(promote.toString()).isZero();
        assertThat(registry.pointer(JOB).orElseThrow().champion()).isEqualTo("test-12-binary");

        Result rollBack = models("rollback");
        assertThat(rollBack.exit()).as(rollBack.toString()).isZero();
        assertThat(registry.pointer(JOB).orElseThrow().champion()).isEqualTo(shipped);
        assertThat(rollBack.out()).contains(shipped + " scores every new transaction");
    }

    private record Result(int exit, String out, String err) {
    }

    private Result models(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--job-name", JOB, "--cluster-name", CLUSTER, "--addresses", "127.0.0.1:" + PORT,
                "--by", "tester", "--timeout-seconds", "60"));
        int exit = ModelCommand.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    /** Predictions by {@code version} stored at or after {@code sinceMs}. */
    private long storedSince(long sinceMs, String version) {
        return member.getMap(Names.PREDICTION_RESULT_MAP).values().stream().map(FraudPrediction.class::cast)
                .filter(p -> p.storedTimeMs() >= sinceMs && p.modelVersion().equals(version)).count();
    }


    /** A client of the test's member, as the tool is one. */
    private static HazelcastInstance client() {
        var config = new com.hazelcast.client.config.ClientConfig();
        config.setClusterName(CLUSTER);
        config.getNetworkConfig().addAddress("127.0.0.1:" + PORT);
        return com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
    }

    /** A request the model can score, appended now; its id counts up. */
    private static FraudRequest request(long sequence) {
        long now = System.currentTimeMillis();
        return new FraudRequest(TestData.txn("R" + sequence).at(now - 1000).build(),
                new KafkaOrigin(TestData.TOPIC, 0, sequence, now), new CardFeatures(1, 10.0, 1), "grocery_pos", "F",
                LocalDate.of(1980, 4, 2), 12_000, "urban", 3.2);
    }
}
