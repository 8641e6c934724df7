package org.example.scoring;

import com.hazelcast.collection.IList;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.Vertex;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.core.JobStatus;
import org.example.definition.Names;
import org.example.registry.ModelEntry;
import org.example.registry.ModelRegistry;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.NOW;
import static org.example.scoring.RequestBuilder.request;

/**
 * The scorer as a stage on an embedded member: PREDICT scores with the model the job's pointer in
 * the registry names, each request as {@link ScoringModel} does, and turns a request it cannot
 * score into a dead letter instead of failing the job. A model put into service while the job runs
 * scores within seconds, with no restart; a challenger scores beside it; a model that cannot be
 * loaded leaves the champion scoring and says so; a restarted job follows the pointer.
 */
class JavaScorerPipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String JOB = "scorer-test";

    private HazelcastInstance member;
    private ModelRegistry registry;
    private String shipped;

    private void registerTheShippedModel() {
        registry = new ModelRegistry(member);
        ModelEntry entry = BundledModel.entry(0, "test");
        registry.publish(entry);
        registry.setChampion(JOB, entry.version(), 0, "test");
        shipped = entry.version();
    }

    @BeforeEach
    void start() {
        member = Hazelcast.newHazelcastInstance(singleMemberConfig());
        registerTheShippedModel();
    }

    @AfterEach
    void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    @Test
    void shouldScoreEveryRequestOnTheMemberAndDeadLetterTheOnesItCannot() throws Exception {
        // Given: the golden requests, and two the handler rejects
        List<String> requests = new ArrayList<>(Files.readAllLines(Path.of("../python/tests/golden/requests.jsonl")));
        requests.add(Json.toJson(request().id("BAD-CATEGORY").category("crypto_exchange").build()));
        requests.add(Json.toJson(request().id("BAD-GENDER").gender(null).build()));

        // When: they stream through PREDICT
        Pipeline pipeline = Pipeline.create();
        JavaScorer.following(JOB).score(pipeline.readFrom(source(requests)).withoutTimestamps()
                        .map(json -> Json.MAPPER.readerFor(FraudRequest.class).<FraudRequest>readValue(json)))
                .map(JavaScorerPipelineTest::outcome)
                .writeTo(Sinks.list("outcomes"));
        Job job = member.getJet().newJob(pipeline);
        IList<String> outcomes = member.getList("outcomes");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (outcomes.size() < requests.size()) {
            assertThat(System.nanoTime()).as("outcomes within %s; job %s", TIMEOUT, job.getStatus())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }

        // Then: each has the outcome the scorer gives it off the cluster, in a stage named PREDICT
        ScoringModel scoring = TestModels.shipped();
        List<String> expected = requests.stream()
                .map(json -> outcome(scoring.score(readRequest(json), NOW))).toList();
        assertThat(List.copyOf(outcomes)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected).contains("dead BAD-CATEGORY SCORING_ERROR at PREDICT: unknown category 'crypto_exchange'",
                "dead BAD-GENDER SCORING_ERROR at PREDICT: gender must be a string, not null");
        assertThat(StreamSupport.stream(pipeline.toDag().spliterator(), false).map(Vertex::getName))
                .contains(Names.Stage.PREDICT);
        assertThat(job.getStatus().isTerminal()).isFalse();
    }

    // ---- Models go into service while the job runs -----------------------------------------------

    @Test
    void shouldScoreWithANewChampionWithinSecondsWithoutRestartingOrReplaying() throws Exception {
        // Given: a job scoring an endless stream with the shipped model
        Job job = startScoringAStream();
        List<String> outcomes = awaitOutcomes(o -> o.endsWith(" " + shipped));

        // When: another model is published and made champion
        registry.publish(TestModels.evenOdds("lgbm-even-odds", 0.5));
        long switchedAtMs = System.currentTimeMillis();
        registry.setChampion(JOB, "lgbm-even-odds", switchedAtMs, "test");
        outcomes = awaitOutcomes(o -> o.endsWith(" lgbm-even-odds"));

        // Then: it scored within seconds, every request after the first it scored is its, none twice, no restart
        long tookMs = System.currentTimeMillis() - switchedAtMs;
        assertThat(tookMs).as("from the pointer's change to the new model's first score").isLessThan(10_000);
        List<String> inOrder = inRequestOrder(outcomes);
        int first = firstIndexOf(inOrder, " lgbm-even-odds");
        assertThat(inOrder.subList(0, first)).allMatch(o -> o.endsWith(" " + shipped));
        assertThat(inOrder.subList(first, inOrder.size())).allMatch(o -> o.endsWith(" 0.5 true lgbm-even-odds"));
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
        assertThat(registry.statuses(JOB)).anyMatch(st -> st.version().equals("lgbm-even-odds") && !st.failed());
    }

    @Test
    void shouldScoreTheChallengerBesideTheChampionAndLetItDecideNothing() throws Exception {
        startScoringAStream();
        awaitOutcomes(o -> o.endsWith(" " + shipped));

        registry.publish(TestModels.evenOdds("lgbm-challenger", 0.0));
        registry.setChallenger(JOB, "lgbm-challenger", 0, "test");
        List<String> outcomes = awaitOutcomes(o -> o.contains("challenger 0.5 lgbm-challenger"));

        String withChallenger = outcomes.get(firstIndexOf(outcomes, "challenger 0.5 lgbm-challenger"));
        ScoreReply expected = TestModels.shipped().score(request().id("R").build(), NOW).value();
        assertThat(withChallenger).endsWith(" " + expected.fraudProbability() + " " + expected.isFraud() + " " + shipped
                + " challenger 0.5 lgbm-challenger");
    }

    @Test
    void shouldKeepTheChampionScoringWhenANewOneCannotBeLoadedAndSaySo() throws Exception {
        Job job = startScoringAStream();
        awaitOutcomes(o -> o.endsWith(" " + shipped));

        // A damaged model that got into the registry (its checksum matches its damage)
        ModelEntry good = TestModels.evenOdds("lgbm-damaged", 0.5);
        registry.publish(ModelEntry.of("lgbm-damaged", good.modelText().replace("leaf_value=0", "leaf_value=oops"),
                good.metadataJson(), 0, "test"));
        registry.setChampion(JOB, "lgbm-damaged", 0, "test");

        List<String> outcomes = awaitOutcomes(o -> o.contains("problem lgbm-damaged"));
        assertThat(outcomes.get(firstIndexOf(outcomes, "problem lgbm-damaged"))).contains(" " + shipped + " problem");
        assertThat(registry.statuses(JOB)).anySatisfy(status -> {
            assertThat(status.version()).isEqualTo("lgbm-damaged");
            assertThat(status.failed()).isTrue();
            assertThat(status.detail()).startsWith("parse: ");
        });
        assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
        assertThat(metric(job, ModelFollower.MODEL_PROBLEMS_METRIC)).isPositive();
    }

    @Test
    void shouldFollowThePointerAfterARestartNeverTheModelItStartedWith() throws Exception {
        Job job = startScoringAStream();
        awaitOutcomes(o -> o.endsWith(" " + shipped));
        registry.publish(TestModels.evenOdds("lgbm-even-odds", 0.5));
        registry.setChampion(JOB, "lgbm-even-odds", 0, "test");
        awaitOutcomes(o -> o.endsWith(" lgbm-even-odds"));

        job.restart();
        int before = member.<String>getList("outcomes").size();
        List<String> outcomes = awaitOutcomes(o -> false, before + 200);

        // The restarted source starts again from R0 (it keeps no state): every one of them is the new model's.
        assertThat(outcomes.subList(before, outcomes.size())).isNotEmpty().allMatch(o -> o.endsWith(" lgbm-even-odds"));
    }

    /** An endless stream of valid requests R0, R1, ..., one every millisecond, scored by one processor. */
    private Job startScoringAStream() {
        Pipeline pipeline = Pipeline.create();
        StreamSource<FraudRequest> endless = SourceBuilder.stream("requests", ctx -> new long[1])
                .<FraudRequest>fillBufferFn((next, buffer) -> {
                    Thread.sleep(1);
                    buffer.add(request().id("R" + next[0]++).build());
                })
                .build();
        JavaScorer.following(JOB).score(pipeline.readFrom(endless).withoutTimestamps())
                .setLocalParallelism(1)
                .map(JavaScorerPipelineTest::outcome)
                .writeTo(Sinks.list("outcomes"));
        return member.getJet().newJob(pipeline);
    }

    private List<String> awaitOutcomes(java.util.function.Predicate<String> wanted) throws InterruptedException {
        return awaitOutcomes(wanted, Integer.MAX_VALUE);
    }

    /** The outcomes so far, once one matches {@code wanted} or there are {@code count}. */
    private List<String> awaitOutcomes(java.util.function.Predicate<String> wanted, int count) throws InterruptedException {
        IList<String> outcomes = member.getList("outcomes");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            List<String> now = List.copyOf(outcomes);
            if (now.size() >= count || now.stream().anyMatch(wanted)) {
                return now;
            }
            assertThat(System.nanoTime()).as("outcomes within %s", TIMEOUT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static int firstIndexOf(List<String> outcomes, String part) {
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).contains(part)) {
                return i;
            }
        }
        throw new AssertionError("no outcome contains " + part);
    }

    /** The outcomes by their request's sequence number, which must run 0, 1, 2, ... with none twice. */
    private static List<String> inRequestOrder(List<String> outcomes) {
        List<String> sorted = outcomes.stream()
                .sorted(java.util.Comparator.comparingLong(o -> Long.parseLong(o.split(" ")[1].substring(1)))).toList();
        for (int i = 0; i < sorted.size(); i++) {
            assertThat(sorted.get(i)).as("each request scored once").startsWith("ok R" + i + " ");
        }
        return sorted;
    }

    private static long metric(Job job, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long value = 0;
        while (value == 0 && System.nanoTime() < deadline) {
            value = job.getMetrics().get(name).stream().mapToLong(m -> m.value()).sum();
            Thread.sleep(200);
        }
        return value;
    }

    private static String outcome(Step<ScoreReply> step) {
        if (step.isOk()) {
            ScoreReply reply = step.value();
            return "ok " + reply.request().transaction().transactionId() + " " + reply.fraudProbability() + " "
                    + reply.isFraud() + " " + reply.modelVersion()
                    + (reply.challengerVersion() != null
                    ? " challenger " + reply.challengerProbability() + " " + reply.challengerVersion() : "")
                    + (reply.modelError() != null ? " problem " + reply.modelError().version() : "");
        }
        return "dead " + step.deadLetter().transactionId() + " " + step.deadLetter().reason() + " at "
                + step.deadLetter().stage() + ": " + step.deadLetter().detail();
    }
    private static FraudRequest readRequest(String json) {
        try {
            return Json.MAPPER.readerFor(FraudRequest.class).readValue(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The strings in order, then nothing: a stream source whose supply ends. */
    private static StreamSource<String> source(List<String> items) {
        ArrayList<String> copy = new ArrayList<>(items);
        return SourceBuilder.stream("requests", ctx -> new ArrayDeque<>(copy))
                .<String>fillBufferFn((queue, buffer) -> {
                    String next = queue.poll();
                    if (next != null) {
                        buffer.add(next);
                    }
                })
                .build();
    }

    private static Config singleMemberConfig() {
        Config config = new Config().setClusterName("scorer-test-" + ProcessHandle.current().pid());
        config.getJetConfig().setEnabled(true);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(5961).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        // Job metrics every second, so a test can read a counter soon after the items passed.
        config.getMetricsConfig().setCollectionFrequencySeconds(1);
        return config;
    }
}
