package org.example.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The processes of a run on this machine, found and measured through {@code /proc} (Linux only;
 * elsewhere nothing is found): the Python workers Jet starts for PREDICT, and the members and
 * broker that the scripts start, which carry {@code -Dfraud.role=<role>} on their command line.
 */
final class LocalProcesses {

    /** What Jet's {@code jet_to_python_main.sh} executes in each Python worker. */
    static final String PYTHON_SERVER_SCRIPT = "jet_to_python_grpc_server.py";
    private static final double CLOCK_TICKS_PER_SECOND = 100;

    private LocalProcesses() {
    }

    static List<ProcessHandle> pythonWorkers(Stream<ProcessHandle> candidates) {
        return candidates.filter(p -> commandLine(p.pid()).contains(PYTHON_SERVER_SCRIPT)).toList();
    }

    /** Processes started by the scripts with a role matching {@code rolePrefix}, e.g. "member-". */
    static List<ProcessHandle> withRole(String rolePrefix) {
        return ProcessHandle.allProcesses()
                .filter(p -> commandLine(p.pid()).contains("-Dfraud.role=" + rolePrefix))
                .toList();
    }

    /**
     * The reference database of scripts/postgres.sh whose data directory is {@code dataDir}: its
     * server, found by the directory on its command line, and every process the server forked.
     */
    static List<ProcessHandle> postgres(Path dataDir) {
        String server = "/postgres -D " + dataDir.toAbsolutePath() + " ";
        return ProcessHandle.allProcesses().filter(p -> commandLine(p.pid()).contains(server))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants())).toList();
    }

    /**
     * A Python worker serves once it has a socket: its gRPC server binds one only after the
     * handler and the model's libraries are imported.
     */
    static boolean isServing(ProcessHandle worker) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(worker.pid()), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false;
                }
            });
        } catch (IOException gone) {
            return false;
        }
    }

    /** Waits until {@code expected} Python workers serve; false on timeout. */
    static boolean awaitPythonServing(Supplier<Stream<ProcessHandle>> candidates, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pythonWorkers(candidates.get()).stream().filter(LocalProcesses::isServing).count() < expected) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return true;
    }

    /** Runs a {@code jcmd} command in a JVM of this machine; false if it failed or took over 30 s. */
    static boolean jcmd(ProcessHandle jvm, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(jvm.pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return jcmd.waitFor(30, TimeUnit.SECONDS) && jcmd.exitValue() == 0;
    }

    /** Resident memory in MB, from {@code /proc/<pid>/status}; 0 if the process is gone. */
    static long residentMb(ProcessHandle process) {
        try (Stream<String> status = Files.lines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            return status.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElse(0);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** CPU time (user + system) the processes have used so far, in seconds. */
    static double cpuSeconds(List<ProcessHandle> processes) {
        double total = 0;
        for (ProcessHandle process : processes) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
                // Fields after the command name, which is in parentheses and may contain spaces.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
            } catch (IOException | RuntimeException gone) {
                // Ended meanwhile: its time is no longer counted anywhere.
            }
        }
        return total;
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}
