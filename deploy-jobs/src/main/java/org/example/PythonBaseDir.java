package org.example;

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
 * the job JAR, so the handler, the model and the feature file are copied out of the JAR's
 * resources into a fresh temporary directory, removed when the JVM exits.
 */
public final class PythonBaseDir {

    private PythonBaseDir() {
    }

    public static Path extract() {
        try {
            Path dir = Files.createTempDirectory("fraud-python-");
            for (String file : Names.PYTHON_FILES) {
                String resource = Names.PYTHON_RESOURCE_DIR + file;
                try (InputStream in = PythonBaseDir.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("Resource " + resource + " is missing from the job JAR");
                    }
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the Python base directory", e);
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
