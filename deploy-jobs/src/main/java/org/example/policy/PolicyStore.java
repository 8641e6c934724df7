package org.example.policy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.example.definition.Names;
import org.example.records.CompactValues;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The scoring policies of the cluster: map {@code scoringPolicy} (the current policy per model
 * version, or for every model) and map {@code policyAudit} (every change). Values are read through
 * {@link CompactValues}, as the model registry's are, since a member may see them as generic
 * records or as another job's classes.
 */
public final class PolicyStore {

    private final IMap<String, Object> policies;
    private final IMap<String, Object> audit;

    public PolicyStore(HazelcastInstance hz) {
        this.policies = hz.getMap(Names.SCORING_POLICY_MAP);
        this.audit = hz.getMap(Names.POLICY_AUDIT_MAP);
    }

    public Optional<ScoringPolicy> policy(String key) {
        return Optional.ofNullable(CompactValues.as(policies.get(key), ScoringPolicy.class));
    }

    /** Every policy set, by key: one read of a map with a handful of entries. */
    public Map<String, ScoringPolicy> all() {
        return policies.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> CompactValues.as(e.getValue(), ScoringPolicy.class)));
    }

    /**
     * Sets the thresholds of {@code key} (a model version or {@link ScoringPolicy#EVERY_MODEL}) as
     * its next revision, and records the change. A policy that makes no sense is refused
     * ({@link PolicyRefused}) before anything is written, so the old one stays. Compare and set:
     * two operators changing the same key at once get two revisions, none lost.
     */
    public ScoringPolicy set(String key, double reviewFrom, double declineFrom, String by, long nowMs) {
        if (by == null || by.isBlank()) {
            throw new PolicyRefused("a policy change needs the operator's name (--by)");
        }
        ScoringPolicy.of(key, reviewFrom, declineFrom, 1, by, nowMs);
        while (true) {
            Object held = policies.get(key);
            ScoringPolicy before = CompactValues.as(held, ScoringPolicy.class);
            ScoringPolicy after = ScoringPolicy.of(key, reviewFrom, declineFrom,
                    before == null ? 1 : before.revision() + 1, by, nowMs);
            boolean set = held == null ? policies.putIfAbsent(key, after) == null : policies.replace(key, held, after);
            if (set) {
                // After the swap, keyed by the unique revision the swap won: no two changes share an entry.
                PolicyChange change = PolicyChange.of(before, after);
                audit.set(change.key(), change);
                return after;
            }
        }
    }

    /** The changes of {@code key} (every key when {@code null}), oldest first. */
    public List<PolicyChange> history(String key) {
        return audit.values().stream().map(v -> CompactValues.as(v, PolicyChange.class))
                .filter(c -> key == null || c.modelVersion().equals(key))
                .sorted(Comparator.comparingLong(PolicyChange::atMs).thenComparing(PolicyChange::modelVersion)
                        .thenComparingInt(PolicyChange::revision))
                .toList();
    }
}
