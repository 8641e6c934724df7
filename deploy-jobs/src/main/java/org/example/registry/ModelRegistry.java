package org.example.registry;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.example.definition.Names;
import org.example.records.CompactValues;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The models of the cluster and which of them each job scores with: maps {@code models} (every
 * published model, by version), {@code modelPointer} (per job: champion, challenger, previous
 * champion) and {@code modelStatus} (what each member's scorers made of them). Publishing checks
 * nothing itself: the tools check a model with both scorers before they publish it
 * (docs/DESIGN.md, "Putting a model into service").
 *
 * <p>Values are read through {@link CompactValues}: on a member they may arrive as generic records
 * or as another job's classes.
 */
public final class ModelRegistry {

    private final IMap<String, Object> models;
    private final IMap<String, Object> pointers;
    private final IMap<String, Object> statuses;

    public ModelRegistry(HazelcastInstance hz) {
        this.models = hz.getMap(Names.MODELS_MAP);
        this.pointers = hz.getMap(Names.MODEL_POINTER_MAP);
        this.statuses = hz.getMap(Names.MODEL_STATUS_MAP);
    }

    public Optional<ModelEntry> model(String version) {
        return Optional.ofNullable(CompactValues.as(models.get(version), ModelEntry.class));
    }

    public Optional<ModelPointer> pointer(String jobName) {
        return Optional.ofNullable(CompactValues.as(pointers.get(jobName), ModelPointer.class));
    }

    /**
     * Adds a model under its version. Publishing the same files again is harmless; other files
     * under a version already published are refused, so that a version always names one model.
     */
    public void publish(ModelEntry entry) {
        Object earlier = models.putIfAbsent(entry.version(), entry);
        ModelEntry held = CompactValues.as(earlier, ModelEntry.class);
        if (held != null && !held.sha256().equals(entry.sha256())) {
            throw new IllegalArgumentException("model version " + entry.version()
                    + " is already published with other files (sha256 " + held.sha256() + "); a retrained model"
                    + " gets a version of its own from python/train.py");
        }
    }

    /** Makes {@code version} the job's champion (its first pointer, if it has none). */
    public ModelPointer setChampion(String jobName, String version, long nowMs, String by) {
        requirePublished(version);
        return update(jobName, p -> p == null ? ModelPointer.first(version, nowMs, by) : p.withChampion(version, nowMs, by));
    }

    /** Scores {@code version} beside the champion from now on; {@code null} stops the challenger. */
    public ModelPointer setChallenger(String jobName, String version, long nowMs, String by) {
        if (version != null) {
            requirePublished(version);
        }
        return update(jobName, p -> {
            if (p == null) {
                throw new IllegalStateException("job '" + jobName + "' has no champion yet: submit the job first");
            }
            if (version != null && version.equals(p.champion())) {
                throw new IllegalArgumentException(version + " is already the champion of job '" + jobName + "'");
            }
            return p.withChallenger(version, nowMs, by);
        });
    }

    /** The challenger becomes the champion; the champion it replaces is kept for a roll-back. */
    public ModelPointer promote(String jobName, long nowMs, String by) {
        return update(jobName, p -> {
            if (p == null || p.challenger() == null) {
                throw new IllegalStateException("job '" + jobName + "' has no challenger to promote");
            }
            return p.withChampion(p.challenger(), nowMs, by);
        });
    }

    /** Back to the champion before this one. */
    public ModelPointer rollBack(String jobName, long nowMs, String by) {
        return update(jobName, p -> {
            if (p == null || p.previousChampion() == null) {
                throw new IllegalStateException("job '" + jobName + "' has no earlier champion to roll back to");
            }
            requirePublished(p.previousChampion());
            return p.withChampion(p.previousChampion(), nowMs, by);
        });
    }

    public void report(ModelStatus status) {
        statuses.set(status.key(), status);
    }

    /** Every member's word on every model of the job. */
    public List<ModelStatus> statuses(String jobName) {
        return statuses.values().stream().map(v -> CompactValues.as(v, ModelStatus.class))
                .filter(s -> s.jobName().equals(jobName)).toList();
    }

    private void requirePublished(String version) {
        if (!models.containsKey(version)) {
            throw new IllegalArgumentException("model version " + version + " is not published in map '"
                    + Names.MODELS_MAP + "'");
        }
    }

    /** A change of the pointer that no concurrent change can undo: compare and set, again until it holds. */
    private ModelPointer update(String jobName, UnaryOperator<ModelPointer> change) {
        while (true) {
            Object held = pointers.get(jobName);
            ModelPointer updated = change.apply(CompactValues.as(held, ModelPointer.class));
            boolean set = held == null ? pointers.putIfAbsent(jobName, updated) == null
                    : pointers.replace(jobName, held, updated);
            if (set) {
                return updated;
            }
        }
    }
}
