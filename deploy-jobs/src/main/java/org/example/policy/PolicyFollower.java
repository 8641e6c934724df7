package org.example.policy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.example.registry.ModelEntry;
import org.example.registry.ModelRegistry;
import org.example.scoring.BundledModel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The scoring policies as one member sees them: a thread of its own reads map
 * {@code scoringPolicy} (a handful of entries) every {@value #POLL_MS} ms and swaps in what it
 * read, so a change applies to the decisions made about a second after it, with no job restarted;
 * a decision itself reads only a field. As {@code ModelFollower} polls the model pointer, and for
 * the same reason: the stage's thread never waits on the network for it.
 *
 * <p>A model's policy is its own, else the one for every model ({@link ScoringPolicy#EVERY_MODEL}),
 * else the default made from its metadata, read once per model version from map {@code models}
 * (or the job JAR's model) and kept.
 */
public final class PolicyFollower implements AutoCloseable {

    /** How often the policies are read: a change reaches every member within about this. */
    public static final long POLL_MS = 500;

    private static final ILogger LOG = Logger.getLogger(PolicyFollower.class);

    private final PolicyStore store;
    private final ModelRegistry registry;
    private final ScheduledExecutorService poller;
    private final Map<String, ScoringPolicy> defaults = new ConcurrentHashMap<>();
    private volatile Map<String, ScoringPolicy> current = Map.of();

    private PolicyFollower(PolicyStore store, ModelRegistry registry) {
        this.store = store;
        this.registry = registry;
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "policy-follower");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Reads the policies now, then follows them. */
    public static PolicyFollower start(HazelcastInstance hz) {
        PolicyFollower follower = new PolicyFollower(new PolicyStore(hz), new ModelRegistry(hz));
        follower.refreshQuietly();
        follower.poller.scheduleWithFixedDelay(follower::refreshQuietly, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        return follower;
    }

    /** The policy a decision of model {@code modelVersion} is made under now. */
    public ScoringPolicy policyFor(String modelVersion) {
        Map<String, ScoringPolicy> policies = current;
        ScoringPolicy own = policies.get(modelVersion);
        if (own != null) {
            return own;
        }
        ScoringPolicy every = policies.get(ScoringPolicy.EVERY_MODEL);
        return every != null ? every : defaults.computeIfAbsent(modelVersion, this::fromMetadata);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    void refresh() {
        Map<String, ScoringPolicy> read = store.all();
        if (!read.equals(current)) {
            current = read;
            LOG.info("Scoring policies now: " + read.values().stream()
                    .map(p -> p.policyVersion() + " review from " + p.reviewFrom() + ", decline from " + p.declineFrom())
                    .sorted().toList());
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // The cluster may be migrating or losing a member: the policies read last stay, the next poll tries again.
            LOG.fine("Reading the scoring policies failed: " + e);
        }
    }

    /** The default of a model: its metadata from the registry, or the job JAR's model if it is that one. */
    private ScoringPolicy fromMetadata(String modelVersion) {
        ModelEntry entry = registry.model(modelVersion).orElse(null);
        if (entry == null) {
            ModelEntry bundled = BundledModel.entry(0, "job JAR");
            if (!bundled.version().equals(modelVersion)) {
                throw new IllegalStateException("model " + modelVersion + " is neither in map 'models' nor the job"
                        + " JAR's, so its default policy is unknown");
            }
            entry = bundled;
        }
        return ScoringPolicy.fromMetadata(modelVersion, entry.metadataJson());
    }
}
