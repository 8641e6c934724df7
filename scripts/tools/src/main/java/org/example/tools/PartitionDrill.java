package org.example.tools;

import com.hazelcast.cluster.Member;
import org.example.records.Json;
import org.example.tools.netns.Cut;
import org.example.tools.netns.HostProcess;
import org.example.tools.netns.LabCluster;
import org.example.tools.netns.LabNetwork;
import org.example.tools.netns.MemberLog;
import org.example.tools.netns.MinorityProbe;
import org.example.tools.netns.PredictionDigest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The network-partition drill ({@code scripts/partition-test.sh}), run inside the lab's client
 * host: for each scenario a fresh cluster on separate hosts ({@link LabNetwork}), the job submitted
 * with hz-cli, load at 1,500 transactions/s with hostile messages among it, and, once the job has
 * a snapshot of the card histories, one cut held for a minute while every process keeps running:
 * <ul>
 *   <li>{@code isolate-member}: a member that is not the master loses the other members and the
 *   client, but still reaches Kafka, so it could read on if nothing stopped it;</li>
 *   <li>{@code isolate-master}: the same for the master;</li>
 *   <li>{@code broker-unreachable}: one member loses the broker, and only the broker.</li>
 * </ul>
 * Then the cut heals, and the drill waits until the job runs on all members again, with nobody
 * doing anything. Its verdict: every input exactly one outcome, the hostile ones the dead letter
 * each had to be; every feature exact against the offline computation; no transaction with two
 * different predictions, on either side of the split or before and after a replay; the minority
 * wrote nothing once it saw the split, never started the job, and said RUNNING only until it first
 * refused to restart it ({@link #minorityRunning}); the job RUNNING at the end. It prints
 * each scenario's timeline, from the members' logs, and the times the design is argued with.
 */
public final class PartitionDrill {

    /** Every scenario, in the order the drill runs them by default; written once, for the option's default too. */
    static final String ALL_SCENARIOS = "isolate-member,isolate-master,broker-unreachable";
    static final List<String> SCENARIOS = List.of(ALL_SCENARIOS.split(","));

    private static final Duration OUTCOME_TIMEOUT = Duration.ofMinutes(10);

    /** What one scenario measured, for the summary. */
    record Result(String scenario, boolean passed, Map<String, String> figures) {
    }

    private PartitionDrill() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 when every scenario passes, 1 when one fails, 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    @Command(name = "PartitionDrill", description = {
            "Cuts the network of a running pipeline on separate hosts and checks every outcome.",
            "Runs inside the lab's client host; scripts/partition-test.sh runs it."})
    static final class Program implements Callable<Integer> {

        @Mixin
        LabRunOptions lab;

        @Option(names = "--scenarios", split = ",", defaultValue = ALL_SCENARIOS,
                description = "Scenarios to run, in order, comma-separated")
        List<String> scenarios;

        @Option(names = "--cut-seconds", defaultValue = "60", converter = Commands.PositiveLong.class,
                description = "How long a cut lasts, at least 10")
        long cutSeconds;

        @Option(names = "--settle-seconds", defaultValue = "20", converter = Commands.NonNegativeLong.class,
                description = "Load that goes on after the job runs on all members again")
        long settleSeconds;

        @Option(names = "--recovery-timeout-seconds", defaultValue = "300", converter = Commands.PositiveLong.class,
                description = "How long after the heal the job may take to run on all members again, at least 30")
        long recoveryTimeoutSeconds;

        @Spec
        CommandSpec spec;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            Path root = Path.of("").toAbsolutePath();
            LabNetwork network = lab.network(spec);
            LabRun.Options options = lab.options(spec, root);
            List<String> names = scenarios.stream().map(String::strip).toList();
            for (String s : names) {
                if (!SCENARIOS.contains(s)) {
                    throw Commands.usageError(spec, "unknown scenario '" + s + "'; known: " + SCENARIOS);
                }
            }
            Duration cut = Duration.ofSeconds(Commands.atLeast(spec, "--cut-seconds", cutSeconds, 10));
            Duration settle = Duration.ofSeconds(settleSeconds);
            Duration recovery = Duration.ofSeconds(Commands.atLeast(spec, "--recovery-timeout-seconds", recoveryTimeoutSeconds, 30));
            Path runDir = lab.runDir(root);
            lab.clusterSettings(spec, root, runDir);
            List<Result> results = new ArrayList<>();
            for (String scenario : names) {
                LabCluster cluster = new LabCluster(network, lab.clusterSettings(spec, root, runDir.resolve(scenario)));
                out.printf("%n==================== %s ====================%n", scenario);
                long started = System.currentTimeMillis();
                try (LabRun run = new LabRun(cluster, options, "transactions-" + scenario, out)) {
                    Result result = new Drill(run, scenario, cut, settle, recovery, out).play();
                    results.add(result);
                    out.printf(Locale.ROOT, "%s: %s in %.0f s%n", scenario, result.passed() ? "PASSED" : "FAILED",
                            (System.currentTimeMillis() - started) / 1000.0);
                }
            }
            out.printf("%n==================== partition drill: summary ====================%n");
            for (Result r : results) {
                out.printf("  %-20s %s%n", r.scenario(), r.passed() ? "passed" : "FAILED");
                r.figures().forEach((name, value) -> out.printf("      %-40s %s%n", name, value));
            }
            boolean passed = results.stream().allMatch(Result::passed) && results.size() == names.size();
            out.println(passed ? "PARTITION DRILL PASSED" : "PARTITION DRILL FAILED");
            return passed ? 0 : 1;
        }
    }

    /**
     * What is wrong with the job statuses the cut-off side gave once it was alone, if anything.
     * A member that loses the others while it coordinates the job (the master) still answers
     * RUNNING for the moment it takes to tear down the execution that lost its members: Jet
     * finishes that execution, then tries to restart the job, and only that attempt meets the
     * quorum check and is refused. So a RUNNING answer is wrong when it comes after the first
     * refused restart, or when no restart was ever refused: then a job may really have run there.
     * Whether the side stored anything once alone is judged apart, from what it holds.
     */
    static Optional<String> minorityRunning(List<MinorityProbe.Sample> samples, long aloneAt, OptionalLong firstRefusal) {
        List<MinorityProbe.Sample> running = samples.stream().filter(s -> s.timeMs() > aloneAt && s.job().equals("RUNNING")).toList();
        if (running.isEmpty()) {
            return Optional.empty();
        }
        long last = running.get(running.size() - 1).timeMs();
        if (firstRefusal.isEmpty()) {
            return Optional.of("the job was RUNNING on the cut-off side once it was alone (" + running.size()
                    + " answers) and it never refused a restart for want of a quorum");
        }
        if (last > firstRefusal.getAsLong()) {
            return Optional.of(String.format(Locale.ROOT, "the job was RUNNING on the cut-off side %.1f s after"
                    + " it had refused to restart it for want of a quorum", (last - firstRefusal.getAsLong()) / 1000.0));
        }
        return Optional.empty();
    }

    /** One scenario on one fresh lab cluster. */
    private static final class Drill {
        private final LabRun run;
        private final String scenario;
        private final Duration cutFor;
        private final Duration settle;
        private final Duration recovery;
        private final PrintStream out;
        private final Map<String, String> figures = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();

        Drill(LabRun run, String scenario, Duration cutFor, Duration settle, Duration recovery, PrintStream out) {
            this.run = run;
            this.scenario = scenario;
            this.cutFor = cutFor;
            this.settle = settle;
            this.recovery = recovery;
            this.out = out;
        }

        Result play() throws Exception {
            run.startCluster();
            run.loadReferenceData();
            run.submit();
            run.startLoad(Duration.ofSeconds(10));
            // A few seconds of steady scoring after the snapshot, so the cut meets a job at work.
            Thread.sleep(5_000);
            LabNetwork network = run.network();
            int master = masterNumber();
            int victim = switch (scenario) {
                case "isolate-master" -> master;
                case "isolate-member" -> IntStream.rangeClosed(1, run.cluster().memberCount()).map(i -> run.cluster().memberCount() + 1 - i)
                        .filter(i -> i != master).findFirst().orElseThrow();
                default -> IntStream.rangeClosed(1, run.cluster().memberCount()).filter(i -> i != master).findFirst().orElseThrow();
            };
            String host = network.member(victim).name();
            Cut cut = scenario.equals("broker-unreachable")
                    ? Cut.between(host, LabNetwork.KAFKA, host + " cannot reach the broker; everything else can")
                    : Cut.isolate(host, otherHosts(network, host), host + (victim == master ? " (the master)" : "")
                            + " cut off from the other members and the client; it still reaches the broker");
            long cutAt = System.currentTimeMillis();
            network.apply(cut);
            run.timeline.mark(cutAt, "CUT: " + cut.description());
            String loadAtCut = LabRun.machineLoad();
            run.say("cut: %s", cut.description());
            Path probeOut = run.cluster().settings().runDir().resolve("minority-probe");
            HostProcess probe = scenario.equals("broker-unreachable") ? null : run.cluster().startTool(host, "minority-probe",
                    List.of(MinorityProbe.class.getName(), "--address", network.member(victim).address() + ":" + LabCluster.MEMBER_PORT,
                            "--since-ms", String.valueOf(cutAt), "--seconds", String.valueOf(Math.max(5, cutFor.toSeconds() - 8)),
                            "--out", probeOut.toString()));
            watchJob(cutAt + cutFor.toMillis());
            if (probe != null && !probe.awaitExit(Duration.ofSeconds(30))) {
                probe.kill();
                failures.add("the minority probe did not finish before the heal; see " + probe.log());
            }
            long healAt = System.currentTimeMillis();
            network.apply(Cut.NONE);
            run.timeline.mark(healAt, "HEAL: the network is whole again");
            figures.put("machine load (1-minute average)", "at the cut " + loadAtCut + ", at the heal " + LabRun.machineLoad()
                    + " (2 cores, shared)");
            run.say("healed after %d s", (healAt - cutAt) / 1000);
            run.cluster().awaitMembers(run.allMembers(), run.cluster().memberCount(), recovery);
            if (probe != null) {
                // A split: the job left the cut-off member and must come back to it by itself.
                long onAll = run.awaitJobOnAllMembers(healAt, recovery);
                if (onAll < 0) {
                    failures.add("the job did not run on all members within " + recovery.toSeconds() + " s of the heal");
                } else {
                    run.say("the job runs on all %d members again", run.cluster().memberCount());
                }
            }
            Thread.sleep(settle.toMillis());
            OutcomeLedger.Verdict verdict = run.finish(OUTCOME_TIMEOUT);
            boolean running = run.awaitRunning(Duration.ofSeconds(30));
            List<MemberLog.Event> events = run.memberEvents();
            addMemberEvents(events, run.startMs());
            int[] perSecond = run.ledger().storesPerSecond();
            List<MemberLog.Event> unexpected = DrillTimeline.suspicionsOutside(events,
                    scenario.equals("broker-unreachable") ? List.of() : List.of(new long[]{cutAt, healAt}));
            figures.put("members suspected outside the cut", unexpected.isEmpty() ? "none"
                    : unexpected.size() + ", e.g. " + unexpected.get(0));
            if (scenario.equals("broker-unreachable")) {
                judgeBrokerCut(events, victim, cutAt, healAt);
            } else {
                judgeSplit(events, victim, cutAt, healAt, perSecond, probeOut);
            }
            out.println();
            out.println("Timeline (from the cut; members' events from their logs):");
            run.timeline.print(out, cutAt, cutAt - 30_000);
            out.println();
            out.println("Outcomes:");
            boolean outcomesOk = run.report(verdict);
            out.printf("  job                   %s at the end%n", running ? "RUNNING" : "NOT RUNNING: " + run.jobStatus());
            if (!running) {
                failures.add("the job is not RUNNING at the end");
            }
            if (!outcomesOk) {
                failures.add(verdict.problemCount() + " problems with the outcomes");
            }
            figures.forEach((name, value) -> out.printf("  %-40s %s%n", name, value));
            failures.forEach(f -> out.println("  FAILED: " + f));
            return new Result(scenario, failures.isEmpty(), figures);
        }

        /** Prints each change of the job's status until {@code untilMs}. */
        private void watchJob(long untilMs) throws InterruptedException {
            JobWatch watch = new JobWatch(run.client(), LabRun.JOB, out, JobWatch.DEFAULT_GRACE);
            while (System.currentTimeMillis() < untilMs) {
                try {
                    watch.problem();
                } catch (RuntimeException e) {
                    // The cluster is changing under the client: look again in a moment.
                }
                Thread.sleep(Math.min(1000, Math.max(1, untilMs - System.currentTimeMillis())));
            }
        }

        private int masterNumber() {
            Member oldest = run.client().getCluster().getMembers().iterator().next();
            String address = oldest.getAddress().getHost();
            for (LabNetwork.Host h : run.network().members()) {
                if (h.address().equals(address)) {
                    return Integer.parseInt(h.name().substring(1));
                }
            }
            throw new IllegalStateException("the master " + address + " is no host of the lab");
        }

        private static List<String> otherHosts(LabNetwork network, String host) {
            List<String> others = new ArrayList<>(network.members().stream().map(LabNetwork.Host::name).toList());
            others.add(LabNetwork.CLIENT);
            others.remove(host);
            return others;
        }

        private void addMemberEvents(List<MemberLog.Event> events, long fromMs) {
            for (MemberLog.Event e : events) {
                if (e.timeMs() >= fromMs && (e.job().isEmpty() || e.job().equals(LabRun.JOB))) {
                    run.timeline.note(e.timeMs(), "m" + e.member(), describe(e));
                }
            }
        }

        private static String describe(MemberLog.Event e) {
            return switch (e.kind()) {
                case CLUSTER_SIZE -> "sees a cluster of " + e.size();
                case SUSPECTED -> "suspects " + e.detail() + " (no heartbeat)";
                case MERGING -> "merges into the cluster of " + e.detail();
                case EXECUTION_STARTED -> "runs the job (execution " + e.detail() + ")";
                case RESTORING -> "restores the job from snapshot " + e.size();
                case QUORUM_ABSENT -> "does not start the job: quorum of " + e.size() + " not met";
                case SCALE_UP -> "restarts the job to use the added member";
                case SUSPENDED -> "supervisor: the job was suspended: " + e.detail();
                case RESUMED -> "supervisor: resumed the job";
                case NOT_SAFE -> "does not restart the job yet: partitions still moving";
                case MIGRATIONS_DONE -> "all partitions in place (backups made anew)";
            };
        }

        private void judgeSplit(List<MemberLog.Event> events, int victim, long cutAt, long healAt, int[] perSecond,
                                Path probeOut) throws IOException {
            Set<Integer> all = Set.copyOf(run.allMembers());
            Set<Integer> majority = all.stream().filter(i -> i != victim).collect(Collectors.toSet());
            OptionalLong detected = DrillTimeline.allSee(events, majority, majority.size(), cutAt);
            OptionalLong alone = DrillTimeline.allSee(events, Set.of(victim), 1, cutAt);
            OptionalLong majorityRuns = DrillTimeline.runningOn(events, LabRun.JOB, majority, cutAt);
            OptionalLong merged = DrillTimeline.allSee(events, all, all.size(), healAt);
            OptionalLong onAll = DrillTimeline.runningOn(events, LabRun.JOB, all, healAt);
            List<MemberLog.Event> refusals = events.stream().filter(e -> e.member() == victim && e.kind() == MemberLog.Kind.QUORUM_ABSENT
                    && e.timeMs() >= cutAt && e.timeMs() <= healAt && e.job().equals(LabRun.JOB)).toList();
            long quorumRefusals = refusals.size();
            boolean minorityRan = events.stream().anyMatch(e -> e.member() == victim && e.kind() == MemberLog.Kind.EXECUTION_STARTED
                    && e.timeMs() > cutAt && e.timeMs() < healAt && e.job().equals(LabRun.JOB));
            int cutSecond = (int) ((cutAt - run.startMs()) / 1000);
            int healSecond = (int) ((healAt - run.startMs()) / 1000);
            int[] stall = DrillTimeline.longestStall(perSecond, cutSecond, healSecond);
            int scoringAgain = majorityRuns.isPresent()
                    ? DrillTimeline.firstStoreFrom(perSecond, (int) ((majorityRuns.getAsLong() - run.startMs()) / 1000)) : -1;

            figure("split seen by the majority", detected, cutAt, "after the cut");
            figure("split seen by the cut-off member", alone, cutAt, "after the cut");
            figure("job running on the majority", majorityRuns, cutAt, "after the cut");
            figures.put("majority scoring again", scoringAgain < 0 ? "never"
                    : String.format(Locale.ROOT, "%d s after the cut (nothing stored for %d s in a row)",
                    scoringAgain - cutSecond, stall[1]));
            figure("cluster merged", merged, healAt, "after the heal");
            figure("job on all members again", onAll, healAt, "after the heal");
            figures.put("minority: job restarts refused", quorumRefusals + " times (quorum not met), never started: "
                    + (minorityRan ? "NO, it ran" : "yes"));
            if (detected.isEmpty()) {
                failures.add("the majority never saw the split");
            }
            if (majorityRuns.isEmpty()) {
                failures.add("the job never ran on the majority during the split");
            }
            if (minorityRan) {
                failures.add("the job started on the cut-off member during the split");
            }
            if (merged.isEmpty()) {
                failures.add("the cluster did not merge after the heal");
            }
            judgeProbe(probeOut, alone.orElse(Long.MAX_VALUE), refusals.stream().mapToLong(MemberLog.Event::timeMs).min(), cutAt);
        }

        /** What the cut-off side stored and saw, against what the cluster keeps. */
        private void judgeProbe(Path probeOut, long aloneAt, OptionalLong firstRefusal, long cutAt) throws IOException {
            Path samples = Path.of(probeOut + ".samples.jsonl");
            Path stored = Path.of(probeOut + ".stored.jsonl");
            if (!Files.exists(stored)) {
                failures.add("the minority probe wrote no result (" + stored + ")");
                return;
            }
            List<MinorityProbe.Sample> seen = new ArrayList<>();
            for (String line : Files.readAllLines(samples)) {
                seen.add(Json.MAPPER.readValue(line, MinorityProbe.Sample.class));
            }
            Map<String, Long> statuses = seen.stream().filter(s -> s.timeMs() > aloneAt)
                    .collect(Collectors.groupingBy(MinorityProbe.Sample::job, LinkedHashMap::new, Collectors.counting()));
            figures.put("minority: job status once alone", (statuses.isEmpty() ? "(no sample after it was alone)"
                    : statuses.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", ")))
                    + (firstRefusal.isEmpty() ? "; no restart refused" : String.format(Locale.ROOT,
                    "; alone %.1f s after the cut, first restart refused %.1f s after it", (aloneAt - cutAt) / 1000.0,
                    (firstRefusal.getAsLong() - cutAt) / 1000.0)));
            minorityRunning(seen, aloneAt, firstRefusal).ifPresent(failures::add);
            List<PredictionDigest> minority = new ArrayList<>();
            for (String line : Files.readAllLines(stored)) {
                minority.add(Json.MAPPER.readValue(line, PredictionDigest.class));
            }
            long late = minority.stream().filter(d -> d.storedTimeMs() > aloneAt).count();
            long lastMs = minority.stream().mapToLong(PredictionDigest::storedTimeMs).max().orElse(cutAt);
            long differ = 0;
            long missing = 0;
            for (PredictionDigest d : minority) {
                OptionalLong kept = run.ledger().predictionHash(d.originPartition(), d.originOffset());
                if (kept.isEmpty()) {
                    missing++;
                } else if (kept.getAsLong() != d.outcomeHash()) {
                    differ++;
                }
            }
            figures.put("minority: predictions it stored after the cut", String.format(Locale.ROOT,
                    "%,d, the last %.1f s after the cut; after it saw the split: %d", minority.size(),
                    (lastMs - cutAt) / 1000.0, late));
            figures.put("minority: its predictions against the cluster's", String.format(Locale.ROOT,
                    "%,d the same, %d different, %d not in the cluster", minority.size() - differ - missing, differ, missing));
            if (late > 0) {
                failures.add(late + " predictions stored on the cut-off side after it saw the split");
            }
            if (differ > 0 || missing > 0) {
                failures.add("the cut-off side's predictions disagree with the cluster's: " + differ + " different, "
                        + missing + " missing");
            }
        }

        private void judgeBrokerCut(List<MemberLog.Event> events, int victim, long cutAt, long healAt) {
            boolean memberLost = events.stream().anyMatch(e -> e.kind() == MemberLog.Kind.CLUSTER_SIZE
                    && e.size() < run.cluster().memberCount() && e.timeMs() >= cutAt);
            long restarts = events.stream().filter(e -> e.kind() == MemberLog.Kind.EXECUTION_STARTED && e.member() == 1
                    && e.job().equals(LabRun.JOB) && e.timeMs() >= cutAt).count();
            figures.put("members lost", memberLost ? "YES" : "none: the cluster stayed whole");
            figures.put("job executions started since the cut", String.valueOf(restarts));
            int cutSecond = (int) ((cutAt - run.startMs()) / 1000);
            int healSecond = (int) ((healAt - run.startMs()) / 1000);
            // Each Kafka partition's longest time without a stored prediction, from the cut to a
            // minute after the heal: those read on the member without the broker stall for about
            // the cut (less what its consumer had fetched ahead), the others must not.
            List<String> stalls = new ArrayList<>();
            List<String> stalled = new ArrayList<>();
            int caughtUp = 0;
            for (int p : run.ledger().partitions().stream().sorted().toList()) {
                int[] stall = DrillTimeline.longestStall(run.ledger().storesPerSecond(p), cutSecond, healSecond + 60);
                stalls.add(p + ":" + stall[1]);
                if (stall[1] >= (healSecond - cutSecond) / 2) {
                    stalled.add(String.valueOf(p));
                    caughtUp = Math.max(caughtUp, stall[0] + stall[1] - healSecond);
                }
            }
            figures.put("longest stall per Kafka partition (s)", String.join(" ", stalls));
            figures.put("partitions stalled over half the cut", stalled.isEmpty() ? "none"
                    : String.join(", ", stalled) + " (read on m" + victim + "), scoring again " + caughtUp + " s after the heal");
            if (memberLost) {
                failures.add("a member left the cluster although only the broker was cut off");
            }
        }

        private void figure(String name, OptionalLong at, long from, String what) {
            figures.put(name, at.isEmpty() ? "never" : String.format(Locale.ROOT, "%.1f s %s", (at.getAsLong() - from) / 1000.0, what));
        }
    }
}
