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
import org.example.definition.Names;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.junit.jupiter.api.AfterEach;
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
 * The scorer as a stage on an embedded member: PREDICT loads the model from the job's resources
 * on the member, scores each request as {@link ScoringModel} does, and turns a request it cannot
 * score into a dead letter instead of failing the job.
 */
class JavaScorerPipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private HazelcastInstance member;

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
        member = Hazelcast.newHazelcastInstance(singleMemberConfig());

        // When: they stream through PREDICT
        Pipeline pipeline = Pipeline.create();
        JavaScorer.fromResources().score(pipeline.readFrom(source(requests)).withoutTimestamps()
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
        ScoringModel scoring = ScoringModel.loadFromResources();
        List<String> expected = requests.stream()
                .map(json -> outcome(scoring.score(readRequest(json), NOW))).toList();
        assertThat(List.copyOf(outcomes)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected).contains("dead BAD-CATEGORY SCORING_ERROR at PREDICT: unknown category 'crypto_exchange'",
                "dead BAD-GENDER SCORING_ERROR at PREDICT: gender must be a string, not null");
        assertThat(StreamSupport.stream(pipeline.toDag().spliterator(), false).map(Vertex::getName))
                .contains(Names.Stage.PREDICT);
        assertThat(job.getStatus().isTerminal()).isFalse();
    }

    private static String outcome(Step<ScoreReply> step) {
        if (step.isOk()) {
            ScoreReply reply = step.value();
            return "ok " + reply.request().transaction().transactionId() + " " + reply.fraudProbability() + " "
                    + reply.isFraud() + " " + reply.modelVersion();
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
        return config;
    }
}
