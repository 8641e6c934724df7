package org.example.it;

import org.example.tools.KafkaReady;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** scripts/kafka.sh's readiness check against a real broker, and against none. */
class KafkaReadyTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return KafkaReady.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldSayReadyOnceTheBrokerServes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertThat(run("--bootstrap-servers", kafka.bootstrapServers(), "--timeout-seconds", "60")).isZero();
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Kafka ready: cluster ");
    }

    @Test
    void shouldGiveUpAfterTheTimeoutNamingTheLastProblem() throws IOException {
        String nothingListens = "127.0.0.1:" + freePort();

        assertThat(run("--bootstrap-servers", nothingListens, "--timeout-seconds", "2")).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("Kafka at " + nothingListens + " not ready after 2 s: ")
                .doesNotContain("no answer");
    }

    @Test
    void shouldRefuseToRunWithoutTheBroker() {
        assertThat(run("--timeout-seconds", "2")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Missing required option: '--bootstrap-servers");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
