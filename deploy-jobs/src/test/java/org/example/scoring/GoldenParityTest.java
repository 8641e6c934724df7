package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.example.TestData.NOW;

/**
 * The golden requests of python/tests/golden, whose expected replies the Python handler wrote with
 * the shipped model (python/update_golden.py; python/tests/test_model.py holds Python to them):
 * the in-JVM scorer gives the same probabilities, within 1e-9, and the same decisions. This one
 * needs no Python; {@link PythonParityTest} compares with the live handler on many more requests.
 */
class GoldenParityTest {

    private static final Path GOLDEN = Path.of("../python/tests/golden");
    private static final double TOLERANCE = 1e-9;

    @Test
    void shouldScoreEveryGoldenRequestAsThePythonHandlerRecordedIt() throws Exception {
        ScoringModel scoring = TestModels.shipped();
        List<String> requests = Files.readAllLines(GOLDEN.resolve("requests.jsonl"));
        JsonNode expected = Json.MAPPER.readTree(GOLDEN.resolve("expected.json").toFile());
        assertThat(requests).hasSize(expected.path("replies").size()).isNotEmpty();

        double maxDifference = 0;
        for (int i = 0; i < requests.size(); i++) {
            FraudRequest request = Json.MAPPER.readerFor(FraudRequest.class).readValue(requests.get(i));
            JsonNode golden = expected.path("replies").get(i);

            Step<ScoreReply> step = scoring.score(request, NOW);

            assertThat(step.isOk()).as("golden request %d: %s", i, step).isTrue();
            ScoreReply reply = step.value();
            assertThat(request.transaction().transactionId()).isEqualTo(golden.path("transaction_id").asText());
            assertThat(reply.fraudProbability()).as(request.transaction().transactionId())
                    .isCloseTo(golden.path("fraud_probability").asDouble(), offset(TOLERANCE));
            assertThat(reply.isFraud()).as(request.transaction().transactionId())
                    .isEqualTo(golden.path("is_fraud").asBoolean());
            assertThat(reply.modelVersion()).isEqualTo(expected.path("model_version").asText());
            assertThat(reply.request()).isSameAs(request);
            maxDifference = Math.max(maxDifference,
                    Math.abs(reply.fraudProbability() - golden.path("fraud_probability").asDouble()));
        }
        System.out.printf("golden set: %d requests, max |Δp| = %.3g%n", requests.size(), maxDifference);
    }
}
