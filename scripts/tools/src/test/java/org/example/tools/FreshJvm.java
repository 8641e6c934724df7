package org.example.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program's {@code main} in a JVM of its own, with environment variables of the test's
 * choosing: picocli reads an option's {@code ${env:NAME}} default from the real environment, which
 * a test cannot change in its own JVM. Only for command lines that end before any work (a usage
 * error or {@code --help}).
 */
public final class FreshJvm {

    /** What the program printed and returned. */
    public record Result(int exitCode, String out, String err) {
    }

    private FreshJvm() {
    }

    /** {@code main} of {@code program} with {@code args}, the test's environment less {@code unset}, plus {@code env}. */
    public static Result run(Class<?> program, List<String> unset, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), program.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("fresh-jvm", ".out");
        Path err = Files.createTempFile("fresh-jvm", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            unset.forEach(builder.environment()::remove);
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(program.getSimpleName() + " " + String.join(" ", args) + " did not end in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
