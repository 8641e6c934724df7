package org.example.scoring;

import org.example.definition.Names;
import org.example.registry.ModelEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The model the job JAR carries in its resources: the first champion of a job that has none in the
 * registry yet, and what a member scores with until the registry names one it can load.
 */
public final class BundledModel {

    private BundledModel() {
    }

    /** Its files as a registry entry, checked as any model is before it may score. */
    public static ModelEntry entry(long nowMs, String by) {
        String modelText = text(Names.PYTHON_MODEL_FILE);
        String metadataJson = text(Names.PYTHON_MODEL_METADATA_FILE);
        String version = ScoringModel.parse(modelText, metadataJson).modelVersion();
        return ModelEntry.of(version, modelText, metadataJson, nowMs, by);
    }

    private static String text(String file) {
        String name = Names.PYTHON_RESOURCE_DIR + file;
        try (InputStream in = BundledModel.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the job JAR");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name, e);
        }
    }
}
