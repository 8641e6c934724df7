package org.example.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.scoring.PythonBaseDir;
import org.example.records.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Calls {@code fraud_handler.transform_list} directly, in a python3 process of its own, so a test
 * can compare what the pipeline stored with what the model says for the same request.
 */
final class PythonHandler {

    /** The files the job ships to its members, taken as the job takes them, from its resources. */
    private static final Path HANDLER_DIR = PythonBaseDir.extract();
    private static final String SCRIPT = """
            import sys
            sys.path.insert(0, sys.argv[1])
            import fraud_handler
            items = sys.stdin.read().split('\\n')
            for reply in fraud_handler.transform_list([i for i in items if i]):
                print(reply)
            """;

    private PythonHandler() {
    }

    /** Fails with a message that says how to fix it when python3 cannot run the handler. */
    static void assumeRunnable() throws Exception {
        Process check = new ProcessBuilder("python3", "-c", "import grpc, google.protobuf, lightgbm, numpy")
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new IllegalStateException("python3 on PATH cannot run the handler (" + output.strip()
                    + "). Run scripts/setup-python.sh and put python/.venv/bin first on PATH;"
                    + " scripts/test.sh does both.");
        }
    }

    static List<JsonNode> score(List<String> requests) throws IOException, InterruptedException {
        Process python = new ProcessBuilder("python3", "-c", SCRIPT, HANDLER_DIR.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        python.getOutputStream().write(String.join("\n", requests).getBytes(StandardCharsets.UTF_8));
        python.getOutputStream().close();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
            throw new IllegalStateException("handler process failed: " + out);
        }
        List<JsonNode> replies = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                replies.add(Json.MAPPER.readTree(line));
            }
        }
        return replies;
    }
}
