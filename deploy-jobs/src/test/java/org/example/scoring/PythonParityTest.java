package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.FeatureDefinition;
import org.example.policy.ReasonText;
import org.example.policy.ScoringPolicy;
import org.example.records.FraudRequest;
import org.example.records.PythonRequest;
import org.example.records.Reason;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.NOW;

/**
 * The in-JVM scorer against the real one: 100,000 random requests ({@link RandomRequests}, fixed
 * seed), each sent as the JSON PREDICT sends to {@code fraud_handler.transform_list} in a python3
 * process, in batches of 1024 as in production, and each scored by {@link ScoringModel}. For every
 * request both reject it with the same message, or both score it with probabilities within 1e-9
 * and the same decision. The first {@value #REASONED} go as PREDICT sends them with the default
 * policy's review threshold: every one scored at or above it must come back with contributions,
 * and the reasons PREDICT makes of them must be the Java scorer's (same features in the same order,
 * same texts, each contribution within 1e-6), none below it.
 *
 * <p>Needs python3 on PATH with the handler's packages (python/.venv, which scripts/test.sh puts
 * first on PATH); without them the test fails and says so, rather than skipping.
 */
class PythonParityTest {

    private static final int REQUESTS = 100_000;
    private static final long SEED = 20_260_207L;
    private static final double TOLERANCE = 1e-9;
    /** Requests sent with a review threshold: LightGBM's contributions take milliseconds a row. */
    private static final int REASONED = 4_000;
    private static final double CONTRIBUTION_TOLERANCE = 1e-6;
    private static final String DRIVER = """
            import sys
            sys.path.insert(0, sys.argv[1])
            import fraud_handler
            with open(sys.argv[2], encoding="utf-8") as source:
                items = [line for line in source.read().split("\\n") if line]
            with open(sys.argv[3], "w", encoding="utf-8") as sink:
                for start in range(0, len(items), 1024):
                    for reply in fraud_handler.transform_list(items[start:start + 1024]):
                        sink.write(reply + "\\n")
            """;

    @TempDir
    Path work;

    @Test
    void shouldScoreAndRejectExactlyAsThePythonHandlerOnAHundredThousandRandomRequests() throws Exception {
        ScoringModel scoring = TestModels.shipped();
        List<FraudRequest> requests = new RandomRequests(SEED, FeatureDefinition.load(), scoring.model())
                .next(REQUESTS);

        double reviewFrom = ScoringPolicy.fromMetadata(scoring.modelVersion(), BundledModel.entry(0, "test").metadataJson())
                .reviewFrom();
        long start = System.nanoTime();
        List<JsonNode> python = scoreInPython(requests, reviewFrom);
        System.out.printf("the handler took %.1f s%n", (System.nanoTime() - start) / 1e9);

        assertThat(python).hasSize(requests.size());
        double maxDifference = 0;
        int scored = 0;
        int flagged = 0;
        Set<String> scoredValues = new HashSet<>();
        Map<String, Integer> rejections = new TreeMap<>();
        Set<Double> scoredAgeGroups = new HashSet<>();
        int ageGroupColumn = scoring.model().featureNames().indexOf("age_group");
        List<String> mismatches = new ArrayList<>();
        ScoringModel.Evaluator evaluator = scoring.newEvaluator();
        ReasonText reasonText = new ReasonText(FeatureDefinition.load());
        int reasoned = 0;
        double maxContributionDifference = 0;
        for (int i = 0; i < requests.size(); i++) {
            FraudRequest request = requests.get(i);
            JsonNode expected = python.get(i);
            Step<ScoreReply> actual = scoring.score(request, NOW);
            String id = request.transaction().transactionId();
            assertThat(expected.path("request").path("transaction").path("transaction_id").asText()).isEqualTo(id);

            if (expected.has("error")) {
                String detail = javaWording(expected.path("error").asText());
                if (actual.isOk() || !actual.deadLetter().detail().equals(detail)) {
                    mismatches.add(id + ": Python rejects it (" + detail + "), Java gives " + actual);
                }
                rejections.merge(detail.replaceAll("(, not | )(['\"].*|-?\\d+)$", "$1…"), 1, Integer::sum);
                continue;
            }
            if (!actual.isOk()) {
                mismatches.add(id + ": Python scores it, Java rejects it: " + actual.deadLetter().detail());
                continue;
            }
            double difference = Math.abs(actual.value().fraudProbability()
                    - expected.path("fraud_probability").asDouble());
            if (difference > TOLERANCE || actual.value().isFraud() != expected.path("is_fraud").asBoolean()
                    || !actual.value().modelVersion().equals(expected.path("model_version").asText())) {
                mismatches.add(id + ": Python " + expected.path("fraud_probability") + " " + expected.path("is_fraud")
                        + ", Java " + actual.value().fraudProbability() + " " + actual.value().isFraud());
            }
            maxDifference = Math.max(maxDifference, difference);
            boolean due = i < REASONED && actual.value().fraudProbability() >= reviewFrom;
            if (due != expected.has("contributions")) {
                mismatches.add(id + ": p = " + actual.value().fraudProbability() + " against a review threshold of "
                        + reviewFrom + ", but Python " + (due ? "gave no" : "gave") + " contributions");
            } else if (due) {
                List<Reason> viaPython = PythonScorer.readReply(expected.toString(), NOW).value().reasons();
                List<Reason> inJava = evaluator.reasons(request, reasonText);
                maxContributionDifference = Math.max(maxContributionDifference,
                        sameReasons(id, viaPython, inJava, mismatches));
                reasoned++;
            }
            scored++;
            flagged += actual.value().isFraud() ? 1 : 0;
            scoredValues.addAll(List.of(request.category(), request.gender(), request.setting()));
            double[] row = new double[scoring.inputs().width()];
            scoring.inputs().fill(request, row);
            scoredAgeGroups.add(row[ageGroupColumn]);
        }

        assertThat(mismatches).as("%d requests the two scorers disagree on, the first: %s",
                mismatches.size(), mismatches.subList(0, Math.min(10, mismatches.size()))).isEmpty();
        assertThat(reasoned).as("flagged requests sent with a review threshold").isGreaterThan(100);
        // The random set must have probed what it claims to: rejections, both decisions, every value.
        assertThat(REQUESTS - scored).as("rejected").isBetween(REQUESTS / 50, REQUESTS / 5);
        assertThat(flagged).as("flagged as fraud").isBetween(100, scored - 100);
        FeatureDefinition.load().vocabularies().forEach((name, values) -> {
            if (name.equals("age_group")) {
                assertThat(scoredAgeGroups).as("scored age groups").hasSize(values.size());
            } else {
                assertThat(scoredValues).as("scored values of %s", name).containsAll(values);
            }
        });
        System.out.printf("random set: %d requests, %d scored (%d flagged), %d rejected alike; max |Δp| = %.3g%n",
                REQUESTS, scored, flagged, REQUESTS - scored, maxDifference);
        rejections.forEach((problem, count) -> System.out.printf("  %6d  %s%n", count, problem));
        System.out.printf("reasons: %d flagged requests, the same from both scorers; max |Δcontribution| = %.3g%n",
                reasoned, maxContributionDifference);
    }

    /** The largest contribution difference; a mismatch noted when features, order or texts differ. */
    private static double sameReasons(String id, List<Reason> viaPython, List<Reason> inJava, List<String> mismatches) {
        double largest = 0;
        boolean same = viaPython != null && viaPython.size() == inJava.size();
        for (int k = 0; same && k < inJava.size(); k++) {
            Reason python = viaPython.get(k);
            Reason java = inJava.get(k);
            double difference = Math.abs(python.contribution() - java.contribution());
            largest = Math.max(largest, difference);
            same = python.feature().equals(java.feature()) && python.text().equals(java.text())
                    && difference <= CONTRIBUTION_TOLERANCE;
        }
        if (!same) {
            mismatches.add(id + ": reasons via Python " + viaPython + ", in Java " + inJava);
        }
        return largest;
    }

    /**
     * Jackson writes a Java NaN or infinity as a JSON string, so the handler calls it "not a
     * number, but a string"; the in-JVM scorer sees the double and says what is wrong with it, as
     * the handler does for a non-finite JSON number.
     */
    private static String javaWording(String pythonDetail) {
        return pythonDetail.replace(" must be a number, not a string", " must be a finite number");
    }

    private List<JsonNode> scoreInPython(List<FraudRequest> requests, double reviewFrom) throws Exception {
        assumePythonCanRunTheHandler();
        Path in = work.resolve("requests.jsonl");
        Path out = work.resolve("replies.jsonl");
        try (BufferedWriter writer = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            for (int i = 0; i < requests.size(); i++) {
                FraudRequest request = requests.get(i);
                writer.write(Json.toJson(i < REASONED ? new PythonRequest(request, null, null, reviewFrom) : request));
                writer.write('\n');
            }
        }
        Process python = new ProcessBuilder("python3", "-c", DRIVER, PythonBaseDir.extract().toString(),
                in.toString(), out.toString())
                .redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(5, TimeUnit.MINUTES) || python.exitValue() != 0) {
            throw new IllegalStateException("the handler process failed: " + output);
        }
        List<JsonNode> replies = new ArrayList<>(requests.size());
        try (BufferedReader reader = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                replies.add(Json.MAPPER.readTree(line));
            }
        }
        return replies;
    }

    private static void assumePythonCanRunTheHandler() throws Exception {
        Process check = new ProcessBuilder("python3", "-c", "import lightgbm, numpy").redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new IllegalStateException("python3 on PATH cannot run the handler (" + output.strip()
                    + "). Run scripts/setup-python.sh and put python/.venv/bin first on PATH;"
                    + " scripts/test.sh does both.");
        }
    }
}
