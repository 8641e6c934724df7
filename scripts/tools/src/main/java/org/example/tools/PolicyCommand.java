package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import org.example.definition.Names;
import org.example.policy.PolicyChange;
import org.example.policy.PolicyFollower;
import org.example.policy.PolicyRefused;
import org.example.policy.PolicyStore;
import org.example.policy.ScoringPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Changes the scoring policy while the job runs (scripts/policy.sh): the thresholds between
 * APPROVE, REVIEW and DECLINE, per model version or for every model. Each member follows map
 * {@code scoringPolicy} within about a second; nothing is submitted or restarted. A policy that
 * makes no sense is refused with its reason and the old one stays; every change is kept in map
 * {@code policyAudit}.
 */
@Command(name = "policy", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sets and shows the scoring policy (band thresholds) of the running fraud-detection job.",
        subcommands = {PolicyCommand.Set.class, PolicyCommand.Show.class, PolicyCommand.History.class})
public final class PolicyCommand {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** 0 done, 1 refused or failed, 2 bad usage. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new PolicyCommand()).setOut(out).setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println((e instanceof PolicyRefused ? "policy refused, nothing changed: " : "policy "
                    + line.getCommandName() + " failed: ") + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        return commandLine.execute(args);
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Sets the thresholds of a model version (or of every model without its own, '*').")
    static final class Set implements Callable<Integer> {
        @Mixin
        ClusterClient connection;

        @Option(names = "--model-version", required = true,
                description = "The model the policy is for, or '" + ScoringPolicy.EVERY_MODEL + "' for every model without its own")
        String modelVersion;

        @Option(names = "--review-from", required = true, description = "REVIEW from this probability, e.g. 0.05")
        String reviewFrom;

        @Option(names = "--decline-from", required = true, description = "DECLINE from this probability, e.g. 0.2")
        String declineFrom;

        @Option(names = "--by", required = true, description = "Who makes the change: kept in the audit")
        String by;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            // Checked before connecting: a typo is refused at once, and nothing is written.
            double review = ScoringPolicy.threshold("review-from", reviewFrom);
            double decline = ScoringPolicy.threshold("decline-from", declineFrom);
            ScoringPolicy.of(modelVersion, review, decline, 1, by, 0);
            HazelcastInstance client = connection.connect();
            try {
                PolicyStore store = new PolicyStore(client);
                ScoringPolicy before = store.policy(modelVersion).orElse(null);
                ScoringPolicy after = store.set(modelVersion, review, decline, by, System.currentTimeMillis());
                PrintWriter out = spec.commandLine().getOut();
                out.printf("policy %s: review from %s, decline from %s (was %s), by %s%n", after.policyVersion(),
                        after.reviewFrom(), after.declineFrom(), before == null ? "the model's default"
                                : "review from " + before.reviewFrom() + ", decline from " + before.declineFrom(), by);
                out.printf("every member decides by it within about %d ms; the audit entry is %s in map '%s'%n",
                        2 * PolicyFollower.POLL_MS, after.policyVersion(), Names.POLICY_AUDIT_MAP);
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The policies set, by model version.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClusterClient connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            HazelcastInstance client = connection.connect();
            try {
                PrintWriter out = spec.commandLine().getOut();
                List<ScoringPolicy> policies = new PolicyStore(client).all().values().stream()
                        .sorted(Comparator.comparing(ScoringPolicy::modelVersion)).toList();
                if (policies.isEmpty()) {
                    out.println("no policy set: each model decides by its metadata (DECLINE from its threshold)");
                }
                for (ScoringPolicy p : policies) {
                    out.printf("%-28s review from %-8s decline from %-8s revision %d, by %s at %s%n", p.modelVersion(),
                            p.reviewFrom(), p.declineFrom(), p.revision(), p.setBy(), Instant.ofEpochMilli(p.setAtMs()));
                }
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Every change of the policies, oldest first.")
    static final class History implements Callable<Integer> {
        @Mixin
        ClusterClient connection;

        @Option(names = "--model-version", description = "Only this key's changes")
        String modelVersion;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            HazelcastInstance client = connection.connect();
            try {
                PrintWriter out = spec.commandLine().getOut();
                for (PolicyChange c : new PolicyStore(client).history(modelVersion)) {
                    out.printf("%s %-28s by %-12s review %s -> %s, decline %s -> %s%n", Instant.ofEpochMilli(c.atMs()),
                            c.key(), c.by(), c.oldReviewFrom() == null ? "default" : c.oldReviewFrom(), c.newReviewFrom(),
                            c.oldDeclineFrom() == null ? "default" : c.oldDeclineFrom(), c.newDeclineFrom());
                }
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }
}
