package org.example.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The GC log lines the members write (-Xlog:gc:file=...:time), as the benchmark reads them. */
class GcLogsTest {

    private static final String LOG = """
            [2026-12-01T10:00:00.000+0000] Using G1
            [2026-12-01T10:00:01.000+0000] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 300M->120M(1024M) 5.125ms
            [2026-12-01T10:00:02.000+0000] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 400M->130M(1024M) 12.500ms
            [2026-12-01T10:00:02.500+0000] GC(2) Concurrent Mark Cycle
            [2026-12-01T10:00:03.000+0000] GC(2) Pause Remark 200M->190M(1024M) 2.000ms
            [2026-12-01T10:00:04.000+0000] GC(3) Pause Full (System.gc()) 500M->210M(1024M) 80.250ms
            [2026-12-01T10:00:09.000+0000] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 300M->220M(1024M) 7.000ms
            [2026-12-01T10:00:05.000+0000] GC(5) Garbage Collection (Warmup) 84M(8%)->34M(3%)
            """;

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryPauseAndItsDurationWithinTheSpan() throws Exception {
        Path log = Files.writeString(dir.resolve("member-1-gc.log"), LOG);

        assertThat(GcLogs.pauses(log, at("10:00:01"), at("10:00:04")))
                .extracting(GcLogs.Pause::durationMs).containsExactly(5.125, 12.5, 2.0, 80.25);
        assertThat(GcLogs.pauses(log, at("10:00:05"), at("10:00:10")))
                .extracting(GcLogs.Pause::durationMs).containsExactly(7.0);
    }

    @Test
    void shouldTakeTheLiveHeapFromFullCollectionsOnly() throws Exception {
        Path log = Files.writeString(dir.resolve("member-1-gc.log"), LOG);

        assertThat(GcLogs.fullCollections(log, at("10:00:00"), at("10:00:10")))
                .extracting(GcLogs.Point::heapAfterMb).containsExactly(210L);
        assertThat(GcLogs.heapAfterGc(log, at("10:00:00"), at("10:00:10"))).hasSize(5);
    }

    private static long at(String time) {
        return OffsetDateTime.parse("2026-12-01T" + time + "+00:00").toInstant().toEpochMilli();
    }
}
