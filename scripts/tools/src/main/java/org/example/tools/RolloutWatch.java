package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.sql.SqlResult;
import com.hazelcast.sql.SqlRow;
import org.example.definition.Names;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Waits until a model a job was just pointed at scores on every member, and measures the change
 * from what the job stored: the time to its first prediction, the longest gap in stored
 * predictions, the worst wait of a transaction that arrived meanwhile, and whether anything older
 * was scored again. Done when every member's scorer reports the model as its champion (map
 * {@code modelStatus}) and, when traffic flows, a prediction appended after that carries it and
 * none carries another. A scorer that cannot load it ends the wait at once, with its reason.
 */
final class RolloutWatch {

    /** Stored predictions this old or older when the change began were not replayed unless stored again. */
    static final long REPLAY_HORIZON_MS = 60_000;
    /** No prediction stored within this long before the change: there is no traffic to confirm it with. */
    static final long QUIET_MS = 5_000;
    static final long POLL_MS = 250;
    /** A store this long before the change or less counts for the gap: traffic flowed into the change. */
    static final long LEAD_MS = 10_000;

    /** What a change of models did to scoring, measured between {@code fromMs} and {@code toMs}. */
    record Figures(long firstByVersionMs, long longestGapMs, long worstLatencyMs, long arrived, long replayed) {
    }

    private final HazelcastInstance client;
    private final ModelRegistry registry;
    private final PrintWriter out;

    RolloutWatch(HazelcastInstance client, PrintWriter out) {
        this.client = client;
        this.registry = new ModelRegistry(client);
        this.out = out;
    }

    /**
     * Waits for {@code version} to be {@code role} (champion or challenger) of {@code jobName} on every
     * member since {@code startMs}; 0 when it is, 1 when a scorer could not load it or time ran out.
     */
    int await(String jobName, String version, ModelStatus.State role, long startMs, Duration timeout)
            throws InterruptedException {
        long deadline = startMs + timeout.toMillis();
        long everyMemberMs = -1;
        boolean traffic = latestStoredMs() >= startMs - QUIET_MS;
        while (System.currentTimeMillis() < deadline) {
            List<ModelStatus> statuses = registry.statuses(jobName).stream()
                    .filter(s -> s.version().equals(version) && s.atMs() >= startMs).toList();
            List<ModelStatus> failures = statuses.stream().filter(ModelStatus::failed).toList();
            if (!failures.isEmpty()) {
                out.printf("FAILED: %s could not be put into service:%n", version);
                failures.forEach(f -> out.printf("  %s (%s scorer): %s%n", f.member(), f.scorer(), f.detail()));
                out.printf("The job scores on with the model it had; map '%s' says what each member made of it.%n",
                        Names.MODEL_STATUS_MAP);
                return 1;
            }
            Set<String> members = client.getCluster().getMembers().stream().map(m -> m.getAddress().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> serving = statuses.stream().filter(s -> s.is(role)).map(ModelStatus::member)
                    .collect(Collectors.toSet());
            if (everyMemberMs < 0 && serving.containsAll(members)) {
                everyMemberMs = statuses.stream().filter(s -> s.is(role)).mapToLong(ModelStatus::atMs).max().orElse(startMs);
                out.printf("  every member (%d) scores with %s as %s, %.1f s after the change (since %d, epoch ms)%n",
                        members.size(), version, role.name().toLowerCase(), (everyMemberMs - startMs) / 1000.0, everyMemberMs);
            }
            if (everyMemberMs >= 0 && (role != ModelStatus.State.CHAMPION || !traffic
                    || confirmedByPredictions(version, everyMemberMs))) {
                if (!traffic) {
                    out.println("  no prediction was stored in the " + QUIET_MS / 1000 + " s before the change: no traffic to confirm it with");
                }
                return 0;
            }
            // Traffic that stopped before every member had swapped (a slow check on a busy machine)
            // leaves nothing appended since to confirm with; once the job has stored nothing for a
            // while, it has drained what there was, and waiting longer cannot confirm anything.
            if (everyMemberMs >= 0 && latestStoredMs() < System.currentTimeMillis() - QUIET_MS) {
                out.println("  the traffic stopped before every member had swapped: nothing appended since to confirm it"
                        + " with; every member reports serving it");
                return 0;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
        Job job = client.getJet().getJob(jobName);
        out.printf("FAILED: %s was not in service on every member within %d s (job %s); map '%s' says what each"
                        + " member made of it%n", version, timeout.toSeconds(),
                job == null ? "not found" : job.getStatus(), Names.MODEL_STATUS_MAP);
        return 1;
    }

    /**
     * Whether the predictions say so too, when traffic flows: one appended after every member swapped
     * carries the version, and none carries another. A job that lags behind its input gets there
     * later; the wait's timeout bounds it.
     */
    private boolean confirmedByPredictions(String version, long swappedMs) {
        long[] after = longs("SELECT COUNT(CASE WHEN \"modelVersion\" = '" + quoted(version) + "' THEN 1 END), "
                + "COUNT(CASE WHEN \"modelVersion\" <> '" + quoted(version) + "' THEN 1 END) FROM \""
                + Names.PREDICTION_RESULT_MAP + "\" WHERE \"appendTimeMs\" >= " + swappedMs);
        return after[0] > 0 && after[1] == 0;
    }

    private long latestStoredMs() {
        return longs("SELECT MAX(\"storedTimeMs\") FROM \"" + Names.PREDICTION_RESULT_MAP + "\"")[0];
    }

    /** The figures of the change from what was stored between {@code fromMs} and {@code toMs}. */
    Figures measure(String version, long fromMs, long toMs) {
        String predictions = "\"" + Names.PREDICTION_RESULT_MAP + "\"";
        long first = longs("SELECT MIN(\"storedTimeMs\") FROM " + predictions + " WHERE \"modelVersion\" = '"
                + quoted(version) + "' AND \"storedTimeMs\" >= " + fromMs)[0];
        // From the last store before the change (if recent), so a pause that began with it shows whole,
        // and not from earlier, when traffic may simply have been idle.
        List<Long> stored = new ArrayList<>();
        long lastBefore = longs("SELECT MAX(\"storedTimeMs\") FROM " + predictions + " WHERE \"storedTimeMs\" < " + fromMs)[0];
        if (lastBefore >= fromMs - LEAD_MS) {
            stored.add(lastBefore);
        }
        try (SqlResult result = client.getSql().execute("SELECT \"storedTimeMs\" FROM " + predictions
                + " WHERE \"storedTimeMs\" BETWEEN ? AND ? ORDER BY \"storedTimeMs\"", fromMs, toMs)) {
            for (SqlRow row : result) {
                stored.add(row.<Long>getObject(0));
            }
        }
        long longestGap = 0;
        for (int i = 1; i < stored.size(); i++) {
            longestGap = Math.max(longestGap, stored.get(i) - stored.get(i - 1));
        }
        long[] arrived = longs("SELECT COUNT(*), MAX(\"storedTimeMs\" - \"appendTimeMs\") FROM " + predictions
                + " WHERE \"appendTimeMs\" BETWEEN " + fromMs + " AND " + toMs);
        long replayed = longs("SELECT COUNT(*) FROM " + predictions + " WHERE \"appendTimeMs\" < "
                + (fromMs - REPLAY_HORIZON_MS) + " AND \"storedTimeMs\" >= " + fromMs)[0];
        return new Figures(first, longestGap, arrived[1], arrived[0], replayed);
    }

    void print(Figures figures, long startMs) {
        out.printf("  first prediction by the new model  %s%n", figures.firstByVersionMs() > 0
                ? String.format("%.1f s after the change", (figures.firstByVersionMs() - startMs) / 1000.0) : "none yet");
        out.printf("  longest gap in stored predictions  %,d ms (from the last store before the change to its end)%n",
                figures.longestGapMs());
        out.printf("  arrived during the change          %,d transactions, the longest waited %,d ms for its score%n",
                figures.arrived(), figures.worstLatencyMs());
        out.printf("  scored again (replayed)            %,d predictions of transactions appended over %d s before%n",
                figures.replayed(), REPLAY_HORIZON_MS / 1000);
    }

    private static String quoted(String text) {
        return text.replace("'", "''");
    }

    /** The first row's columns as longs; a null (an aggregate over no rows) as 0. */
    private long[] longs(String sql) {
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
}
