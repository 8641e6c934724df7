package org.example.tools.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Separate hosts on one machine: each member, the broker and the client get a network namespace
 * of their own with one address, cabled (a veth pair) to a bridge that lives in a namespace of its
 * own, the switch. Processes in different hosts talk only through the switch, which is where
 * {@link Cut}s drop their packets; nothing is configured in the machine's own namespace, which
 * other people's processes share.
 *
 * <pre>
 *   m1 10.250.0.1 ─┐
 *   m2 10.250.0.2 ─┤
 *   m3 10.250.0.3 ─┼─ br0 (namespace &lt;prefix&gt;sw)
 *   kafka 10.250.0.10 ─┤
 *   client 10.250.0.20 ─┘
 * </pre>
 *
 * Namespace names start with a prefix ({@code fd-<id>-}), so two checkouts can each run a lab at
 * once; within a host, the address is the only one besides its loopback, and every port is free.
 */
public final class LabNetwork {

    public static final String KAFKA = "kafka";
    public static final String CLIENT = "client";
    private static final String SWITCH = "sw";
    private static final String BRIDGE = "br0";
    /** A host's side of its cable; the switch side carries the host's name. */
    static final String HOST_INTERFACE = "eth0";

    /** One host of the lab: its name, its namespace, its address. */
    public record Host(String name, String namespace, String address) {
    }

    private final String prefix;
    private final List<Host> hosts;

    private LabNetwork(String prefix, List<Host> hosts) {
        this.prefix = prefix;
        this.hosts = List.copyOf(hosts);
    }

    /**
     * The lab of {@code members} members ({@code m1}, {@code m2}, ...), a broker and a client, in
     * namespaces starting with {@code prefix}, with addresses {@code <subnet>.<n>/24}: members from
     * 1, the broker 10, the client 20.
     */
    public static LabNetwork of(String prefix, String subnet, int members) {
        if (!prefix.matches("[a-z0-9-]{1,12}")) {
            throw new IllegalArgumentException("lab prefix must be 1-12 of [a-z0-9-], not '" + prefix + "'");
        }
        if (!subnet.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("lab subnet must be the first three octets, e.g. 10.250.0, not '" + subnet + "'");
        }
        if (members < 1 || members > 9) {
            throw new IllegalArgumentException("a lab has 1 to 9 members, not " + members);
        }
        List<Host> hosts = new ArrayList<>();
        IntStream.rangeClosed(1, members).forEach(i -> hosts.add(host(prefix, "m" + i, subnet + "." + i)));
        hosts.add(host(prefix, KAFKA, subnet + ".10"));
        hosts.add(host(prefix, CLIENT, subnet + ".20"));
        return new LabNetwork(prefix, hosts);
    }

    private static Host host(String prefix, String name, String address) {
        return new Host(name, prefix + name, address);
    }

    public List<Host> hosts() {
        return hosts;
    }

    public Host host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host '" + name + "' in the lab"));
    }

    /** Member {@code i}, counted from 1. */
    public Host member(int i) {
        return host("m" + i);
    }

    public List<Host> members() {
        return hosts.stream().filter(h -> h.name().matches("m\\d+")).toList();
    }

    public String switchNamespace() {
        return prefix + SWITCH;
    }

    /** Every namespace of the lab, the switch last. */
    List<String> namespaces() {
        List<String> namespaces = new ArrayList<>(hosts.stream().map(Host::namespace).toList());
        namespaces.add(switchNamespace());
        return namespaces;
    }

    /** The commands that build the lab, in order. */
    List<List<String>> upCommands() {
        List<List<String>> commands = new ArrayList<>();
        String sw = switchNamespace();
        commands.add(List.of("ip", "netns", "add", sw));
        commands.add(List.of("ip", "-n", sw, "link", "set", "lo", "up"));
        commands.add(List.of("ip", "-n", sw, "link", "add", BRIDGE, "type", "bridge"));
        commands.add(List.of("ip", "-n", sw, "link", "set", BRIDGE, "up"));
        for (Host host : hosts) {
            String ns = host.namespace();
            commands.add(List.of("ip", "netns", "add", ns));
            commands.add(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            // Both ends are made in the switch's namespace and one is moved at once: no interface
            // ever exists in the machine's own namespace.
            commands.add(List.of("ip", "-n", sw, "link", "add", host.name(), "type", "veth",
                    "peer", "name", HOST_INTERFACE, "netns", ns));
            commands.add(List.of("ip", "-n", sw, "link", "set", host.name(), "master", BRIDGE));
            commands.add(List.of("ip", "-n", sw, "link", "set", host.name(), "up"));
            commands.add(List.of("ip", "-n", ns, "addr", "add", host.address() + "/24", "dev", HOST_INTERFACE));
            commands.add(List.of("ip", "-n", ns, "link", "set", HOST_INTERFACE, "up"));
        }
        return commands;
    }

    /** Builds the lab; fails if any of its namespaces exists already (a lab left over: run {@link #down} first). */
    public void up() {
        Set<String> existing = existingNamespaces();
        List<String> clash = namespaces().stream().filter(existing::contains).toList();
        if (!clash.isEmpty()) {
            throw new IllegalStateException("network namespaces of a lab exist already: " + clash
                    + "; remove that lab first (scripts/partition-test.sh down)");
        }
        try {
            upCommands().forEach(Commands::run);
        } catch (RuntimeException e) {
            down(Duration.ZERO);
            throw e;
        }
    }

    /** True when any namespace of this lab exists. */
    public boolean exists() {
        Set<String> existing = existingNamespaces();
        return namespaces().stream().anyMatch(existing::contains);
    }

    /**
     * Removes the lab: every process still running in one of its namespaces (they were all started
     * there by the lab's tools) is sent SIGTERM, then SIGKILL after {@code grace}; then the
     * namespaces go, and the cables and the bridge with them. Returns what it stopped, as text.
     */
    public List<String> down(Duration grace) {
        List<String> report = new ArrayList<>();
        Set<String> existing = existingNamespaces();
        List<ProcessHandle> running = new ArrayList<>();
        for (String ns : namespaces()) {
            if (existing.contains(ns)) {
                for (long pid : pids(ns)) {
                    ProcessHandle.of(pid).ifPresent(p -> {
                        report.add(ns + ": pid " + pid + " " + p.info().command().orElse("?"));
                        running.add(p);
                    });
                }
            }
        }
        running.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (running.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            sleep(200);
        }
        running.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : running) {
            p.onExit().join();
        }
        for (String ns : namespaces()) {
            if (existing.contains(ns)) {
                Commands.run(List.of("ip", "netns", "del", ns));
            }
        }
        return report;
    }

    /** Makes {@code cut} the lab's only cut ({@link Cut#NONE}: heals everything). */
    public void apply(Cut cut) {
        for (Cut.Link link : cut.links()) {
            host(link.a());
            host(link.b());
        }
        Commands.run(List.of("ip", "netns", "exec", switchNamespace(), "nft", "-f", "-"), cut.ruleset());
    }

    /** The command that runs {@code command} inside {@code host}'s namespace. */
    public static List<String> inside(Host host, List<String> command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        line.addAll(command);
        return line;
    }

    private static List<Long> pids(String namespace) {
        return Commands.run(List.of("ip", "netns", "pids", namespace)).lines()
                .map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    private static Set<String> existingNamespaces() {
        // "fd-1a2b-m1 (id: 3)" or just "fd-1a2b-m1"
        return Commands.run(List.of("ip", "netns", "list")).lines()
                .map(line -> line.strip().split("\\s+")[0]).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return hosts.stream().map(h -> h.name() + " " + h.address() + " (" + h.namespace() + ")")
                .collect(Collectors.joining(", ")) + "; switch " + switchNamespace();
    }

    /** Names of the hosts, for messages. */
    static String names(String... hosts) {
        return Arrays.stream(hosts).collect(Collectors.joining(", "));
    }
}
