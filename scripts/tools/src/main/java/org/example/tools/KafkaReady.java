package org.example.tools;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The readiness check of scripts/kafka.sh: a broker is ready once it answers a DescribeCluster
 * with itself among the live brokers and a known controller, that is, once it has caught up with
 * the metadata log and is unfenced, so topics can be created and written. An open port says less:
 * a KRaft broker listens before it is unfenced.
 */
public final class KafkaReady {

    private static final Duration POLL = Duration.ofMillis(200);
    /**
     * Held so that the setting stays: the admin client warns about every refused connection while
     * the broker starts, which is expected here and only noise (kafka-clients logs through slf4j
     * to java.util.logging on the member jars).
     */
    private static final Logger KAFKA_CLIENT_LOG = Logger.getLogger("org.apache.kafka");

    private KafkaReady() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 once the broker is ready, 1 when it is not within the timeout (with the last problem seen), 2 on bad usage. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out, err), args, out, err);
    }

    @Command(name = "KafkaReady", description = "Waits until a Kafka broker serves requests: it is among the live "
            + "brokers of the cluster's metadata and a controller is known.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--bootstrap-servers", required = true, description = "The broker, host:port")
        String bootstrapServers;

        @Option(names = "--timeout-seconds", defaultValue = "60", converter = Commands.PositiveLong.class,
                description = "Give up after this long")
        long timeoutSeconds;

        @Option(names = "--client-properties", description = "A Kafka client properties file, for a broker that "
                + "wants TLS or SASL (scripts/kafka.sh writes one with KAFKA_SECURITY=sasl_ssl)")
        Path clientProperties;

        private final PrintStream out;
        private final PrintStream err;

        Program(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws InterruptedException, IOException {
            KAFKA_CLIENT_LOG.setLevel(Level.SEVERE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            String lastProblem = "no answer";
            try (Admin admin = Admin.create(config())) {
                while (System.nanoTime() < deadline) {
                    try {
                        DescribeClusterResult cluster = admin.describeCluster();
                        Collection<Node> brokers = cluster.nodes().get(3, TimeUnit.SECONDS);
                        Node controller = cluster.controller().get(3, TimeUnit.SECONDS);
                        if (!brokers.isEmpty() && controller != null && !controller.isEmpty()) {
                            out.println("Kafka ready: cluster " + cluster.clusterId().get() + ", brokers " + brokers);
                            return 0;
                        }
                        lastProblem = "no live broker in the cluster metadata yet";
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        // Refused, timed out, not yet unfenced: the broker is still starting; the last one is reported.
                        lastProblem = e.getCause() != null ? e.getCause().toString() : e.toString();
                    }
                    Thread.sleep(POLL.toMillis());
                }
            }
            err.println("Kafka at " + bootstrapServers + " not ready after " + timeoutSeconds + " s: " + lastProblem);
            return 1;
        }

        /** The client properties file's settings, if any, under the short time-outs of a readiness poll. */
        private Map<String, Object> config() throws IOException {
            Map<String, Object> config = new HashMap<>();
            if (clientProperties != null) {
                Properties client = new Properties();
                try (Reader reader = Files.newBufferedReader(clientProperties)) {
                    client.load(reader);
                }
                client.forEach((key, value) -> config.put((String) key, value));
            }
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
            config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            return config;
        }
    }
}
