package org.example.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.FeatureDefinition;
import org.example.records.FraudRequest;
import org.example.policy.ReasonText;
import org.example.records.Json;
import org.example.records.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-JVM contributions against LightGBM's own. For the golden requests and for 2,000 valid
 * requests of {@link RandomRequests} (fixed seed), a python3 process builds the rows with the
 * handler's {@code feature_matrix} and asks the handler's booster for
 * {@code predict(matrix, pred_contrib=True)} and the raw score; Java builds its rows with
 * {@link ModelInputs} and computes {@link LightGbmModel#contributions}. The shipped model splits
 * only on plain numbers and categories, so LightGBM also trains two models with the splits it
 * lacks (NaN and zero as missing, each default left and right) and scores awkward rows with them:
 * missing values, zeros and values LightGBM takes for zero, values on split points and one ulp
 * either side, unseen, negative and fractional categories. Every contribution must match within
 * 1e-9 (issue #22 asks 1e-6), and the Java contributions of a row must add up to LightGBM's raw
 * score within 1e-9.
 *
 * <p>LightGBM's contributions take milliseconds per row, so the random set is smaller than
 * {@link PythonParityTest}'s; but TreeSHAP follows both children of every split, so each row
 * decides all of the model's 6,000 splits, where a probability decides one path's.
 *
 * <p>Needs python3 on PATH with the handler's packages (python/.venv, which scripts/test.sh puts
 * first on PATH); without them the test fails and says so, rather than skipping.
 */
class ContributionParityTest {

    private static final int RANDOM_REQUESTS = 2_000;
    private static final long SEED = 20_260_322L;
    private static final double TOLERANCE = 1e-9;
    private static final Path GOLDEN_REQUESTS = Path.of("../python/tests/golden/requests.jsonl");
    private static final String DRIVER = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import fraud_handler
            with open(sys.argv[2], encoding="utf-8") as source:
                requests = [fraud_handler.parse_json(line) for line in source.read().split("\\n") if line]
            booster = fraud_handler.load_model().booster
            matrix = fraud_handler.feature_matrix(requests)
            contributions = booster.predict(matrix, pred_contrib=True, num_threads=1).tolist()
            raw_scores = booster.predict(matrix, raw_score=True, num_threads=1).tolist()
            with open(sys.argv[3], "w", encoding="utf-8") as sink:
                for row, raw_score in zip(contributions, raw_scores):
                    sink.write(json.dumps({"contributions": row, "raw_score": raw_score}) + "\\n")
            """;

    private static final String TRAINING_DRIVER = """
            import json, sys
            import numpy as np
            import lightgbm

            out = sys.argv[1]
            rng = np.random.default_rng(20260322)
            CATEGORICAL = [22, 23]

            def sample(n):
                x = rng.normal(size=(n, 24)) * rng.choice([0.01, 1.0, 100.0], size=24)
                x[:, 0:6][rng.random((n, 6)) < 0.2] = np.nan
                x[:, 6:12][rng.random((n, 6)) < 0.3] = 0.0
                x[:, 22] = rng.integers(0, 40, size=n)
                x[:, 23] = rng.integers(0, 6, size=n)
                x[rng.random(n) < 0.05, 22] = np.nan
                return x

            train = sample(5000)
            scaled = train[:, :12] / train[:, :12].std(axis=0, where=~np.isnan(train[:, :12]))
            label = np.nan_to_num(scaled).sum(axis=1) + (train[:, 22] % 3 == 0) + np.isnan(train[:, 0]) \\
                + rng.normal(size=len(train)) > 0.5

            kinds = {}
            def walk(node, thresholds):
                if "split_index" not in node:
                    return
                if node["decision_type"] == "==":
                    kind = "categorical"
                else:
                    kind = f"missing {node['missing_type']}, default {'left' if node['default_left'] else 'right'}"
                    thresholds.setdefault(node["split_feature"], []).append(node["threshold"])
                kinds[kind] = kinds.get(kind, 0) + 1
                walk(node["left_child"], thresholds)
                walk(node["right_child"], thresholds)

            for name, zero_as_missing in (("nan-missing", False), ("zero-missing", True)):
                params = {"objective": "binary", "num_leaves": 63, "min_data_in_leaf": 5, "learning_rate": 0.1,
                          "zero_as_missing": zero_as_missing, "max_cat_to_onehot": 4, "min_data_per_group": 5,
                          "cat_smooth": 1, "deterministic": True, "num_threads": 1, "seed": 1, "verbose": -1}
                booster = lightgbm.train(params, lightgbm.Dataset(train, label, categorical_feature=CATEGORICAL),
                                         num_boost_round=30)
                thresholds = {}
                for tree in booster.dump_model()["tree_info"]:
                    walk(tree["tree_structure"], thresholds)
                # Rows as trained on, then as many with a third of their values made awkward.
                rows = sample(2000)
                awkward = rows[1000:]
                for r, f in zip(*np.nonzero(rng.random(awkward.shape) < 0.3)):
                    choices = [np.nan, 0.0, -0.0, 1e-36, -1e-36, 2e-35, -1.0000000180025095e-35]
                    if f in CATEGORICAL:
                        choices += [100.0, -1.0, 2.7, 1e10]
                    elif f in thresholds:
                        t = rng.choice(thresholds[f])
                        choices += [t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf)] * 3
                    awkward[r, f] = rng.choice(choices)
                contributions = booster.predict(rows, pred_contrib=True, num_threads=1).tolist()
                raw_scores = booster.predict(rows, raw_score=True, num_threads=1).tolist()
                with open(f"{out}/{name}.txt", "w", encoding="utf-8") as model:
                    model.write(booster.model_to_string())
                with open(f"{out}/{name}.jsonl", "w", encoding="utf-8") as sink:
                    for row, contribution, raw_score in zip(rows.tolist(), contributions, raw_scores):
                        row = [None if np.isnan(value) else value for value in row]
                        result = {"row": row, "contributions": contribution, "raw_score": raw_score}
                        sink.write(json.dumps(result) + "\\n")
            with open(f"{out}/split-kinds.json", "w", encoding="utf-8") as sink:
                json.dump(kinds, sink)
            """;

    @TempDir
    Path work;

    @Test
    void shouldGiveLightGbmsContributionsForEveryGoldenRequest() throws Exception {
        ScoringModel scoring = TestModels.shipped();
        List<FraudRequest> requests = new ArrayList<>();
        for (String line : Files.readAllLines(GOLDEN_REQUESTS)) {
            requests.add(Json.MAPPER.readerFor(FraudRequest.class).readValue(line));
        }
        assertThat(requests).isNotEmpty();

        Differences differences = compareWithLightGbm(scoring, requests);

        System.out.printf("golden set: %d requests, max |Δ contribution| = %.3g, max |Σ − raw score| = %.3g%n",
                requests.size(), differences.contribution(), differences.sum());
    }

    @Test
    void shouldGiveAFlaggedGoldenRequestTheReasonsOfLightGbmsContributions() throws Exception {
        ScoringModel scoring = TestModels.shipped();
        ReasonText texts = new ReasonText(FeatureDefinition.load());
        List<FraudRequest> requests = new ArrayList<>();
        for (String line : Files.readAllLines(GOLDEN_REQUESTS)) {
            requests.add(Json.MAPPER.readerFor(FraudRequest.class).readValue(line));
        }
        Process python = startLightGbm(requests);
        ScoringModel.Evaluator evaluator = scoring.newEvaluator();
        List<List<Reason>> java = new ArrayList<>();
        for (FraudRequest request : requests) {
            assertThat(evaluator.score(request, 0).isOk()).as(request.transaction().transactionId()).isTrue();
            java.add(evaluator.reasons(request, texts));
        }
        List<JsonNode> lightGbm = awaitLightGbm(python, requests.size());

        double[] row = new double[scoring.inputs().width()];
        for (int i = 0; i < requests.size(); i++) {
            scoring.inputs().fill(requests.get(i), row);
            double[] contributions = new double[scoring.model().numFeatures() + 1];
            for (int f = 0; f < contributions.length; f++) {
                contributions[f] = lightGbm.get(i).path("contributions").get(f).asDouble();
            }
            List<Reason> expected = texts.top(row, contributions);
            List<Reason> actual = java.get(i);
            String id = requests.get(i).transaction().transactionId();
            assertThat(actual).as(id).extracting(Reason::feature, Reason::value, Reason::text)
                    .containsExactlyElementsOf(expected.stream()
                            .map(r -> org.assertj.core.groups.Tuple.tuple(r.feature(), r.value(), r.text())).toList());
            for (int k = 0; k < actual.size(); k++) {
                assertThat(actual.get(k).contribution()).as(id).isCloseTo(expected.get(k).contribution(),
                        org.assertj.core.api.Assertions.within(TOLERANCE));
            }
        }
        System.out.printf("golden set: %d requests, reasons as LightGBM's contributions give them; the first: %s%n",
                requests.size(), java.get(0).stream().map(Reason::text).toList());
    }

    @Test
    void shouldGiveLightGbmsContributionsForTwoThousandRandomRequests() throws Exception {
        ScoringModel scoring = TestModels.shipped();
        double[] row = new double[scoring.inputs().width()];
        // Only requests both scorers accept have contributions (PythonParityTest: they accept the same).
        List<FraudRequest> requests = new RandomRequests(SEED, FeatureDefinition.load(), scoring.model())
                .next(2 * RANDOM_REQUESTS).stream()
                .filter(request -> scoring.inputs().fill(request, row) == null)
                .limit(RANDOM_REQUESTS).toList();
        assertThat(requests).hasSize(RANDOM_REQUESTS);

        Differences differences = compareWithLightGbm(scoring, requests);

        System.out.printf("random set: %d requests, max |Δ contribution| = %.3g, max |Σ − raw score| = %.3g%n",
                requests.size(), differences.contribution(), differences.sum());
    }

    @Test
    void shouldGiveLightGbmsContributionsOnModelsWithMissingValuesAndCategories() throws Exception {
        assumePythonCanRunTheHandler();
        Process training = new ProcessBuilder("python3", "-c", TRAINING_DRIVER, work.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("python.log").toFile()).start();
        awaitPython(training);
        JsonNode splitKinds = Json.MAPPER.readTree(work.resolve("split-kinds.json").toFile());
        List<String> kinds = new ArrayList<>();
        splitKinds.fieldNames().forEachRemaining(kinds::add);
        assertThat(kinds).as("the kinds of split LightGBM trained").contains("categorical",
                "missing NaN, default left", "missing NaN, default right",
                "missing Zero, default left", "missing Zero, default right");

        for (String name : List.of("nan-missing", "zero-missing")) {
            LightGbmModel model = LightGbmModel.parse(Files.readString(work.resolve(name + ".txt")), name);
            List<JsonNode> lightGbm = new ArrayList<>();
            List<double[]> java = new ArrayList<>();
            for (String line : Files.readAllLines(work.resolve(name + ".jsonl"))) {
                JsonNode result = Json.MAPPER.readTree(line);
                double[] row = new double[result.path("row").size()];
                for (int f = 0; f < row.length; f++) {
                    JsonNode value = result.path("row").get(f);
                    row[f] = value.isNull() ? Double.NaN : value.asDouble();
                }
                lightGbm.add(result);
                java.add(model.contributions(row));
            }
            List<String> ids = IntStream.range(0, java.size()).mapToObj(i -> name + " row " + i).toList();

            Differences differences = compare(model, ids, java, lightGbm);

            System.out.printf("%s: %d rows, max |Δ contribution| = %.3g, max |Σ − raw score| = %.3g%n",
                    name, java.size(), differences.contribution(), differences.sum());
        }
        System.out.println("split kinds: " + splitKinds);
    }

    /** The largest differences seen: per contribution, and between a row's sum and its raw score. */
    private record Differences(double contribution, double sum) {
    }

    private Differences compareWithLightGbm(ScoringModel scoring, List<FraudRequest> requests) throws Exception {
        LightGbmModel model = scoring.model();
        LightGbmModel.ContributionBuffers buffers = model.newContributionBuffers();
        double[] row = new double[scoring.inputs().width()];
        Process python = startLightGbm(requests);

        // Java's while Python computes LightGBM's.
        long start = System.nanoTime();
        List<double[]> java = new ArrayList<>(requests.size());
        for (FraudRequest request : requests) {
            assertThat(scoring.inputs().fill(request, row)).as(request.transaction().transactionId()).isNull();
            java.add(model.contributions(row, buffers));
        }
        double javaSeconds = (System.nanoTime() - start) / 1e9;
        List<JsonNode> lightGbm = awaitLightGbm(python, requests.size());
        System.out.printf("contributions of %d rows: %.1f s in Java, %.1f s in all with LightGBM's%n",
                requests.size(), javaSeconds, (System.nanoTime() - start) / 1e9);
        return compare(model, requests.stream().map(request -> request.transaction().transactionId()).toList(),
                java, lightGbm);
    }

    /** Each of Java's rows of contributions against LightGBM's, and its sum against LightGBM's raw score. */
    private static Differences compare(LightGbmModel model, List<String> ids, List<double[]> java,
                                       List<JsonNode> lightGbm) {
        double maxContribution = 0;
        double maxSum = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            double[] actual = java.get(i);
            JsonNode expected = lightGbm.get(i).path("contributions");
            assertThat(expected.size()).as(id).isEqualTo(model.numFeatures() + 1).isEqualTo(actual.length);
            double sum = 0;
            for (int f = 0; f < actual.length; f++) {
                double difference = Math.abs(actual[f] - expected.get(f).asDouble());
                maxContribution = Math.max(maxContribution, difference);
                if (!(difference <= TOLERANCE)) {
                    mismatches.add(id + " " + column(model, f) + ": LightGBM " + expected.get(f).asDouble()
                            + ", Java " + actual[f]);
                }
                sum += actual[f];
            }
            double rawScore = lightGbm.get(i).path("raw_score").asDouble();
            maxSum = Math.max(maxSum, Math.abs(sum - rawScore));
            if (!(Math.abs(sum - rawScore) <= TOLERANCE)) {
                mismatches.add(id + ": the contributions add up to " + sum + ", LightGBM's raw score is " + rawScore);
            }
        }
        assertThat(mismatches).as("%d differences, the first: %s",
                mismatches.size(), mismatches.subList(0, Math.min(10, mismatches.size()))).isEmpty();
        return new Differences(maxContribution, maxSum);
    }

    private static String column(LightGbmModel model, int index) {
        return index < model.numFeatures() ? model.featureNames().get(index) : "expected value";
    }

    private Process startLightGbm(List<FraudRequest> requests) throws Exception {
        assumePythonCanRunTheHandler();
        Path in = work.resolve("requests.jsonl");
        try (BufferedWriter writer = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            for (FraudRequest request : requests) {
                writer.write(Json.toJson(request));
                writer.write('\n');
            }
        }
        // Its output goes to a file: a full pipe would stall it while Java computes.
        return new ProcessBuilder("python3", "-c", DRIVER, PythonBaseDir.extract().toString(),
                in.toString(), work.resolve("contributions.jsonl").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("python.log").toFile()).start();
    }

    private List<JsonNode> awaitLightGbm(Process python, int expected) throws Exception {
        awaitPython(python);
        List<JsonNode> results = new ArrayList<>(expected);
        try (BufferedReader reader = Files.newBufferedReader(work.resolve("contributions.jsonl"),
                StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                results.add(Json.MAPPER.readTree(line));
            }
        }
        assertThat(results).as("LightGBM's results").hasSize(expected);
        return results;
    }

    private void awaitPython(Process python) throws Exception {
        if (!python.waitFor(5, TimeUnit.MINUTES) || python.exitValue() != 0) {
            python.destroyForcibly();
            throw new IllegalStateException("the python3 process failed: "
                    + Files.readString(work.resolve("python.log")));
        }
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
