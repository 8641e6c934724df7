package org.example;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.pipeline.BatchSource;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.Sinks;
import org.example.tokens.CardTokens;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Before the job is submitted: does every member have the same card-token key? A one-item batch
 * job runs on each member and reports the key's id and the token of a fixed text (which names the
 * key without revealing it), or why it has no usable key. The job refuses to start unless all
 * members have one and agree: a member without it could not read a single message, and members
 * with different keys would split a card's history between two tokens.
 */
final class TokenKeyCheck {

    /** What every member tokenises to compare keys: a token of it says which key made it, nothing more. */
    static final String PROBE = "fraud-detection card-token key check";

    private TokenKeyCheck() {
    }

    /** @throws IllegalStateException naming each member without a usable key, or the members that disagree */
    static String requireSameKeyOnEveryMember(HazelcastInstance hz) {
        String list = "tokenKeyCheck-" + UUID.randomUUID();
        BatchSource<String> perMember = SourceBuilder
                .batch("card-token key", ctx -> ctx.hazelcastInstance().getCluster().getLocalMember().getAddress().toString())
                .<String>fillBufferFn((member, buffer) -> {
                    buffer.add(member + "\t" + keyOf());
                    buffer.close();
                })
                .distributed(1)
                .build();
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(perMember).writeTo(Sinks.list(list));
        Job job = hz.getJet().newJob(pipeline, new JobConfig().setName(list));
        job.join();
        List<String> reports = hz.<String>getList(list);
        Map<String, String> byMember = new TreeMap<>();
        reports.forEach(report -> byMember.put(report.substring(0, report.indexOf('\t')), report.substring(report.indexOf('\t') + 1)));
        hz.getList(list).destroy();
        return verdict(byMember);
    }

    /** The key's id and fingerprint on this member, or "!" and why there is none. */
    private static String keyOf() {
        try {
            return CardTokens.configured().token(PROBE);
        } catch (RuntimeException e) {
            return "!" + e.getMessage();
        }
    }

    /** The key every member has (its id and fingerprint); else why not. */
    static String verdict(Map<String, String> byMember) {
        StringBuilder missing = new StringBuilder();
        byMember.forEach((member, key) -> {
            if (key.startsWith("!")) {
                missing.append("\n  ").append(member).append(": ").append(key.substring(1));
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The job needs a card-token key on every member; not submitted:" + missing);
        }
        if (byMember.values().stream().distinct().count() > 1) {
            StringBuilder keys = new StringBuilder();
            byMember.forEach((member, key) -> keys.append("\n  ").append(member).append(": key ")
                    .append(key, 0, key.indexOf(':')).append(", fingerprint ").append(key.substring(key.indexOf(':') + 1, key.indexOf(':') + 9)));
            throw new IllegalStateException("The members have different card-token keys; give them all the same key"
                    + " file (docs/DEPLOY.md, \"Card tokens\"); not submitted:" + keys);
        }
        if (byMember.isEmpty()) {
            throw new IllegalStateException("No member reported its card-token key; not submitted");
        }
        return byMember.values().iterator().next();
    }
}
