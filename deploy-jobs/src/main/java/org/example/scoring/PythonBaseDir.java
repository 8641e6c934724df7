package org.example.scoring;

import org.example.definition.Names;
import com.fasterxml.jackson.databind.JsonNode;
import org.example.definition.FeatureDefinition;
import org.example.records.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Python base directory of PREDICT. {@code mapUsingPython} uploads a directory of the
 * submitting machine's file system with the job; under {@code hz-cli submit} that machine only has
 * the job JAR, so the handler, the model and the feature file are copied out of the JAR's
 * resources into a fresh temporary directory, removed when the JVM exits.
 *
 * <p>With a model directory ({@code --model-dir}, what {@code python/train.py --out} wrote), the two
 * model files come from there instead, so a retrained model rolls out without rebuilding the JAR.
 * They are checked before anything is submitted (or a running job cancelled): both present, a
 * version to stamp on every prediction, and the columns of the JAR's {@code features.json}, which
 * the handler and the job's features are built from.
 */
public final class PythonBaseDir {

    static final String MODEL_FILE = Names.PYTHON_MODEL_FILE;
    static final String METADATA_FILE = Names.PYTHON_MODEL_METADATA_FILE;
    private static final Set<String> MODEL_FILES = Set.of(MODEL_FILE, METADATA_FILE);
    /** The line of LightGBM's text format that names the model's input columns, space-separated. */
    private static final String FEATURE_NAMES_LINE = "feature_names=";

    private PythonBaseDir() {
    }

    /** Everything from the JAR. */
    public static Path extract() {
        return extract("");
    }

    /** The handler and features from the JAR; the model from {@code modelDir}, or from the JAR if empty. */
    public static Path extract(String modelDir) {
        Path models = modelDir.isBlank() ? null : checkedModelDir(Path.of(modelDir));
        try {
            Path dir = Files.createTempDirectory("fraud-python-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            for (String file : Names.PYTHON_FILES) {
                if (models != null && MODEL_FILES.contains(file)) {
                    Files.copy(models.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                    continue;
                }
                String resource = Names.PYTHON_RESOURCE_DIR + file;
                try (InputStream in = PythonBaseDir.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("Resource " + resource + " is missing from the job JAR");
                    }
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the Python base directory", e);
        }
    }

    /** The {@code model_version} of the model in a base (or model) directory. */
    public static String modelVersion(Path dir) {
        return readMetadata(dir.resolve(METADATA_FILE)).path("model_version").asText();
    }

    /** {@code dir}, once it is known to hold a model the handler will load; else a message saying what is wrong. */
    static Path checkedModelDir(Path dir) {
        String where = "--model-dir " + dir + ": ";
        for (String file : MODEL_FILES) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IllegalArgumentException(where + "no " + file + " (python/train.py --out writes it)");
            }
        }
        List<String> columns = FeatureDefinition.load().modelColumns();
        JsonNode metadata = readMetadata(dir.resolve(METADATA_FILE));
        if (metadata.path("model_version").asText().isBlank()) {
            throw new IllegalArgumentException(where + METADATA_FILE + " has no model_version");
        }
        if (!metadata.path("threshold").isNumber()) {
            throw new IllegalArgumentException(where + METADATA_FILE + " has no numeric threshold");
        }
        List<String> metadataColumns = new ArrayList<>();
        metadata.path("feature_names").forEach(name -> metadataColumns.add(name.asText()));
        if (!metadataColumns.equals(columns)) {
            throw new IllegalArgumentException(where + METADATA_FILE + " lists the columns " + metadataColumns
                    + ", but this job's features.json defines " + columns + "; retrain with this version's python/train.py");
        }
        List<String> modelColumns = modelFileColumns(dir.resolve(MODEL_FILE));
        if (!modelColumns.equals(columns)) {
            throw new IllegalArgumentException(where + MODEL_FILE + " was trained on the columns " + modelColumns
                    + ", but this job's features.json defines " + columns + "; retrain with this version's python/train.py");
        }
        return dir;
    }

    private static JsonNode readMetadata(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The columns named in the header of a LightGBM text model; empty if it names none. */
    private static List<String> modelFileColumns(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            // The header comes before the first tree, a few lines in: no need to read megabytes.
            while ((line = reader.readLine()) != null && !line.startsWith("Tree=")) {
                if (line.startsWith(FEATURE_NAMES_LINE)) {
                    return Arrays.asList(line.substring(FEATURE_NAMES_LINE.length()).trim().split(" "));
                }
            }
            return List.of();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is harmless; the JVM is exiting.
        }
    }
}
