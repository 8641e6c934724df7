package org.example;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.BatchSource;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.Sinks;
import org.example.tokens.CardTokens;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;

/**
 * Before the job is submitted: what each member brings. A one-item batch job runs on each member
 * and reports two things.
 *
 * <p>Its card-token key's fingerprint ({@link CardTokens#fingerprint()}, which names the key
 * without revealing it), or why it has no usable key. The job refuses to start unless all members have one
 * and agree: a member without it could not read a single message, and members with different keys
 * would split a card's history between two tokens.
 *
 * <p>The parallelism of its JVM's common fork-join pool. The JVM makes it one less than the cores,
 * so 1 on two cores, and at 1 Hazelcast (like the JDK's {@code CompletableFuture}) runs each
 * asynchronous completion on a new thread: hundreds a second under load, which stalled a member
 * for hundreds of ms (docs/BENCHMARK.md). The job runs either way; the submitter is warned, with
 * the flag that fixes it.
 */
final class MemberCheck {

    /** The member option that keeps asynchronous completions on a pool of threads. */
    static final String COMMON_POOL_OPTION = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2";

    /**
     * What one member reported.
     *
     * @param member                its address
     * @param key                   its key's {@link CardTokens#fingerprint()}, or "!" and why it has none
     * @param commonPoolParallelism {@link ForkJoinPool#getCommonPoolParallelism()} in its JVM
     */
    record Report(String member, String key, int commonPoolParallelism) {
    }

    private MemberCheck() {
    }

    /** Each member's report, in the order of their addresses, from a one-item batch job on every member. */
    static List<Report> ask(HazelcastInstance hz) {
        String list = "memberCheck-" + UUID.randomUUID();
        // Each report travels as text, not as a Report: hz-cli's client reads the list with a class
        // loader that does not see the job's classes.
        BatchSource<String> perMember = SourceBuilder
                .batch("member check", ctx -> ctx.hazelcastInstance().getCluster().getLocalMember().getAddress().toString())
                .<String>fillBufferFn((member, buffer) -> {
                    buffer.add(member + "\t" + ForkJoinPool.getCommonPoolParallelism() + "\t" + keyOf());
                    buffer.close();
                })
                .distributed(1)
                .build();
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(perMember).writeTo(Sinks.list(list));
        Job job = hz.getJet().newJob(pipeline, new JobConfig().setName(list));
        job.join();
        List<String> texts = hz.getList(list);
        List<Report> reports = texts.stream()
                .map(text -> text.split("\t", 3))
                .map(fields -> new Report(fields[0], fields[2], Integer.parseInt(fields[1])))
                .sorted(Comparator.comparing(Report::member))
                .toList();
        hz.getList(list).destroy();
        return reports;
    }

    /** The key's fingerprint on this member, or "!" and why there is none. */
    private static String keyOf() {
        try {
            return CardTokens.configured().fingerprint();
        } catch (RuntimeException e) {
            return "!" + e.getMessage();
        }
    }

    /**
     * The key every member has, as its {@link CardTokens#fingerprint()}.
     *
     * @throws IllegalStateException naming each member without a usable key, or the members that disagree
     */
    static String sameTokenKey(List<Report> reports) {
        StringBuilder missing = new StringBuilder();
        reports.forEach(report -> {
            if (report.key().startsWith("!")) {
                missing.append("\n  ").append(report.member()).append(": ").append(report.key().substring(1));
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The job needs a card-token key on every member; not submitted:" + missing);
        }
        if (reports.stream().map(Report::key).distinct().count() > 1) {
            StringBuilder keys = new StringBuilder();
            reports.forEach(report ->
                    keys.append("\n  ").append(report.member()).append(": ").append(CardTokens.describe(report.key())));
            throw new IllegalStateException("The members have different card-token keys; give them all the same key"
                    + " file (docs/DEPLOY.md, \"Card tokens\"); not submitted:" + keys);
        }
        if (reports.isEmpty()) {
            throw new IllegalStateException("No member reported its card-token key; not submitted");
        }
        return reports.get(0).key();
    }

    /** A warning naming the members whose asynchronous completions each start a thread, if any do. */
    static Optional<String> threadPerCompletionWarning(List<Report> reports) {
        List<String> members = reports.stream()
                .filter(report -> report.commonPoolParallelism() < 2)
                .map(Report::member)
                .toList();
        if (members.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Members " + String.join(", ", members) + " have a common fork-join pool of one thread"
                + " (the JVM's choice on two cores), so Hazelcast starts a new thread for every asynchronous"
                + " completion, which stalls the job under load; start them with " + COMMON_POOL_OPTION
                + " (docs/DEPLOY.md, \"Members with two cores\")");
    }
}
