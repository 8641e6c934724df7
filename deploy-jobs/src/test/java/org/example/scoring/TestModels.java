package org.example.scoring;

import org.example.definition.Names;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.example.definition.FeatureDefinition;
import org.example.records.Json;
import org.example.registry.ModelEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The model the job JAR ships, read from the classpath, for the tests. */
final class TestModels {

    private TestModels() {
    }

    static ScoringModel shipped() {
        return ScoringModel.parse(resource(Names.PYTHON_MODEL_FILE), resource(Names.PYTHON_MODEL_METADATA_FILE));
    }

    /**
     * A model of {@code version} that scores every row 0.5, with metadata train.py would write for
     * it: another model to put into service, told apart from the shipped one at a glance.
     */
    static ModelEntry evenOdds(String version, double threshold) {
        List<String> columns = FeatureDefinition.load().modelColumns();
        String model = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx="
                + (columns.size() - 1) + "\nobjective=binary sigmoid:1\nfeature_names=" + String.join(" ", columns)
                + "\n\nTree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=0\n\nend of trees\n";
        ObjectNode metadata = Json.MAPPER.createObjectNode().put("model_version", version).put("threshold", threshold);
        columns.forEach(metadata.putArray("feature_names")::add);
        ObjectNode smoke = metadata.putObject("smoke");
        smoke.putArray("rows").add(Json.MAPPER.valueToTree(new double[columns.size()]));
        smoke.putArray("probabilities").add(0.5);
        return ModelEntry.of(version, model, Json.toJson(metadata), 0, "test");
    }

    static String resource(String file) {
        String name = Names.PYTHON_RESOURCE_DIR + file;
        try (InputStream in = TestModels.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
