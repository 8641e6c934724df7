package org.example.tools;

import org.example.CommandLineFlags;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The shape every command-line tool here shares. Every option is read and checked before any work
 * starts, so a typo fails at once (exit 2, with the reason), not minutes into a run; then the
 * work runs, and a failure ends it with one line naming the tool and the cause (exit 1).
 */
final class Cli {

    /** The work of a tool, with all its options already checked; returns the exit code. */
    @FunctionalInterface
    interface Work {
        int run() throws Exception;
    }

    /** Reads and checks the options (throwing {@link IllegalArgumentException} on a bad one), and returns the work. */
    @FunctionalInterface
    interface Plan {
        Work of(CommandLineFlags flags);
    }

    private Cli() {
    }

    /** 0 after {@code --help} or when the work succeeds, 1 when it fails, 2 on bad usage. */
    static int run(String tool, String synopsis, List<CommandLineFlags.Flag> flags, String[] args,
                   Map<String, String> env, PrintStream out, PrintStream err, Plan plan) {
        Work work;
        try {
            CommandLineFlags parsed = CommandLineFlags.parse(args, flags, env, synopsis);
            if (parsed.helpRequested()) {
                out.print(CommandLineFlags.usage(synopsis, flags));
                return 0;
            }
            work = plan.of(parsed);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            return work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(tool + " was interrupted");
            return 1;
        } catch (Exception e) {
            err.println(tool + " failed: " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
    }
}
