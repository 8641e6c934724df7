import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.sql.SqlResult;
import com.hazelcast.sql.SqlRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Watches a model roll-out from the outside, as a client, and measures it from what the job stores:
 * how long no prediction was stored at all (the scoring pause, from the old job's last store to the
 * new job's first), how much of the topic the new job replayed and how long that took, and how long
 * transactions that arrived during the roll-out waited for their score. Done when every prediction
 * carries the new model version. scripts/deploy-model.sh starts it before it submits.
 *
 * <p>The stored records are the evidence, not the watcher's clock: every prediction keeps its Kafka
 * append time and the time ACT stored it, and the replaced job rewrites each one under its key. The
 * old job's last store is the only thing the rewrite erases, so the watcher polls (SQL, every
 * --poll-ms) from before the submit and keeps the latest one it saw.
 *
 * <p>Run with the source launcher:
 * {@code java -cp '.run/lib/hazelcast/*' RolloutWatch.java --model-version V --ready-file F [options]}
 */
public class RolloutWatch {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String version = options.get("model-version");
        long timeoutMs = Long.parseLong(options.getOrDefault("timeout-seconds", "600")) * 1000;
        long pollMs = Long.parseLong(options.getOrDefault("poll-ms", "250"));
        String target = options.getOrDefault("target", "fraud-detection@127.0.0.1:5701");
        if (version == null || !options.containsKey("ready-file")) {
            System.err.println("usage: RolloutWatch --model-version V --ready-file F [--target cluster@host:port,...] "
                    + "[--timeout-seconds 600] [--poll-ms 250]");
            System.exit(2);
        }
        HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig(target));
        try {
            System.exit(watch(client, version, timeoutMs, pollMs, Path.of(options.get("ready-file"))));
        } finally {
            client.shutdown();
        }
    }

    /** Per model version: predictions, first and last store. */
    record Versions(Map<String, long[]> byVersion) {

        long count(String version) {
            return byVersion.containsKey(version) ? byVersion.get(version)[0] : 0;
        }

        long othersCount(String version) {
            return byVersion.entrySet().stream().filter(e -> !e.getKey().equals(version)).mapToLong(e -> e.getValue()[0]).sum();
        }

        long othersLastStored(String version) {
            return byVersion.entrySet().stream().filter(e -> !e.getKey().equals(version))
                    .mapToLong(e -> e.getValue()[2]).max().orElse(Long.MIN_VALUE);
        }
    }

    static int watch(HazelcastInstance client, String version, long timeoutMs, long pollMs, Path readyFile)
            throws Exception {
        Versions before = versions(client);
        long deadLettersBefore = mapped(client) ? single(client, "SELECT COUNT(*) FROM \"deadLetters\"") : 0;
        long oldLastStored = before.othersLastStored(version);
        System.out.printf("  before the roll-out    %s; %,d dead letters%n", describe(before), deadLettersBefore);
        // The roll-out begins now: the caller submits once it reads this file. Everything appended to
        // the topic before this instant is what a replaying job has to read again.
        long startMs = System.currentTimeMillis();
        Files.writeString(readyFile, Long.toString(startMs));

        long deadline = startMs + timeoutMs;
        Versions now = before;
        while (now.count(version) == 0 || now.othersCount(version) > 0) {
            if (System.currentTimeMillis() > deadline) {
                System.err.printf("RolloutWatch: FAILED: after %d s, %,d predictions of %s and %,d of other versions%n",
                        timeoutMs / 1000, now.count(version), version, now.othersCount(version));
                return 1;
            }
            TimeUnit.MILLISECONDS.sleep(pollMs);
            now = versions(client);
            oldLastStored = Math.max(oldLastStored, now.othersLastStored(version));
        }
        long firstNew = now.byVersion().get(version)[1];
        String replayed = "SELECT COUNT(*), MAX(\"storedTimeMs\") FROM \"predictionResult\" WHERE \"appendTimeMs\" < " + startMs;
        long[] replay = longs(client, replayed);
        long replayedDeadLetters = single(client, "SELECT COUNT(*) FROM \"deadLetters\" WHERE \"appendTimeMs\" < " + startMs
                + " AND \"recordedTimeMs\" >= " + startMs);
        long[] live = longs(client, "SELECT COUNT(*), MAX(\"storedTimeMs\" - \"appendTimeMs\") FROM \"predictionResult\" "
                + "WHERE \"appendTimeMs\" >= " + startMs);
        System.out.printf("  roll-out               every prediction now carries %s, %.1f s after the roll-out began%n",
                version, (System.currentTimeMillis() - startMs) / 1000.0);
        // No job scores between the old one's cancellation and the new one's first store. The old
        // job stores until it is cancelled when traffic flows; when none does, the roll-out's start
        // is the earliest the pause can have begun.
        long pauseFrom = Math.max(oldLastStored, startMs);
        System.out.printf("  scoring pause          %.1f s without any prediction stored (from %s to the new model's first store)%n",
                (firstNew - pauseFrom) / 1000.0, pauseFrom == startMs ? "the roll-out's start" : "the old model's last store");
        // Every prediction now carries the new version, so each input appended before the roll-out was
        // scored again by the new job: the whole topic up to then, read from its start.
        System.out.printf("  replayed               all %,d inputs appended before the roll-out (%,d predictions, %,d dead letters), "
                        + "the topic from its start, rescored %.1f s after the roll-out began (%.1f s after the first new prediction)%n",
                replay[0] + replayedDeadLetters, replay[0], replayedDeadLetters,
                replay[0] == 0 ? 0.0 : (replay[1] - startMs) / 1000.0, replay[0] == 0 ? 0.0 : (replay[1] - firstNew) / 1000.0);
        if (live[0] > 0) {
            System.out.printf("  arrived meanwhile      %,d transactions; the longest waited %.1f s for its score%n",
                    live[0], live[1] / 1000.0);
        } else {
            System.out.println("  arrived meanwhile      none yet");
        }
        return 0;
    }

    /** Per version; none before any job has created the maps' SQL mappings (a first deployment). */
    private static Versions versions(HazelcastInstance client) {
        Map<String, long[]> byVersion = new HashMap<>();
        if (!mapped(client)) {
            return new Versions(byVersion);
        }
        try (SqlResult result = client.getSql().execute("SELECT \"modelVersion\", COUNT(*), MIN(\"storedTimeMs\"), "
                + "MAX(\"storedTimeMs\") FROM \"predictionResult\" GROUP BY \"modelVersion\"")) {
            for (SqlRow row : result) {
                byVersion.put(row.getObject(0), new long[]{
                        ((Number) row.getObject(1)).longValue(), ((Number) row.getObject(2)).longValue(),
                        ((Number) row.getObject(3)).longValue()});
            }
        }
        return new Versions(byVersion);
    }

    private static String describe(Versions versions) {
        List<String> parts = new ArrayList<>();
        versions.byVersion().forEach((v, stats) -> parts.add(String.format("%,d of %s", stats[0], v)));
        return parts.isEmpty() ? "no predictions" : "predictions: " + String.join(", ", parts);
    }

    private static long single(HazelcastInstance client, String sql) {
        return longs(client, sql)[0];
    }

    private static boolean mapped(HazelcastInstance client) {
        return single(client, "SELECT COUNT(*) FROM information_schema.mappings "
                + "WHERE table_name IN ('predictionResult', 'deadLetters')") == 2;
    }

    /** The first row's columns as longs; a null (an aggregate over no rows) as 0. */
    private static long[] longs(HazelcastInstance client, String sql) {
        try (SqlResult result = client.getSql().execute(sql)) {
            SqlRow row = result.iterator().next();
            long[] values = new long[row.getMetadata().getColumnCount()];
            for (int i = 0; i < values.length; i++) {
                Object value = row.getObject(i);
                values[i] = value == null ? 0 : ((Number) value).longValue();
            }
            return values;
        }
    }

    /** {@code cluster@host:port,host:port}, as hz-cli's -t takes it. */
    private static ClientConfig clientConfig(String target) {
        ClientConfig config = new ClientConfig();
        String addresses = target;
        int at = target.indexOf('@');
        if (at >= 0) {
            config.setClusterName(target.substring(0, at));
            addresses = target.substring(at + 1);
        }
        config.getNetworkConfig().addAddress(addresses.split(","));
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        return config;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
