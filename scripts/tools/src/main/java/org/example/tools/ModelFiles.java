package org.example.tools;

import org.example.definition.Names;
import org.example.registry.ModelEntry;
import org.example.scoring.PythonBaseDir;
import org.example.scoring.ScoringModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A model directory as {@code python/train.py --out} writes it, checked by both scorers before it
 * may be published: the job's Java side ({@link ScoringModel#parse}: metadata, parse, columns,
 * smoke score) and the Python handler's ({@code fraud_handler.load_model_dir}, the same checks with
 * LightGBM itself), run in a python3 process as a member would run it. A model either refuses is
 * refused, with the check that refused it and why.
 */
public final class ModelFiles {

    /** How long the Python check may take: loading LightGBM and the model is a second or two. */
    static final long PYTHON_CHECK_SECONDS = 120;

    private ModelFiles() {
    }

    /** A model that may not be published, and the check that said so. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The registry entry of the model in {@code dir}, once both scorers accepted it.
     *
     * @param python the interpreter that runs the Python check (one with the handler's packages)
     */
    public static ModelEntry checked(Path dir, String python, long nowMs, String by) throws Refused, IOException,
            InterruptedException {
        for (String file : List.of(Names.PYTHON_MODEL_FILE, Names.PYTHON_MODEL_METADATA_FILE)) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new Refused("files: " + dir + " has no " + file + " (python/train.py --out writes it)");
            }
        }
        String modelText = Files.readString(dir.resolve(Names.PYTHON_MODEL_FILE));
        String metadataJson = Files.readString(dir.resolve(Names.PYTHON_MODEL_METADATA_FILE));
        String version;
        try {
            version = ScoringModel.parse(modelText, metadataJson).modelVersion();
        } catch (IllegalArgumentException refused) {
            throw new Refused("the Java scorer refuses it: " + refused.getMessage());
        }
        String pythonProblem = pythonProblem(dir, python);
        if (pythonProblem != null) {
            throw new Refused("the Python scorer refuses it: " + pythonProblem);
        }
        return ModelEntry.of(version, modelText, metadataJson, nowMs, by);
    }

    /**
     * What the handler, loaded from the job's own resources, says of the model; {@code null} if it
     * loads it. A python3 that cannot even import the handler is a problem too, not a pass.
     */
    static String pythonProblem(Path dir, String python) throws IOException, InterruptedException {
        Path handlerDir = PythonBaseDir.extract();
        String script = String.join("\n",
                "import sys",
                "sys.dont_write_bytecode = True",
                "sys.path.insert(0, sys.argv[1])",
                "import fraud_handler",
                "try:",
                "    print(fraud_handler.load_model_dir(sys.argv[2]).version)",
                "except fraud_handler.InvalidModel as refused:",
                "    print(refused, file=sys.stderr)",
                "    sys.exit(3)");
        List<String> command = new ArrayList<>(List.of(python, "-c", script, handlerDir.toString(),
                dir.toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(PYTHON_CHECK_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "the check did not finish within " + PYTHON_CHECK_SECONDS + " s";
        }
        // LightGBM writes its own complaints first; the handler's verdict is the last line.
        String verdict = new String(output, StandardCharsets.UTF_8).strip().lines().reduce((first, last) -> last).orElse("");
        return switch (process.exitValue()) {
            case 0 -> null;
            case 3 -> verdict;
            default -> python + " could not run the handler's check (exit " + process.exitValue() + "): " + verdict
                    + " (it needs the handler's packages: scripts/setup-python.sh, python/.venv)";
        };
    }
}
