package org.example.scoring;

import com.hazelcast.logging.Logger;
import org.example.definition.Names;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The Python base directory of PREDICT. {@code mapUsingPython} uploads a directory of the
 * submitting machine's file system with the job; under {@code hz-cli submit} that machine only has
 * the job JAR, so the handler, the feature file and the JAR's model are copied out of the JAR's
 * resources into a fresh temporary directory, removed when the JVM exits. The models a job scores
 * with come from the registry instead ({@link ModelFollower}); the JAR's model is what a Python
 * process scores with until a request names one.
 */
public final class PythonBaseDir {

    private PythonBaseDir() {
    }

    /** The Python files of the job JAR, in a new temporary directory. */
    public static Path extract() {
        try {
            Path dir = Files.createTempDirectory("fraud-python-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            for (String file : Names.PYTHON_FILES) {
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

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; the JVM is exiting.
            Logger.getLogger(PythonBaseDir.class).fine("Could not remove " + dir + ": " + e);
        }
    }
}
