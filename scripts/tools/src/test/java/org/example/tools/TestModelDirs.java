package org.example.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Model directories as python/train.py --out writes them, for the tests: a small LightGBM model
 * trained in a second by python/tests/builders.py ({@code write_model_dir}), with its metadata and
 * smoke rows, and variants made wrong on purpose.
 */
final class TestModelDirs {

    private TestModelDirs() {
    }

    /** A valid model of version {@code test-<seed>-binary} in {@code dir}. */
    static Path trained(Path dir, int seed) throws Exception {
        return python(dir, "write_model_dir(Path(sys.argv[1]), seed=int(sys.argv[2]))", String.valueOf(seed));
    }

    /** A model LightGBM itself cannot load ("doesn't specify the label index") though the Java scorer can. */
    static Path unloadableByLightGbm(Path dir) throws Exception {
        List<String> columns = org.example.definition.FeatureDefinition.load().modelColumns();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("fraud_model.txt"), "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\n"
                + "max_feature_idx=" + (columns.size() - 1) + "\nobjective=binary sigmoid:1\nfeature_names="
                + String.join(" ", columns) + "\n\nTree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=0\n\nend of trees\n");
        Files.writeString(dir.resolve("fraud_model.json"), "{\"model_version\": \"lgbm-even-odds\", \"threshold\": 0.5, "
                + "\"feature_names\": " + org.example.records.Json.toJson(columns) + ", \"smoke\": {\"rows\": ["
                + org.example.records.Json.toJson(new double[columns.size()]) + "], \"probabilities\": [0.5]}}");
        return dir;
    }

    /** Runs python3 with python/ and python/tests on its path, as the Python tests do. */
    private static Path python(Path dir, String call, String... args) throws Exception {
        String script = String.join("\n",
                "import sys",
                "from pathlib import Path",
                "sys.path[:0] = [" + quoted(RepositoryFiles.path("python")) + ", " + quoted(RepositoryFiles.path("python/tests")) + "]",
                "from builders import write_model_dir",
                call);
        List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", script, dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("python3 could not write a test model (python/.venv first on PATH?): " + output);
        }
        return dir;
    }

    private static String quoted(Path path) {
        return "'" + path.toString().replace("'", "\\'") + "'";
    }
}
