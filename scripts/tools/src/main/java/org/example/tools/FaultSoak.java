package org.example.tools;

import org.example.tools.netns.Cut;
import org.example.tools.netns.HostProcess;
import org.example.tools.netns.LabCluster;
import org.example.tools.netns.LabNetwork;
import org.example.tools.netns.MemberLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The long mixed-fault run ({@code scripts/fault-soak.sh}, not CI), inside the lab's client host:
 * one cluster on separate hosts, the job scoring in Python, 1,500 transactions/s for an hour with a
 * hostile message every few seconds, and every five minutes one of the faults a night can bring,
 * in turn, on member after member:
 * <ol>
 *   <li>a member killed (kill -9, its Python workers with it) and started again 10 s later;</li>
 *   <li>a member stopped (SIGTERM: Hazelcast's graceful shutdown) and started again;</li>
 *   <li>the broker killed (kill -9) and started again 10 s later;</li>
 *   <li>a Python worker killed;</li>
 *   <li>a member cut off from the others and the client for 60 s.</li>
 * </ol>
 * Nobody else does anything: no resume, no resubmit. Before each fault and at the end it forces a
 * full GC on every member and reads the live heap from the member's GC log. The verdict: every
 * input exactly one outcome on the decision and dead-letter topics, the hostile ones the dead
 * letter each had to be; every decision also seen in {@code predictionResult} (read as the run goes,
 * since its retention evicts the oldest) with the same score and the exact features, no prediction
 * that ever changed ({@link OutcomeLedger}); the job RUNNING at the end, and each member's live heap in the last quarter no larger
 * than in the first (the outputs are full by then) by more than a fifth. It prints the timeline of
 * faults and recoveries.
 */
public final class FaultSoak {

    /** Every fault the soak knows, in the order it takes them by default; written once, for the option's default too. */
    static final String ALL_FAULTS = "kill-member,sigterm-member,kill-broker,kill-python,isolate-member";
    static final List<String> FAULTS = List.of(ALL_FAULTS.split(","));

    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    /** One fault and what followed it. */
    record Fault(long atMs, String kind, String target, Map<String, String> recovery) {
    }

    /** A member's live heap at one time (MB after a forced full GC). */
    record HeapSample(long atMs, int member, long liveMb) {
    }

    private FaultSoak() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** 0 when the verdict holds, 1 when it does not or the run fails, 2 on bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return Commands.execute(new Program(out), args, out, err);
    }

    @Command(name = "FaultSoak", description = {
            "An hour of load with a fault every five minutes, on separate hosts; checks every outcome.",
            "Runs inside the lab's client host; scripts/fault-soak.sh runs it."})
    static final class Program implements Callable<Integer> {

        @Mixin
        LabRunOptions lab;

        @Option(names = "--minutes", defaultValue = "60", converter = Commands.PositiveLong.class,
                description = "How long the load runs")
        long minutes;

        @Option(names = "--fault-every-seconds", defaultValue = "300", converter = Commands.PositiveLong.class,
                description = "Time between faults, at least 30")
        long faultEverySeconds;

        @Option(names = "--faults", split = ",", defaultValue = ALL_FAULTS,
                description = "The faults, taken in turn, comma-separated")
        List<String> faults;

        @Option(names = "--down-seconds", defaultValue = "10", converter = Commands.PositiveLong.class,
                description = "How long a killed or stopped process stays down")
        long downSeconds;

        @Option(names = "--cut-seconds", defaultValue = "60", converter = Commands.PositiveLong.class,
                description = "How long a member stays cut off, at least 5")
        long cutSeconds;

        @Option(names = "--heap-growth-limit", defaultValue = "0.2", converter = Commands.NonNegativeNumber.class,
                description = "Largest growth of a member's live heap from the first quarter to the last")
        double heapGrowthLimit;

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
            List<String> kinds = faults.stream().map(String::strip).toList();
            for (String f : kinds) {
                if (!FAULTS.contains(f)) {
                    throw Commands.usageError(spec, "unknown fault '" + f + "'; known: " + FAULTS);
                }
            }
            Duration every = Duration.ofSeconds(Commands.atLeast(spec, "--fault-every-seconds", faultEverySeconds, 30));
            Duration cutFor = Duration.ofSeconds(Commands.atLeast(spec, "--cut-seconds", cutSeconds, 5));
            LabCluster.Settings settings = lab.clusterSettings(spec, root, lab.runDir(root));
            try (LabRun run = new LabRun(new LabCluster(network, settings), options, "transactions-soak", out)) {
                return new Soak(run, kinds, Duration.ofMinutes(minutes), every, Duration.ofSeconds(downSeconds), cutFor,
                        heapGrowthLimit, out).play() ? 0 : 1;
            }
        }
    }

    private static final class Soak {
        private final LabRun run;
        private final List<String> faultKinds;
        private final Duration length;
        private final Duration every;
        private final Duration down;
        private final Duration cutFor;
        private final double growthLimit;
        private final PrintStream out;
        private final List<Fault> faults = new ArrayList<>();
        private final List<HeapSample> heap = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();

        Soak(LabRun run, List<String> faultKinds, Duration length, Duration every, Duration down, Duration cutFor,
             double growthLimit, PrintStream out) {
            this.run = run;
            this.faultKinds = faultKinds;
            this.length = length;
            this.every = every;
            this.down = down;
            this.cutFor = cutFor;
            this.growthLimit = growthLimit;
            this.out = out;
        }

        boolean play() throws Exception {
            run.startCluster();
            run.loadReferenceData();
            run.submit();
            run.startLoad(Duration.ofSeconds(20));
            long loadStart = System.currentTimeMillis();
            long end = loadStart + length.toMillis();
            int n = 0;
            for (long next = loadStart + every.toMillis(); next + every.toMillis() / 2 < end; next += every.toMillis(), n++) {
                sleepUntil(next);
                sampleHeap();
                String kind = faultKinds.get(n % faultKinds.size());
                // Member after member; the fault kinds and the members go round at different paces,
                // so each kind meets the master too.
                int member = n % run.cluster().memberCount() + 1;
                faults.add(inflict(kind, member));
            }
            sleepUntil(end);
            sampleHeap();
            OutcomeLedger.Verdict verdict = run.finish(Duration.ofMinutes(60));
            boolean running = run.awaitRunning(Duration.ofSeconds(60));
            List<MemberLog.Event> events = run.memberEvents();
            report(verdict, running, events, loadStart);
            return failures.isEmpty();
        }

        private Fault inflict(String kind, int member) throws Exception {
            LabCluster cluster = run.cluster();
            String target = kind.equals("kill-broker") ? "the broker" : "m" + member + (member == masterNumber() ? " (the master)" : "");
            long at = System.currentTimeMillis();
            run.say("FAULT %s of %s (machine load %s)", kind, target, LabRun.machineLoad());
            run.timeline.mark(at, "FAULT: " + kind + " of " + target);
            Map<String, String> recovery = new LinkedHashMap<>();
            switch (kind) {
                case "kill-member" -> {
                    cluster.killMember(member);
                    Thread.sleep(down.toMillis());
                    cluster.startMember(member);
                    run.timeline.mark(System.currentTimeMillis(), "m" + member + " started again");
                    awaitMemberBack(member, at, recovery);
                }
                case "sigterm-member" -> {
                    HostProcess m = cluster.member(member);
                    boolean stopped = m.terminate(STOP_GRACE);
                    recovery.put("graceful shutdown", stopped ? String.format(Locale.ROOT, "%.1f s",
                            (System.currentTimeMillis() - at) / 1000.0) : "did not end in " + STOP_GRACE.toSeconds() + " s: killed");
                    if (!stopped) {
                        cluster.killMember(member);
                    }
                    cluster.leftBehind(member).forEach(ProcessHandle::destroyForcibly);
                    Thread.sleep(down.toMillis());
                    cluster.startMember(member);
                    run.timeline.mark(System.currentTimeMillis(), "m" + member + " started again");
                    awaitMemberBack(member, at, recovery);
                }
                case "kill-broker" -> {
                    cluster.kafka().kill();
                    Thread.sleep(down.toMillis());
                    long restart = System.currentTimeMillis();
                    cluster.startKafka(RECOVERY_TIMEOUT);
                    run.timeline.mark(System.currentTimeMillis(), "the broker started again");
                    recovery.put("broker serving again", seconds(System.currentTimeMillis() - at));
                    awaitSourceReading(at, recovery);
                }
                case "kill-python" -> {
                    List<ProcessHandle> workers = cluster.pythonWorkers(member);
                    if (workers.isEmpty()) {
                        failures.add("no Python worker of m" + member + " to kill at " + DrillTimeline.offset(at - run.startMs()));
                        break;
                    }
                    workers.get(0).destroyForcibly();
                    recovery.put("killed", "pid " + workers.get(0).pid());
                    long onAll = run.awaitJobOnAllMembers(at, RECOVERY_TIMEOUT);
                    recovery.put("job running on all members", onAll < 0 ? "NOT within " + RECOVERY_TIMEOUT.toSeconds() + " s" : seconds(onAll - at));
                    if (onAll < 0) {
                        failures.add("the job did not run again after the Python worker was killed at " + DrillTimeline.offset(at - run.startMs()));
                    }
                }
                case "isolate-member" -> {
                    String host = "m" + member;
                    List<String> others = new ArrayList<>(run.network().members().stream().map(LabNetwork.Host::name).toList());
                    others.add(LabNetwork.CLIENT);
                    run.network().apply(Cut.isolate(host, others, host + " cut off"));
                    Thread.sleep(cutFor.toMillis());
                    long healAt = System.currentTimeMillis();
                    run.network().apply(Cut.NONE);
                    run.timeline.mark(healAt, "HEAL: m" + member + " reachable again");
                    cluster.awaitMembers(run.allMembers(), cluster.memberCount(), RECOVERY_TIMEOUT);
                    OptionalLong merged = DrillTimeline.allSee(run.memberEvents(), Set.copyOf(run.allMembers()),
                            cluster.memberCount(), healAt);
                    recovery.put("merged", merged.isEmpty() ? "?" : seconds(merged.getAsLong() - healAt) + " after the heal");
                    long onAll = run.awaitJobOnAllMembers(healAt, RECOVERY_TIMEOUT);
                    recovery.put("job running on all members", onAll < 0 ? "NOT within " + RECOVERY_TIMEOUT.toSeconds() + " s"
                            : seconds(onAll - healAt) + " after the heal");
                    if (onAll < 0) {
                        failures.add("the job did not run on all members after the heal at " + DrillTimeline.offset(healAt - run.startMs()));
                    }
                }
                default -> throw new IllegalArgumentException(kind);
            }
            run.say("  recovered: %s", recovery);
            return new Fault(at, kind, target, recovery);
        }

        private void awaitMemberBack(int member, long at, Map<String, String> recovery) throws Exception {
            run.cluster().awaitMembers(run.allMembers(), run.cluster().memberCount(), RECOVERY_TIMEOUT);
            recovery.put("cluster whole", seconds(System.currentTimeMillis() - at));
            long onAll = run.awaitJobOnAllMembers(at + down.toMillis(), RECOVERY_TIMEOUT);
            recovery.put("job running on all members", onAll < 0 ? "NOT within " + RECOVERY_TIMEOUT.toSeconds() + " s" : seconds(onAll - at));
            if (onAll < 0) {
                failures.add("the job did not run on all members after m" + member + " came back at "
                        + DrillTimeline.offset(at - run.startMs()));
            }
        }

        /**
         * Waits until the job's Kafka source reads again: the count of records it emitted (Jet's
         * metrics, collected every 5 s) moves. Not "new input scored": behind a backlog that can
         * take minutes, and says nothing about the broker.
         */
        private void awaitSourceReading(long at, Map<String, String> recovery) throws InterruptedException {
            long before = sourceEmitted();
            long deadline = System.currentTimeMillis() + RECOVERY_TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                long now = sourceEmitted();
                if (now >= 0 && now != before) {
                    recovery.put("job reading Kafka again", seconds(System.currentTimeMillis() - at));
                    return;
                }
                Thread.sleep(1000);
            }
            recovery.put("job reading Kafka again", "NOT within " + RECOVERY_TIMEOUT.toSeconds() + " s");
            failures.add("the job did not read from Kafka again after the broker's restart at "
                    + DrillTimeline.offset(at - run.startMs()));
        }

        /** Records the job's Kafka source has emitted in its current execution, or -1 when unknown. */
        private long sourceEmitted() {
            try {
                com.hazelcast.jet.Job job = run.client().getJet().getJob(LabRun.JOB);
                if (job == null) {
                    return -1;
                }
                return job.getMetrics().get(com.hazelcast.jet.core.metrics.MetricNames.EMITTED_COUNT).stream()
                        .filter(m -> String.valueOf(m.tag(com.hazelcast.jet.core.metrics.MetricTags.VERTEX)).startsWith("kafka:"))
                        .mapToLong(com.hazelcast.jet.core.metrics.Measurement::value).sum();
            } catch (RuntimeException e) {
                return -1;
            }
        }

        /** Forces a full GC on every running member and reads what it left from the member's GC log. */
        private void sampleHeap() throws IOException, InterruptedException {
            long before = System.currentTimeMillis();
            for (int i = 1; i <= run.cluster().memberCount(); i++) {
                HostProcess member = run.cluster().member(i);
                if (member == null || !member.isAlive()) {
                    continue;
                }
                ProcessHandle handle = ProcessHandle.of(member.pid()).orElse(null);
                if (handle == null || !LocalProcesses.jcmd(handle, "GC.run")) {
                    run.say("(could not force a GC on m%d)", i);
                    continue;
                }
                List<Path> logs = run.cluster().gcLogs(i);
                List<GcLogs.Point> full = GcLogs.fullCollections(logs.get(logs.size() - 1), before, System.currentTimeMillis() + 1000);
                if (!full.isEmpty()) {
                    heap.add(new HeapSample(full.get(full.size() - 1).timeMs(), i, full.get(full.size() - 1).heapAfterMb()));
                }
            }
        }

        private void report(OutcomeLedger.Verdict verdict, boolean running, List<MemberLog.Event> events, long loadStart) {
            out.println();
            out.println("==================== fault soak: faults and recoveries ====================");
            for (Fault f : faults) {
                out.printf(Locale.ROOT, "  %s  %-15s %-16s %s%n", DrillTimeline.offset(f.atMs() - loadStart), f.kind(), f.target(),
                        f.recovery());
            }
            int[] perSecond = run.ledger().storesPerSecond();
            out.println();
            out.println("Longest time without a stored prediction after each fault:");
            for (Fault f : faults) {
                int from = (int) ((f.atMs() - run.startMs()) / 1000);
                int[] stall = DrillTimeline.longestStall(perSecond, from, from + (int) every.toSeconds() - 5);
                out.printf(Locale.ROOT, "  %s  %-15s %3d s%n", DrillTimeline.offset(f.atMs() - loadStart), f.kind(), stall[1]);
            }
            out.println();
            out.println("Members' events (from their logs; retries folded):");
            for (MemberLog.Event e : events) {
                if (e.timeMs() >= loadStart && (e.kind() == MemberLog.Kind.CLUSTER_SIZE || e.kind() == MemberLog.Kind.MERGING
                        || e.kind() == MemberLog.Kind.SUSPENDED || e.kind() == MemberLog.Kind.RESUMED
                        || e.kind() == MemberLog.Kind.QUORUM_ABSENT)) {
                    run.timeline.note(e.timeMs(), "m" + e.member(), e.kind() + (e.size() >= 0 ? " " + e.size() : "")
                            + (e.detail().isEmpty() ? "" : " " + e.detail()));
                }
            }
            run.timeline.print(out, loadStart, loadStart);
            // A member suspected while no fault was made to any member: the 10-s failure
            // detection misjudging a busy member (docs/DESIGN.md, "Network partitions").
            List<long[]> memberFaults = faults.stream().filter(f -> !f.kind().equals("kill-broker") && !f.kind().equals("kill-python"))
                    .map(f -> new long[]{f.atMs(), f.atMs() + cutFor.toMillis() + down.toMillis() + RECOVERY_TIMEOUT.toMillis()})
                    .toList();
            List<MemberLog.Event> unexpected = DrillTimeline.suspicionsOutside(events, memberFaults);
            out.println();
            out.printf("Members suspected while no member fault was under way: %s%n",
                    unexpected.isEmpty() ? "none" : unexpected.size() + ", e.g. " + unexpected);
            out.println();
            out.println("Live heap after a forced full GC (MB), per member:");
            judgeHeap(loadStart);
            out.println();
            out.println("Outcomes:");
            boolean outcomesOk = run.report(verdict);
            out.printf("  job                   %s at the end, with nobody resuming or resubmitting it%n",
                    running ? "RUNNING" : "NOT RUNNING");
            if (!running) {
                failures.add("the job is not RUNNING at the end");
            }
            if (!outcomesOk) {
                failures.add(verdict.problemCount() + " problems with the outcomes");
            }
            failures.forEach(f -> out.println("  FAILED: " + f));
            out.println(failures.isEmpty() ? "FAULT SOAK PASSED" : "FAULT SOAK FAILED");
        }

        private void judgeHeap(long loadStart) {
            long quarter = length.toMillis() / 4;
            for (int i = 1; i <= run.cluster().memberCount(); i++) {
                int member = i;
                List<HeapSample> samples = heap.stream().filter(s -> s.member() == member).toList();
                StringBuilder line = new StringBuilder();
                samples.forEach(s -> line.append(String.format(Locale.ROOT, " %s:%d", DrillTimeline.offset(s.atMs() - loadStart), s.liveMb())));
                out.printf("  m%d%s%n", member, line);
                // The outputs fill to their retention caps in the first ten minutes: the first
                // quarter's samples after that are the baseline.
                double first = samples.stream().filter(s -> s.atMs() - loadStart <= quarter && s.atMs() - loadStart >= quarter * 2 / 3)
                        .mapToLong(HeapSample::liveMb).average().orElse(Double.NaN);
                double last = samples.stream().filter(s -> s.atMs() - loadStart >= 3 * quarter)
                        .mapToLong(HeapSample::liveMb).average().orElse(Double.NaN);
                String verdict = Double.isNaN(first) || Double.isNaN(last) ? "not enough samples"
                        : String.format(Locale.ROOT, "first quarter %.0f MB, last quarter %.0f MB (%+.0f %%)", first, last,
                        100 * (last - first) / first);
                out.printf("      %s%n", verdict);
                if (!Double.isNaN(first) && !Double.isNaN(last) && last > first * (1 + growthLimit)) {
                    failures.add("m" + member + "'s live heap grew from " + Math.round(first) + " MB to " + Math.round(last) + " MB");
                }
            }
        }

        private int masterNumber() {
            try {
                String address = run.client().getCluster().getMembers().iterator().next().getAddress().getHost();
                for (LabNetwork.Host h : run.network().members()) {
                    if (h.address().equals(address)) {
                        return Integer.parseInt(h.name().substring(1));
                    }
                }
            } catch (RuntimeException e) {
                // Unknown for the moment.
            }
            return -1;
        }

        private static String seconds(long ms) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }

        private static void sleepUntil(long timeMs) throws InterruptedException {
            long wait = timeMs - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
    }
}
