package org.example.scoring;

import org.example.definition.FeatureDefinition;
import org.example.policy.ReasonText;
import org.example.records.FraudRequest;
import org.example.records.Reason;
import org.example.records.Json;
import org.example.records.ScoreReply;
import org.example.stages.Step;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.example.TestData.NOW;

/**
 * The in-JVM scorer per request: the model alone on a ready row, the model's contributions
 * (TreeSHAP, what a decision's reasons cost) on the same rows, the request's row alone, and
 * request to reply (row, model, decision, reply) as each PREDICT processor does it, and the same
 * with the reasons a flagged decision gets, and with a challenger scored beside the champion (the
 * shipped model loaded a second time: a challenger of the champion's size). Requests
 * cycle through a set large enough that the branch predictor cannot learn the trees' paths: the
 * golden requests (real traffic, a third of it fraud; 60 of them, repeated) or 4,096 valid ones of
 * the parity test's random set (wider values, deeper paths).
 * Run by {@code scripts/microbench.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScoringBenchmarks {

    private static final int SET_SIZE = 4096;

    @Param({"golden", "random"})
    public String requestSet;

    private ScoringModel scoring;
    private ScoringModel.Evaluator evaluator;
    private ScoringModel.Evaluator challenger;
    private FraudRequest[] requests;
    private double[][] rows;
    private double[] row;
    private int[] ranks;
    private LightGbmModel.ContributionBuffers contributionBuffers;
    private final ReasonText reasonText = new ReasonText(FeatureDefinition.load());
    private int next;

    @Setup
    public void setUp() throws IOException {
        scoring = TestModels.shipped();
        List<FraudRequest> candidates = requestSet.equals("golden") ? golden()
                : new RandomRequests(7, FeatureDefinition.load(), scoring.model()).next(2 * SET_SIZE);
        List<FraudRequest> valid = candidates.stream().filter(r -> scoring.score(r, NOW).isOk()).toList();
        requests = new FraudRequest[SET_SIZE];
        rows = new double[SET_SIZE][];
        for (int i = 0; i < SET_SIZE; i++) {
            requests[i] = valid.get(i % valid.size());
            rows[i] = new double[scoring.inputs().width()];
            scoring.inputs().fill(requests[i], rows[i]);
        }
        evaluator = scoring.newEvaluator();
        challenger = TestModels.shipped().newEvaluator();
        row = new double[scoring.inputs().width()];
        ranks = new int[scoring.model().numFeatures()];
        contributionBuffers = scoring.model().newContributionBuffers();
    }

    /** LightGBM's 200 trees on a ready row, and the sigmoid. */
    @Benchmark
    public double model() {
        return scoring.model().probability(rows[advance()], ranks);
    }

    /** The 200 trees' TreeSHAP on a ready row: every node of every tree, against one path per tree above. */
    @Benchmark
    public double[] contributions() {
        return scoring.model().contributions(rows[advance()], contributionBuffers);
    }

    /** FraudRequest to the model's row: codes, age, hour, ratios and every check. */
    @Benchmark
    public String requestToRow() {
        return scoring.inputs().fill(requests[advance()], row);
    }

    /** What PREDICT does per item with {@code --scorer java}: row, model, decision, reply. */
    @Benchmark
    public Step<ScoreReply> requestToReply() {
        return evaluator.score(requests[advance()], NOW);
    }

    /**
     * A flagged decision in PREDICT: {@link #requestToReply}, then its three reasons (TreeSHAP and
     * their texts), as {@code JavaScorer} does for a score its policy puts in REVIEW or DECLINE.
     */
    @Benchmark
    public List<Reason> requestToReplyWithReasons() {
        FraudRequest request = requests[advance()];
        evaluator.score(request, NOW);
        return evaluator.reasons(request, reasonText);
    }

    /** {@link #requestToReply} and a challenger's probability for the same request, as JavaScorer does. */
    @Benchmark
    public double requestToReplyWithChallenger() {
        FraudRequest request = requests[advance()];
        evaluator.score(request, NOW);
        return challenger.probability(request);
    }

    private int advance() {
        int current = next;
        next = (next + 1) & (SET_SIZE - 1);
        return current;
    }

    private static List<FraudRequest> golden() throws IOException {
        // From the repository root (scripts/microbench.sh) or from deploy-jobs (an IDE).
        Path golden = Path.of("python/tests/golden/requests.jsonl");
        List<FraudRequest> requests = new ArrayList<>();
        for (String line : Files.readAllLines(Files.exists(golden) ? golden : Path.of("..").resolve(golden))) {
            requests.add(Json.MAPPER.readerFor(FraudRequest.class).readValue(line));
        }
        return requests;
    }
}
