package org.example.tools.netns;

import org.example.CommandLineFlags;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Builds and removes the network lab ({@link LabNetwork}) from the machine's own namespace, where
 * {@code ip netns} can create namespaces; the drills then run inside the lab's client host. As
 * root. {@code scripts/partition-test.sh} calls it before and after a run (and {@code down} alone
 * removes a lab that an interrupted run left).
 *
 * <pre>
 *   Lab up   [--lab-prefix fd-1a2b-] [--lab-subnet 10.250.0] [--lab-members 3]
 *   Lab down [same]
 * </pre>
 */
public final class Lab {

    static final String SYNOPSIS = "Builds or removes the network lab: a namespace per host, cabled to a switch namespace.\n"
            + "usage: Lab up|down [options]";

    /** The lab's identity; the drills take the same flags, so both sides agree on names and addresses. */
    public static final List<CommandLineFlags.Flag> FLAGS = List.of(
            CommandLineFlags.Flag.option("lab-prefix", "LAB_PREFIX", "fd-", "Prefix of the lab's network namespaces"),
            CommandLineFlags.Flag.option("lab-subnet", "LAB_SUBNET", "10.250.0", "First three octets of the lab's addresses"),
            CommandLineFlags.Flag.option("lab-members", "LAB_MEMBERS", "3", "Hazelcast member hosts"));

    private Lab() {
    }

    public static LabNetwork network(CommandLineFlags flags) {
        return LabNetwork.of(flags.get("lab-prefix"), flags.get("lab-subnet"), flags.getInt("lab-members", 1));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || !List.of("up", "down", "--help", "-h").contains(args[0])) {
            err.println(SYNOPSIS);
            return 2;
        }
        String action = args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, action.startsWith("-") ? 0 : 1, args.length);
        CommandLineFlags flags;
        LabNetwork network;
        try {
            flags = CommandLineFlags.parse(rest, FLAGS, env, SYNOPSIS);
            if (flags.helpRequested()) {
                out.print(CommandLineFlags.usage(SYNOPSIS, FLAGS));
                return 0;
            }
            network = network(flags);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            if (action.equals("up")) {
                network.up();
                out.println("Lab up: " + network);
            } else {
                if (!network.exists()) {
                    out.println("No lab with prefix " + flags.get("lab-prefix") + ": nothing to remove.");
                    return 0;
                }
                List<String> stopped = network.down(Duration.ofSeconds(20));
                stopped.forEach(p -> out.println("  stopped " + p));
                out.println("Lab down: namespaces " + String.join(", ", network.namespaces()) + " removed.");
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("Lab " + action + " failed: " + e.getMessage());
            return 1;
        }
    }
}
