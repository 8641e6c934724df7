package org.example.tools.netns;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.example.definition.Names;
import org.example.records.FraudPrediction;
import org.example.records.Json;
import org.example.tools.Commands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The view from the small side of a split. Runs inside the namespace of the member that was cut
 * off, as a client of that member alone (no smart routing: the others cannot be reached from
 * there), so it sees what that side of the cluster does while the other side cannot. Once a second
 * it writes a sample to {@code --out}{@code .samples.jsonl}: how many members this side counts, the
 * job's status here, and how many predictions this side holds that were stored since the cut. At
 * the end it writes every such prediction, as a {@link PredictionDigest}, to
 * {@code --out}{@code .stored.jsonl}: what this side wrote, for the drill to hold against what the
 * cluster keeps after the merge.
 *
 * <p>Until this side sees the split, an operation on data owned across the cut waits; the client
 * gives it a few seconds and the sample says "no answer".
 */
public final class MinorityProbe {

    /** One sample: {@code members} -1, {@code job} "NO ANSWER" or {@code stored} -1 when this side did not answer in time. */
    public record Sample(long timeMs, int members, String job, long stored) {
    }

    private MinorityProbe() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 once both files are written, 1 when sampling fails, 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    @Command(name = "MinorityProbe",
            description = "Samples, from inside a member's namespace, what that member's side of a split does.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--address", required = true, description = "The cut-off member (host:port)")
        String address;

        @Option(names = "--cluster-name", defaultValue = "${env:HZ_CLUSTER_NAME:-fraud-detection}",
                description = "Hazelcast cluster name (env HZ_CLUSTER_NAME)")
        String clusterName;

        @Option(names = "--job-name", defaultValue = "${env:JOB_NAME:-" + Names.DEFAULT_JOB_NAME + "}",
                description = "The job to watch (env JOB_NAME)")
        String jobName;

        @Option(names = "--since-ms", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "When the cut was made (epoch ms)")
        long sinceMs;

        @Option(names = "--seconds", defaultValue = "50", converter = Commands.PositiveLong.class,
                description = "How long to sample before writing what this side stored")
        long seconds;

        @Option(names = "--out", required = true, description = "Path prefix of the two output files")
        String outPrefix;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            long endNanos = System.nanoTime() + seconds * 1_000_000_000L;
            Path samples = Path.of(outPrefix + ".samples.jsonl");
            Path stored = Path.of(outPrefix + ".stored.jsonl");
            HazelcastInstance client = null;
            try (BufferedWriter sampleLog = Files.newBufferedWriter(samples)) {
                client = HazelcastClient.newHazelcastClient(config());
                IMap<Object, FraudPrediction> predictions = client.getMap(Names.PREDICTION_RESULT_MAP);
                HazelcastInstance side = client;
                while (System.nanoTime() < endNanos) {
                    long started = System.currentTimeMillis();
                    Sample sample = new Sample(started, client.getCluster().getMembers().size(),
                            answer(() -> jobStatus(side, jobName), "NO ANSWER"),
                            answer(() -> storedSince(predictions, sinceMs), -1L));
                    sampleLog.write(Json.MAPPER.writeValueAsString(sample));
                    sampleLog.newLine();
                    sampleLog.flush();
                    Thread.sleep(Math.max(0, 1000 - (System.currentTimeMillis() - started)));
                }
                int written = writeStored(predictions, sinceMs, stored);
                out.printf("MinorityProbe: this side holds %,d predictions in all; it stored %,d since the cut; written to %s%n",
                        predictions.size(), written, stored);
                return 0;
            } finally {
                if (client != null) {
                    client.shutdown();
                }
            }
        }

        private ClientConfig config() {
            ClientConfig config = new ClientConfig();
            config.setClusterName(clusterName);
            config.getNetworkConfig().setAddresses(List.of(address)).setSmartRouting(false);
            config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
            return config;
        }
    }

    /**
     * The value, or {@code none} when this side does not answer within a few seconds. A client
     * waits for an answer as long as its connection lives, and until this side sees the split an
     * operation on data owned across the cut never gets one: each is asked on a thread of its own,
     * which is left behind when it hangs.
     */
    private static <T> T answer(Callable<T> question, T none) {
        FutureTask<T> task = new FutureTask<>(question);
        Thread asking = new Thread(task, "probe-question");
        asking.setDaemon(true);
        asking.start();
        try {
            return task.get(3, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return none;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return none;
        }
    }

    private static String jobStatus(HazelcastInstance client, String jobName) {
        Job job = client.getJet().getJob(jobName);
        return job == null ? "UNKNOWN HERE" : job.getStatus().name();
    }

    private static long storedSince(IMap<Object, FraudPrediction> predictions, long sinceMs) {
        return predictions.aggregate(Aggregators.count(), Predicates.greaterEqual("storedTimeMs", sinceMs));
    }

    private static int writeStored(IMap<Object, FraudPrediction> predictions, long sinceMs, Path file) throws IOException {
        Map<String, PredictionDigest> byPosition = new LinkedHashMap<>();
        for (FraudPrediction p : predictions.values(Predicates.greaterEqual("storedTimeMs", sinceMs))) {
            PredictionDigest digest = PredictionDigest.of(p);
            byPosition.put(digest.position(), digest);
        }
        try (BufferedWriter writer = Files.newBufferedWriter(file)) {
            for (PredictionDigest digest : byPosition.values()) {
                writer.write(Json.MAPPER.writeValueAsString(digest));
                writer.newLine();
            }
        }
        return byPosition.size();
    }
}
