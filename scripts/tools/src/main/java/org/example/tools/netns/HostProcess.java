package org.example.tools.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process of the lab running inside one host's namespace ({@code ip netns exec}, which execs the
 * command, so this is the process itself): a member, the broker. Its output goes to its own log.
 */
public final class HostProcess {

    private final String role;
    private final Process process;
    private final Path log;

    private HostProcess(String role, Process process, Path log) {
        this.role = role;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} inside {@code host}, in {@code workDir}, with {@code extraEnv} added, output to {@code log}. */
    static HostProcess start(String role, LabNetwork.Host host, List<String> command, Path workDir,
                             Map<String, String> extraEnv, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Files.createDirectories(workDir);
            ProcessBuilder builder = new ProcessBuilder(LabNetwork.inside(host, command))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(extraEnv);
            return new HostProcess(role, builder.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + role + " in " + host.namespace() + ": " + e.getMessage(), e);
        }
    }

    public String role() {
        return role;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: the process ends at once, as in a crash; its children (Python workers) are the caller's business. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, then waits up to {@code grace} for it to end by itself; true if it did. */
    public boolean terminate(Duration grace) {
        process.destroy();
        return awaitExit(grace);
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        if (isAlive() && !terminate(grace)) {
            kill();
        }
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public String toString() {
        return role + " (pid " + process.pid() + ")";
    }
}
