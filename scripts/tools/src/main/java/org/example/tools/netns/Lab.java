package org.example.tools.netns;

import org.example.tools.Commands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

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

    /** What to do with the lab; lower case, as the scripts write it. */
    enum Action { up, down }

    private Lab() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 when the lab is up or gone, 1 when building or removing it fails, 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    @Command(name = "Lab", description = "Builds or removes the network lab: a namespace per host, cabled to a switch namespace.")
    static final class Program implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "up|down", description = "Build the lab, or remove it and stop what runs in it")
        Action action;

        @Mixin
        LabOptions lab;

        @Spec
        CommandSpec spec;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            LabNetwork network = lab.network(spec);
            if (action == Action.up) {
                network.up();
                out.println("Lab up: " + network);
                return 0;
            }
            if (!network.exists()) {
                out.println("No lab with prefix " + lab.prefix() + ": nothing to remove.");
                return 0;
            }
            List<String> stopped = network.down(Duration.ofSeconds(20));
            stopped.forEach(p -> out.println("  stopped " + p));
            out.println("Lab down: namespaces " + String.join(", ", network.namespaces()) + " removed.");
            return 0;
        }
    }
}
