package org.example.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The heap after each collection, from the GC logs that {@code scripts/cluster.sh} has its members
 * write ({@code -Xlog:gc:file=...:time}), for the benchmark's soak: with bounded outputs it must not
 * grow however long the job runs.
 */
final class GcLogs {

    /** One collection: when it ended, and the heap it left, in MB. */
    record Point(long timeMs, long heapAfterMb) {
    }

    // [2026-12-01T10:00:00.123+0000] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 300M->120M(1024M) 5.1ms
    private static final Pattern LINE = Pattern.compile("^\\[([^\\]]+)\\].*GC\\(\\d+\\).* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private GcLogs() {
    }

    static List<Path> memberLogs(Path logDir) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(f -> f.getFileName().toString().matches("member-\\d+-gc\\.log")).sorted().toList();
        }
    }

    /** The collections logged between {@code fromMs} and {@code toMs}. */
    static List<Point> heapAfterGc(Path log, long fromMs, long toMs) throws IOException {
        List<Point> points = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                long time = OffsetDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
                if (time >= fromMs && time <= toMs) {
                    points.add(new Point(time, Long.parseLong(m.group(3))));
                }
            }
        }
        return points;
    }

    /** The highest heap after GC in each quarter of the points' time span. */
    static long[] quarterMaxima(List<Point> points) {
        long first = points.get(0).timeMs();
        long span = Math.max(1, points.get(points.size() - 1).timeMs() - first);
        long[] maxima = new long[4];
        for (Point p : points) {
            int quarter = (int) Math.min(3, (p.timeMs() - first) * 4 / span);
            maxima[quarter] = Math.max(maxima[quarter], p.heapAfterMb());
        }
        return maxima;
    }
}
