package org.example.tools;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A CPU profile of a member during the benchmark's drain: Java Flight Recorder started in the
 * member with {@code jcmd}, its execution samples counted by the method on top of the stack, and
 * by what the sampled thread was doing (the first frame of a known part of the stack).
 */
final class Profiles {

    /** Parts of a member's work, by package; a sample is the first part found from its top frame down. */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("com.fasterxml.jackson.", "JSON (Jackson)");
        PARTS.put("org.example.", "the job's own code (stages, features, scorer)");
        PARTS.put("com.hazelcast.jet.kafka.", "Kafka source");
        PARTS.put("org.apache.kafka.", "Kafka source");
        PARTS.put("io.grpc.", "gRPC to Python");
        PARTS.put("com.google.protobuf.", "gRPC to Python");
        PARTS.put("com.hazelcast.jet.python.", "gRPC to Python");
        PARTS.put("com.hazelcast.jet.impl.connector.", "map sinks (Jet's writers)");
        PARTS.put("com.hazelcast.jet.impl.execution.Snapshot", "snapshots");
        PARTS.put("com.hazelcast.jet.impl.execution.", "Jet execution (tasklets, inboxes, outboxes)");
        PARTS.put("com.hazelcast.internal.util.concurrent.", "Jet queues and idling");
        PARTS.put("com.hazelcast.jet.impl.", "Jet, other");
        PARTS.put("com.hazelcast.internal.metrics.", "metrics collection");
        PARTS.put("javax.management.", "metrics collection");
        PARTS.put("com.hazelcast.internal.serialization.", "Hazelcast serialisation");
        PARTS.put("com.hazelcast.nio.", "Hazelcast serialisation");
        PARTS.put("com.hazelcast.map.", "map operations (writes, lookups, eviction)");
        PARTS.put("com.hazelcast.spi.impl.operation", "operations and their threads");
        PARTS.put("com.hazelcast.internal.partition.", "partition service");
        PARTS.put("com.hazelcast.internal.networking.", "member networking");
        PARTS.put("com.hazelcast.internal.server.", "member networking");
        PARTS.put("com.hazelcast.internal.nio.", "member networking");
        PARTS.put("com.hazelcast.", "Hazelcast, other");
    }

    private Profiles() {
    }

    /** Starts a recording of {@code seconds} in the first of {@code processes}; false if it could not. */
    static boolean start(List<ProcessHandle> processes, long seconds, Path file) throws IOException, InterruptedException {
        if (processes.isEmpty()) {
            return false;
        }
        Files.deleteIfExists(file);
        return LocalProcesses.jcmd(processes.get(0), "JFR.start", "name=benchmark", "settings=profile",
                "duration=" + seconds + "s", "filename=" + file.toAbsolutePath());
    }

    /** The {@code top} methods most often on top of a sampled stack. */
    static List<String> summary(Path recording, int top) throws IOException, InterruptedException {
        return shares(recording, trace -> frameName(trace.getFrames().get(0)), top);
    }

    /** The samples by part of the member (the first frame, from the top, of a known package). */
    static List<String> byPart(Path recording) throws IOException, InterruptedException {
        return shares(recording, Profiles::part, Integer.MAX_VALUE);
    }

    private static List<String> shares(Path recording, Function<RecordedStackTrace, String> key, int top)
            throws IOException, InterruptedException {
        List<RecordedStackTrace> samples = samples(recording);
        Map<String, Long> counts = samples.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
        List<String> rows = new ArrayList<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> rows.add(String.format(Locale.ROOT, "| %.1f %% | %,d | `%s` |",
                        100.0 * e.getValue() / samples.size(), e.getValue(), e.getKey())));
        return rows;
    }

    /** The execution samples of the recording, once it is complete (the member writes it at its end). */
    private static List<RecordedStackTrace> samples(Path recording) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try {
                List<RecordedStackTrace> samples = new ArrayList<>();
                for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
                    if (event.getEventType().getName().equals("jdk.ExecutionSample") && event.getStackTrace() != null
                            && !event.getStackTrace().getFrames().isEmpty()) {
                        samples.add(event.getStackTrace());
                    }
                }
                return samples;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    /** Utilities every part uses: a sample in them belongs to whoever called them. */
    private static final List<String> SHARED = List.of("com.hazelcast.internal.util.", "com.hazelcast.internal.memory.");

    private static String part(RecordedStackTrace trace) {
        for (RecordedFrame frame : trace.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (SHARED.stream().anyMatch(type::startsWith)
                    && !type.startsWith("com.hazelcast.internal.util.concurrent.")) {
                continue;
            }
            for (Map.Entry<String, String> part : PARTS.entrySet()) {
                if (type.startsWith(part.getKey())) {
                    return part.getValue();
                }
            }
        }
        return "the JDK alone (threads parked or spinning, I/O)";
    }

    private static String frameName(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
