package org.example.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of a test's own, from Debian's packages (as scripts/postgres.sh runs
 * it): a data directory of its own and a free port on 127.0.0.1, so that two runs never share
 * one. A test stops and starts it again to see what the job does meanwhile. As root, the server
 * runs as the system user {@code postgres} (PostgreSQL refuses root), which may not enter the
 * checkout (a clone in {@code mktemp -d} is mode 0700): its data directory is then in a temporary
 * directory that user owns; otherwise under {@code target/}.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String USER = "fraud";
    public static final String PASSWORD = "fraud";
    public static final String DATABASE = "fraud";

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private final Thread stopOnExit = new Thread(this::stopQuietly, "stop-postgres");

    private LocalPostgres(Path bin, Path dataDir, int port) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A new database cluster, started, with an empty database {@value #DATABASE}. */
    public static LocalPostgres start(String name) throws IOException, InterruptedException {
        Path bin = binaries();
        Path dataDir = dataDir(name + "-postgres-" + ProcessHandle.current().pid());
        LocalPostgres postgres = new LocalPostgres(bin, dataDir, freePort());
        Runtime.getRuntime().addShutdownHook(postgres.stopOnExit);
        postgres.init();
        postgres.start();
        postgres.run(bin.resolve("createdb").toString(), "-h", dataDir.toString(), "-p", String.valueOf(postgres.port),
                "-U", USER, DATABASE);
        return postgres;
    }

    /** An empty data directory the server's user can reach, in a directory of its own. */
    private static Path dataDir(String name) throws IOException, InterruptedException {
        Path home = ROOT ? Files.createTempDirectory("fraud-" + name + "-") : Path.of("target", name).toAbsolutePath();
        delete(home);
        Files.createDirectories(home);
        if (ROOT) {
            chownToServer(home);
        }
        Path dataDir = home.resolve("data");
        Files.createDirectories(dataDir);
        return dataDir;
    }

    /** The newest server version Debian installed, or a failure that says how to install one. */
    private static Path binaries() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> dirs = Files.list(versions)) {
                Path newest = dirs.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
                        .max(Comparator.comparing(v -> Integer.parseInt(v.getFileName().toString())))
                        .map(v -> v.resolve("bin")).orElse(null);
                if (newest != null) {
                    return newest;
                }
            }
        }
        throw new IllegalStateException("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/pg_ctl): this"
                + " test needs a real one. Install it with apt-get install -y postgresql; scripts/test.sh does.");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void init() throws IOException, InterruptedException {
        Path passwordFile = dataDir.resolveSibling(dataDir.getFileName() + ".password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        try {
            if (ROOT) {
                chownToServer(dataDir, passwordFile);
            }
            run(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER, "--pwfile=" + passwordFile,
                    "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8");
        } finally {
            Files.deleteIfExists(passwordFile);
        }
    }

    /** Starts the server and returns once it accepts connections. */
    public void start() throws IOException, InterruptedException {
        run(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1", "start");
    }

    /** Stops the server as an operator would for maintenance: open sessions are ended (fast shutdown). */
    public void stop() throws IOException, InterruptedException {
        run(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        return DriverManager.getConnection(jdbcUrl(), properties);
    }

    /** Hands files to the system user the server runs as (as root only). */
    private static void chownToServer(Path... paths) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chown", "postgres"));
        Stream.of(paths).map(Path::toString).forEach(command::add);
        Process chown = new ProcessBuilder(command).inheritIO().start();
        if (chown.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        // From the data directory's parent: the server's user may not enter the checkout, the working directory.
        Process process = new ProcessBuilder(full).directory(dataDir.getParent().toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", full) + " failed:\n" + output + serverLogTail());
        }
    }

    private String serverLogTail() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("server.log"));
            return "\n--- end of " + dataDir.resolve("server.log") + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
    }

    private void stopQuietly() {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            try {
                stop();
            } catch (Exception e) {
                System.err.println("Could not stop the test's PostgreSQL in " + dataDir + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() throws IOException {
        stopQuietly();
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        delete(dataDir.getParent());
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
