package org.example.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The Python processes Jet starts on this machine for PREDICT, found through {@code /proc}: for
 * waiting until they serve (a job is only warm once they do) and for their memory. Linux only;
 * elsewhere nothing is found.
 */
final class PythonWorkers {

    /** What Jet's {@code jet_to_python_main.sh} executes in each worker. */
    static final String SERVER_SCRIPT = "jet_to_python_grpc_server.py";

    private PythonWorkers() {
    }

    static List<ProcessHandle> find(Stream<ProcessHandle> candidates) {
        return candidates.filter(p -> commandLine(p.pid()).contains(SERVER_SCRIPT)).toList();
    }

    /**
     * A worker serves once it has a socket: its gRPC server binds one only after the handler and
     * the model's libraries are imported.
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

    /** Waits until {@code expected} workers serve; false on timeout. */
    static boolean awaitServing(Supplier<Stream<ProcessHandle>> candidates, int expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (find(candidates.get()).stream().filter(PythonWorkers::isServing).count() < expected) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return true;
    }

    /** Resident memory in MB, from {@code /proc/<pid>/status}; -1 if the process is gone. */
    static long residentMb(long pid) {
        try (Stream<String> status = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return status.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElse(-1);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}
