package org.example;

import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job JAR that {@code hz-cli submit} uploads to every member holds the job and nothing else:
 * the job's own packages, the Jackson it is shaded with, and the Python files PREDICT ships. Runs
 * after {@code package} (Maven's integration-test phase), on the JAR as built.
 */
class JobJarIT {

    private static final Path JOB_JAR = Path.of("target/fraud-detection-job.jar");
    /** The job's packages: the directories of their classes, exactly. */
    private static final List<String> JOB_PACKAGES = List.of(
            "org/example/", "org/example/definition/", "org/example/records/", "org/example/stages/",
            "org/example/features/", "org/example/scoring/");
    /** Dependencies shaded in on purpose: members do not have Jackson. */
    private static final List<String> SHADED = List.of("com/fasterxml/jackson/");

    @Test
    void shouldHoldOnlyTheJobsClassesAndItsShadedJackson() throws Exception {
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            List<String> strangers = jar.stream().map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class"))
                    .filter(name -> !name.matches("META-INF/versions/\\d+/.*"))
                    .filter(name -> !JOB_PACKAGES.contains(directoryOf(name)))
                    .filter(name -> SHADED.stream().noneMatch(name::startsWith))
                    .toList();

            assertThat(strangers).as("classes outside the job's packages in %s", JOB_JAR).isEmpty();
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
        }
    }

    @Test
    void shouldCarryEveryFileOfThePythonBaseDirectory() throws Exception {
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            for (String file : Names.PYTHON_FILES) {
                assertThat(jar.getEntry(Names.PYTHON_RESOURCE_DIR + file)).as(file).isNotNull();
            }
        }
        assertThat(Files.size(JOB_JAR)).isPositive();
    }

    private static String directoryOf(String entry) {
        return entry.substring(0, entry.lastIndexOf('/') + 1);
    }
}
