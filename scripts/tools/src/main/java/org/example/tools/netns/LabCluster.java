package org.example.tools.netns;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.example.records.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The pipeline's servers on the lab's hosts, started as {@code scripts/cluster.sh} and
 * {@code scripts/kafka.sh} start them on one loopback: a KRaft broker on host {@code kafka}, one
 * Hazelcast member per member host ({@code HazelcastMemberStarter}), each bound to its host's
 * address. The members' configuration is {@code scripts/hazelcast.yaml} with only the addresses
 * changed, written by {@code scripts/docker/member-config.py} as for the compose members, so every
 * map, split-brain and failure-detection setting is the one users run.
 *
 * <p>Everything goes under {@code runDir}: the generated configuration, the broker's data, each
 * member's temp directory (where Jet unpacks the Python files) and the logs, one per incarnation of
 * a process ({@code member-2.1.log}, {@code member-2.2.log} after a restart), so a log survives the
 * restart that a fault forced.
 */
public final class LabCluster implements AutoCloseable {

    public static final int MEMBER_PORT = 5701;
    public static final int KAFKA_PORT = 9092;
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final String PYTHON_SERVER_SCRIPT = "jet_to_python_grpc_server.py";

    /**
     * Where things are and how processes start.
     *
     * @param root             the repository
     * @param memberJvmOptions the options {@code scripts/lib/common.sh} gives members (HZ_MEMBER_JVM_OPTS)
     * @param processMarker    what marks a process as started from this checkout ({@code -Dfraud.home=...})
     */
    public record Settings(Path root, Path runDir, Path pythonVenv, List<String> memberJvmOptions,
                           String processMarker, String memberHeap, String kafkaHeap) {

        public Path scripts() {
            return root.resolve("scripts");
        }

        public Path logs() {
            return runDir.resolve("logs");
        }

        Path lib(String set) {
            return root.resolve(".run/lib").resolve(set);
        }
    }

    private final LabNetwork network;
    private final Settings settings;
    private final Map<Integer, HostProcess> members = new HashMap<>();
    private final Map<Integer, Integer> incarnations = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private HostProcess kafka;
    private int kafkaIncarnation;

    public LabCluster(LabNetwork network, Settings settings) {
        this.network = network;
        this.settings = settings;
    }

    public LabNetwork network() {
        return network;
    }

    public Settings settings() {
        return settings;
    }

    public int memberCount() {
        return network.members().size();
    }

    public String bootstrapServers() {
        return network.host(LabNetwork.KAFKA).address() + ":" + KAFKA_PORT;
    }

    /** Every member's address, for a client. */
    public List<String> memberAddresses() {
        return network.members().stream().map(h -> h.address() + ":" + MEMBER_PORT).toList();
    }

    // ---- preparing ----

    /** Wipes what an earlier run left under runDir and writes the members' configuration and logging. */
    public void prepare() throws IOException, InterruptedException {
        deleteTree(settings.runDir());
        Files.createDirectories(settings.logs());
        Path yaml = memberConfig();
        List<String> command = List.of(settings.pythonVenv().resolve("bin/python").toString(),
                settings.scripts().resolve("docker/member-config.py").toString(),
                settings.scripts().resolve("hazelcast.yaml").toString(), yaml.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HZ_MEMBER_LIST", String.join(",", memberAddresses()));
        // No reference database in the lab: its maps, loaded by LabRun, are all the reference data.
        builder.environment().put("REFERENCE_DB_URL", "none");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("member-config.py failed: " + output.strip());
        }
        // The shared logging, plus Jet's reason for not restarting a job (quorum, cluster not safe),
        // which it logs only at FINE: on a minority side that line is the evidence that it waits.
        String logging = Files.readString(settings.scripts().resolve("member-logging.properties"))
                + "\n# Added by the network lab (org.example.tools.netns.LabCluster):\n"
                + "com.hazelcast.jet.impl.MasterJobContext.level = FINE\n";
        Files.writeString(memberLogging(), logging);
        writeKafkaConfig();
    }

    Path memberConfig() {
        return settings.runDir().resolve("hazelcast.yaml");
    }

    private Path memberLogging() {
        return settings.runDir().resolve("member-logging.properties");
    }

    // ---- the broker ----

    private Path kafkaConfig() {
        return settings.runDir().resolve("kafka/server.properties");
    }

    private void writeKafkaConfig() throws IOException {
        String address = network.host(LabNetwork.KAFKA).address();
        // As scripts/kafka.sh writes it, but listening on the broker host's address. The controller
        // stays on the host's loopback: only the broker itself talks to it.
        String config = String.join("\n",
                "# Written by org.example.tools.netns.LabCluster for the network lab.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:9093",
                "listeners=PLAINTEXT://" + address + ":" + KAFKA_PORT + ",CONTROLLER://127.0.0.1:9093",
                "advertised.listeners=PLAINTEXT://" + address + ":" + KAFKA_PORT + ",CONTROLLER://127.0.0.1:9093",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + settings.runDir().resolve("kafka-data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Files.createDirectories(kafkaConfig().getParent());
        Files.writeString(kafkaConfig(), config);
    }

    private List<String> kafkaJava(String... rest) {
        List<String> command = new ArrayList<>(List.of("java", "-Xms" + settings.kafkaHeap(), "-Xmx" + settings.kafkaHeap(),
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + settings.scripts().resolve("kafka/log4j2.properties"),
                "-cp", settings.lib("kafka") + "/*"));
        command.addAll(List.of(rest));
        return command;
    }

    /** Starts the broker (formatting its storage the first time) and returns once it serves requests. */
    public void startKafka(Duration timeout) throws IOException, InterruptedException {
        Path data = settings.runDir().resolve("kafka-data");
        if (!Files.exists(data.resolve("meta.properties"))) {
            String clusterId = Commands.run(kafkaJava("kafka.tools.StorageTool", "random-uuid")).strip().lines()
                    .reduce((a, b) -> b).orElseThrow();
            Commands.run(kafkaJava("kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId,
                    "-c", kafkaConfig().toString()));
        }
        List<String> command = new ArrayList<>(kafkaJava());
        command.addAll(command.size() - 2, List.of(settings.processMarker(), "-Dfraud.role=lab-kafka"));
        command.addAll(List.of("kafka.Kafka", kafkaConfig().toString()));
        kafkaIncarnation++;
        kafka = HostProcess.start("kafka", network.host(LabNetwork.KAFKA), command, settings.runDir(), Map.of(),
                settings.logs().resolve("kafka." + kafkaIncarnation + ".log"));
        awaitKafka(timeout);
    }

    private void awaitKafka(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem = "no answer";
        // First the port: a Kafka client asked before it is open logs a warning twice a second.
        String address = network.host(LabNetwork.KAFKA).address();
        while (!portOpen(address, KAFKA_PORT)) {
            if (!kafka.isAlive()) {
                throw new IllegalStateException("the broker exited during start; see " + kafka.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not open " + bootstrapServers() + " within "
                        + timeout.toSeconds() + " s; see " + kafka.log());
            }
            Thread.sleep(250);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            while (System.nanoTime() < deadline) {
                if (!kafka.isAlive()) {
                    throw new IllegalStateException("the broker exited during start; see " + kafka.log());
                }
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    if (!cluster.nodes().get(3, TimeUnit.SECONDS).isEmpty()
                            && !cluster.controller().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                    problem = "no live broker in the cluster metadata yet";
                } catch (Exception e) {
                    problem = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the broker at " + bootstrapServers() + " is not serving after "
                + timeout.toSeconds() + " s: " + problem + "; see " + kafka.log());
    }

    private static boolean portOpen(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public HostProcess kafka() {
        return kafka;
    }

    // ---- members ----

    /** Starts member {@code i} (from 1) on its host; does not wait for it to join (see {@link #awaitMembers}). */
    public HostProcess startMember(int i) throws IOException {
        LabNetwork.Host host = network.member(i);
        int incarnation = incarnations.merge(i, 1, Integer::sum);
        Path tmp = memberTmp(i);
        deleteTree(tmp);
        Files.createDirectories(tmp);
        String name = "member-" + i + "." + incarnation;
        List<String> command = new ArrayList<>(List.of("java", "-Xmx" + settings.memberHeap(), "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + settings.logs().resolve(name + "-gc.log") + ":time"));
        command.addAll(settings.memberJvmOptions());
        command.addAll(List.of("-Djava.net.preferIPv4Stack=true",
                "-Djava.io.tmpdir=" + tmp,
                "-Dhazelcast.config=" + memberConfig(),
                "-Djava.util.logging.config.file=" + memberLogging(),
                settings.processMarker(), "-Dfraud.role=lab-member-" + i,
                "-cp", settings.scripts().resolve("member-classpath") + ":" + settings.lib("hazelcast") + "/*",
                "com.hazelcast.core.server.HazelcastMemberStarter"));
        // The members score with the interpreter of python/.venv, first on their PATH (as in cluster.sh).
        Map<String, String> env = Map.of("PATH", settings.pythonVenv().resolve("bin") + ":" + System.getenv("PATH"));
        HostProcess member = HostProcess.start(name, host, command, tmp, env, settings.logs().resolve(name + ".log"));
        members.put(i, member);
        return member;
    }

    public HostProcess member(int i) {
        return members.get(i);
    }

    /** The logs of every incarnation of every member, oldest first. */
    public List<Path> memberLogs() throws IOException {
        try (Stream<Path> files = Files.list(settings.logs())) {
            return files.filter(f -> f.getFileName().toString().matches("member-\\d+\\.\\d+\\.log"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    /** The GC logs of member {@code i}'s incarnations, oldest first. */
    public List<Path> gcLogs(int i) throws IOException {
        try (Stream<Path> files = Files.list(settings.logs())) {
            return files.filter(f -> f.getFileName().toString().matches("member-" + i + "\\.\\d+-gc\\.log"))
                    .sorted(Comparator.comparingInt(f -> incarnationOf(f.getFileName().toString()))).toList();
        }
    }

    private static int incarnationOf(String fileName) {
        return Integer.parseInt(fileName.replaceAll("^member-\\d+\\.(\\d+).*$", "$1"));
    }

    private Path memberTmp(int i) {
        return settings.runDir().resolve("tmp/member-" + i);
    }

    /**
     * Waits until each of the given members reports, on its health endpoint, an active cluster of
     * {@code size} members; throws with what each one saw when that does not happen in time.
     */
    public void awaitMembers(List<Integer> which, int size, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> pending = new ArrayList<>();
            for (int i : which) {
                HostProcess member = members.get(i);
                if (member == null || !member.isAlive()) {
                    throw new IllegalStateException("member " + i + " is not running"
                            + (member == null ? "" : "; see " + member.log()));
                }
                OptionalInt seen = clusterSize(i);
                if (seen.isEmpty() || seen.getAsInt() != size) {
                    pending.add("m" + i + " sees " + (seen.isEmpty() ? "nothing" : seen.getAsInt()));
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no cluster of " + size + " within " + timeout.toSeconds() + " s: " + pending);
            }
            Thread.sleep(500);
        }
    }

    /** The size of the cluster member {@code i} is in, from its health endpoint; empty when it does not answer or is not active. */
    public OptionalInt clusterSize(int i) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://" + network.member(i).address() + ":" + MEMBER_PORT + "/hazelcast/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode health = Json.MAPPER.readTree(response.body());
            if (response.statusCode() != 200 || !"ACTIVE".equals(health.path("nodeState").asText())) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(health.path("clusterSize").asInt());
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** The Python workers Jet runs for member {@code i}: they work in its temp directory. */
    public List<ProcessHandle> pythonWorkers(int i) {
        String tmp = memberTmp(i).toString();
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString();
                return cwd.startsWith(tmp) && commandLine(p.pid()).contains(PYTHON_SERVER_SCRIPT);
            } catch (IOException | UncheckedIOException | SecurityException gone) {
                return false;
            }
        }).toList();
    }

    /**
     * Every process member {@code i} left behind in its host (its Python workers and their shells),
     * which a crash of the member's machine would end with it.
     */
    public List<ProcessHandle> leftBehind(int i) {
        String tmp = memberTmp(i).toString();
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString();
                return cwd.startsWith(tmp) && !commandLine(p.pid()).contains("-Dfraud.role=lab-member-");
            } catch (IOException | UncheckedIOException | SecurityException gone) {
                return false;
            }
        }).toList();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    /** kill -9 of member {@code i} and of what it ran (its Python workers), as when its machine dies. */
    public void killMember(int i) {
        HostProcess member = members.get(i);
        member.kill();
        leftBehind(i).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Starts a program of the tools JAR inside {@code host} (a probe that must see the network from
     * there), with the members' client jars; its output goes to {@code logs/<role>.log}.
     */
    public HostProcess startTool(String host, String role, List<String> mainClassAndArgs) {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m",
                "-Djava.util.logging.config.file=" + settings.scripts().resolve("cli-logging.properties"),
                "-Dhazelcast.logging.type=jdk", "-Dhazelcast.phone.home.enabled=false",
                settings.processMarker(), "-Dfraud.role=lab-" + role,
                "-cp", settings.root().resolve("scripts/tools/target/fraud-detection-tools.jar") + ":" + settings.lib("hazelcast") + "/*"));
        command.addAll(mainClassAndArgs);
        return HostProcess.start(role, network.host(host), command, settings.runDir(), Map.of(),
                settings.logs().resolve(role + ".log"));
    }

    /** Stops the members (SIGTERM, at once, so none waits on another's migration), then the broker. */
    @Override
    public void close() {
        List<HostProcess> running = members.values().stream().filter(HostProcess::isAlive).toList();
        running.forEach(m -> m.terminate(Duration.ZERO));
        running.forEach(m -> m.stop(STOP_GRACE));
        for (int i : members.keySet()) {
            leftBehind(i).forEach(ProcessHandle::destroyForcibly);
        }
        if (kafka != null) {
            kafka.stop(STOP_GRACE);
        }
    }

    /** Processes of this lab still alive, for a final check. */
    public List<String> stillRunning() {
        List<String> left = new ArrayList<>();
        members.forEach((i, m) -> {
            if (m.isAlive()) {
                left.add(m.toString());
            }
            leftBehind(i).forEach(p -> left.add("python of member " + i + " (pid " + p.pid() + ")"));
        });
        if (kafka != null && kafka.isAlive()) {
            left.add(kafka.toString());
        }
        return left;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            // Jet makes Python runtime directories read-only; give them back before removing.
            List<Path> all = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path p : all) {
                p.toFile().setWritable(true);
            }
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
