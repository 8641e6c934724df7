import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * Readiness check for scripts/kafka.sh: exits 0 once the broker at the given address answers a
 * DescribeCluster with itself among the live brokers and a known controller, i.e. it has caught
 * up with the metadata log and is unfenced, so topics can be created and written. Exits 1 with
 * the last error when that does not happen within the timeout.
 *
 * <p>Run with the source launcher: {@code java -cp '.run/lib/kafka/*' KafkaReady.java 127.0.0.1:9092 60},
 * with a client properties file as a third argument for a broker that wants TLS or SASL.
 */
public class KafkaReady {

    public static void main(String[] args) throws InterruptedException, IOException {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: KafkaReady <bootstrap-servers> <timeout-seconds> [client-properties-file]");
            System.exit(2);
        }
        Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
        Map<String, Object> config = new HashMap<>();
        if (args.length == 3) {
            Properties client = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(args[2]))) {
                client.load(reader);
            }
            client.forEach((key, value) -> config.put((String) key, value));
        }
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        String lastProblem = "no answer";
        try (Admin admin = Admin.create(config)) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    Collection<Node> brokers = cluster.nodes().get(3, TimeUnit.SECONDS);
                    Node controller = cluster.controller().get(3, TimeUnit.SECONDS);
                    if (!brokers.isEmpty() && controller != null && !controller.isEmpty()) {
                        System.out.println("Kafka ready: cluster " + cluster.clusterId().get()
                                + ", brokers " + brokers);
                        return;
                    }
                    lastProblem = "no live broker in the cluster metadata yet";
                } catch (Exception e) {
                    lastProblem = e.getCause() != null ? e.getCause().toString() : e.toString();
                }
                Thread.sleep(200);
            }
        }
        System.err.println("Kafka at " + args[0] + " not ready after " + args[1] + " s: " + lastProblem);
        System.exit(1);
    }
}
