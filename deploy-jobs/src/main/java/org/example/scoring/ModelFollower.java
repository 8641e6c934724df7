package org.example.scoring;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.example.definition.Names;
import org.example.records.ModelProblem;
import org.example.records.ModelRef;
import org.example.registry.ModelEntry;
import org.example.registry.ModelPointer;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The models one member scores with, following the job's pointer in the registry
 * ({@link ModelRegistry}): a thread of its own reads the pointer every {@value #POLL_MS} ms, and
 * when it names other models, reads them from map {@code models}, checks their checksum, parses
 * and checks them ({@link ScoringModel#parse}), and for Python writes their files to this member's
 * disk; only then does {@link #current} hand them out. So a new champion scores every request that
 * PREDICT takes after the swap, one request is scored by exactly one champion, and a job restored
 * from a snapshot scores with what the pointer says now, never with what it said before.
 *
 * <p>A model that cannot be used (gone from the registry, damaged, refused) leaves the current one
 * scoring; the failure is in {@link Assignment#problem}, so every reply made meanwhile says so,
 * and in map {@code modelStatus}, where the roll-out command sees it. The model shipped in the job
 * JAR scores only when the pointer names nothing this member can load when the job starts.
 *
 * <p>One per member and job vertex (the context of Jet's service factory), closed with the job.
 */
public final class ModelFollower implements AutoCloseable {

    /** Job metric: predictions made by another model than the pointer names, and why is in map {@code modelStatus}. */
    public static final String MODEL_PROBLEMS_METRIC = "modelProblems";
    /** How often the pointer is read: a roll-out reaches every member within about this. */
    public static final long POLL_MS = 500;
    /** A model that failed is tried again after this, not at every poll. */
    static final long RETRY_FAILED_MS = 30_000;
    /** Where a member keeps the files of the models its Python processes load. */
    static final String FILES_DIR = "fraud-models";

    private static final ILogger LOG = Logger.getLogger(ModelFollower.class);

    /** A model ready to score with on this member; {@code files} only where Python scores. */
    public record Loaded(String version, ScoringModel scoring, ModelRef files) {
    }

    /**
     * What this member scores with now.
     *
     * @param challenger {@code null}: none
     * @param problem    why this is not what the pointer asks for, or {@code null}
     */
    public record Assignment(Loaded champion, Loaded challenger, ModelProblem problem) {
    }

    private final ModelRegistry registry;
    private final String jobName;
    private final String member;
    private final Path filesRoot;
    private final Map<String, Loaded> loaded = new HashMap<>();
    /** Per version that failed: when, and why (told again, unchanged, until it is tried again). */
    private final Map<String, Long> failedAtMs = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private final ScheduledExecutorService poller;
    private volatile Assignment current;
    private ModelPointer followed;

    private ModelFollower(ModelRegistry registry, String jobName, String member, Path filesRoot) {
        this.registry = registry;
        this.jobName = jobName;
        this.member = member;
        this.filesRoot = filesRoot;
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "model-follower-" + jobName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads what the pointer names now (or, failing that, the JAR's model), then follows it.
     *
     * @param writeFiles whether Python processes score on this member and need the models' files
     */
    public static ModelFollower start(HazelcastInstance hz, String jobName, boolean writeFiles) {
        Path filesRoot = writeFiles ? Path.of(System.getProperty("java.io.tmpdir"), FILES_DIR) : null;
        ModelFollower follower = new ModelFollower(new ModelRegistry(hz), jobName,
                hz.getCluster().getLocalMember().getAddress().toString(), filesRoot);
        Loaded bundled = follower.bundled();
        follower.current = new Assignment(bundled, null, new ModelProblem("(none)", "no model named by '"
                + Names.MODEL_POINTER_MAP + "' for job '" + jobName + "' could be loaded yet; the job JAR's "
                + bundled.version() + " scores"));
        follower.refresh();
        follower.poller.scheduleWithFixedDelay(follower::refreshQuietly, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        return follower;
    }

    /** The models to score the next request with. */
    public Assignment current() {
        return current;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // The cluster may be migrating or losing a member: the next poll tries again.
            LOG.fine("Reading the model pointer of job '" + jobName + "' failed: " + e);
        }
    }

    /** Reads the pointer; when it changed (or a failed model is due for another try), loads what it names. */
    synchronized void refresh() {
        ModelPointer pointer = registry.pointer(jobName).orElse(null);
        if (pointer == null || (pointer.equals(followed) && current.problem() == null)) {
            return;
        }
        Assignment before = current;
        ModelProblem problem = null;
        Loaded champion = before.champion();
        try {
            champion = load(pointer.champion());
        } catch (RuntimeException e) {
            problem = new ModelProblem(pointer.champion(), "champion " + pointer.champion() + " cannot be used: "
                    + e.getMessage() + "; " + champion.version() + " scores on");
        }
        Loaded challenger = null;
        if (pointer.challenger() != null) {
            try {
                challenger = load(pointer.challenger());
            } catch (RuntimeException e) {
                // A challenger decides nothing: without it the champion scores on, and problem says why.
                problem = problem != null ? problem : new ModelProblem(pointer.challenger(),
                        "challenger " + pointer.challenger() + " cannot be used: " + e.getMessage());
            }
        }
        followed = pointer;
        Assignment next = new Assignment(champion, challenger, problem);
        if (!next.equals(before)) {
            current = next;
            // Written after the swap: whoever reads it knows the member's next request is scored so.
            report(champion.version(), ModelStatus.State.CHAMPION, "");
            if (challenger != null) {
                report(challenger.version(), ModelStatus.State.CHALLENGER, "");
            }
            LOG.info("Job '" + jobName + "' scores with model " + champion.version()
                    + (challenger != null ? ", challenger " + challenger.version() : "")
                    + (problem != null ? " (" + problem.problem() + ")" : ""));
        }
    }

    /** A version ready to score with: from the cache, else read, checked, parsed and written. */
    private Loaded load(String version) {
        Loaded held = loaded.get(version);
        if (held != null) {
            return held;
        }
        Long failed = failedAtMs.get(version);
        if (failed != null && System.currentTimeMillis() - failed < RETRY_FAILED_MS) {
            throw new IllegalStateException(failures.get(version));
        }
        try {
            ModelEntry entry = registry.model(version).orElseThrow(() -> new IllegalStateException(
                    "it is not in map '" + Names.MODELS_MAP + "'"));
            if (!entry.isIntact()) {
                throw new IllegalStateException("its texts in map '" + Names.MODELS_MAP + "' do not match their sha256");
            }
            ScoringModel scoring = ScoringModel.parse(entry.modelText(), entry.metadataJson());
            Loaded ready = new Loaded(version, scoring,
                    filesRoot == null ? null : writeFiles(entry.version(), entry.sha256(), entry.modelText(), entry.metadataJson()));
            loaded.put(version, ready);
            failedAtMs.remove(version);
            failures.remove(version);
            report(version, ModelStatus.State.LOADED, "");
            return ready;
        } catch (RuntimeException e) {
            failedAtMs.put(version, System.currentTimeMillis());
            failures.put(version, e.getMessage());
            report(version, ModelStatus.State.FAILED, e.getMessage());
            throw e;
        }
    }

    private void report(String version, ModelStatus.State state, String detail) {
        try {
            registry.report(new ModelStatus(jobName, member, "java", version, state.name(), Objects.toString(detail, ""),
                    System.currentTimeMillis()));
        } catch (RuntimeException e) {
            LOG.warning("Could not record that model " + version + " is " + state + " on " + member + ": " + e);
        }
    }

    /** The model the job JAR carries: what scores until the pointer names one this member can load. */
    private Loaded bundled() {
        ModelEntry entry = BundledModel.entry(0, "job JAR");
        return new Loaded(entry.version(), ScoringModel.parse(entry.modelText(), entry.metadataJson()),
                filesRoot == null ? null : writeFiles(entry.version(), entry.sha256(), entry.modelText(), entry.metadataJson()));
    }

    /**
     * The model's files in a directory of this member named by version and checksum, so that the
     * same model is written once however many jobs use it. Written aside and moved into place, so
     * a Python process never sees half a file.
     */
    private ModelRef writeFiles(String version, String sha256, String modelText, String metadataJson) {
        Path dir = filesRoot.resolve(version.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + sha256.substring(0, 16));
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(filesRoot);
                Path aside = Files.createTempDirectory(filesRoot, ".writing-");
                Files.writeString(aside.resolve(Names.PYTHON_MODEL_FILE), modelText);
                Files.writeString(aside.resolve(Names.PYTHON_MODEL_METADATA_FILE), metadataJson);
                try {
                    Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException writtenMeanwhile) {
                    deleteTree(aside);
                }
            }
            return new ModelRef(version, dir.toAbsolutePath().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the files of model " + version + " to " + dir, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
