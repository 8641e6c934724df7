package org.example.tools;

import org.example.definition.Names;
import org.example.policy.PolicyChange;
import org.example.policy.PolicyStore;
import org.example.policy.ScoringPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/policy.sh's tool against a real member, as a client: it sets policies with their audit,
 * refuses the ones that make no sense with their reason while the old one stays, and shows both.
 * That the job decides by a change without a restart is PolicyPipelineTest's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyCommandTest {

    private static final int PORT = 5991;
    private static final String CLUSTER = "policy-test-" + ProcessHandle.current().pid();

    private EmbeddedCluster cluster;
    private PolicyStore store;

    @BeforeAll
    void start() {
        cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"), CLUSTER, 1, PORT);
        store = new PolicyStore(cluster.member());
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void noPolicies() {
        cluster.member().getMap(Names.SCORING_POLICY_MAP).clear();
        cluster.member().getMap(Names.POLICY_AUDIT_MAP).clear();
    }

    @Test
    void shouldSetAPolicyAndKeepEachChangeWithWhoAndTheOldAndNewValues() {
        Result first = policy("set", "--model-version", "m1", "--review-from", "0.05", "--decline-from", "0.2", "--by", "alice");
        Result second = policy("set", "--model-version", "m1", "--review-from", "0.1", "--decline-from", "0.3", "--by", "bob");

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("policy m1@1: review from 0.05, decline from 0.2 (was the model's default), by alice");
        assertThat(second.out()).contains("policy m1@2: review from 0.1, decline from 0.3 (was review from 0.05, decline from 0.2), by bob");
        ScoringPolicy now = store.policy("m1").orElseThrow();
        assertThat(List.of(now.reviewFrom(), now.declineFrom(), (double) now.revision())).containsExactly(0.1, 0.3, 2.0);
        List<PolicyChange> history = store.history("m1");
        assertThat(history).extracting(PolicyChange::key).containsExactly("m1@1", "m1@2");
        assertThat(history.get(1)).extracting(PolicyChange::by, PolicyChange::oldReviewFrom, PolicyChange::oldDeclineFrom,
                PolicyChange::newReviewFrom, PolicyChange::newDeclineFrom).containsExactly("bob", 0.05, 0.2, 0.1, 0.3);
        assertThat(history.get(0).oldReviewFrom()).isNull();
        assertThat(policy("history").out()).contains("m1@1", "by alice", "review default -> 0.05", "m1@2", "review 0.05 -> 0.1");
        assertThat(policy("show").out()).contains("m1", "review from 0.1", "decline from 0.3", "revision 2, by bob");
    }

    @Test
    void shouldRefuseAPolicyThatMakesNoSenseAndKeepTheOldOne() {
        policy("set", "--model-version", "*", "--review-from", "0.05", "--decline-from", "0.2", "--by", "alice");

        Result outOfOrder = policy("set", "--model-version", "*", "--review-from", "0.5", "--decline-from", "0.2", "--by", "eve");
        Result outOfRange = policy("set", "--model-version", "*", "--review-from", "0.1", "--decline-from", "1.2", "--by", "eve");
        Result notANumber = policy("set", "--model-version", "*", "--review-from", "low", "--decline-from", "0.2", "--by", "eve");

        assertThat(List.of(outOfOrder.exit(), outOfRange.exit(), notANumber.exit())).containsOnly(1);
        assertThat(outOfOrder.err()).contains("policy refused, nothing changed: review-from 0.5 is above decline-from 0.2:"
                + " REVIEW must start at or below DECLINE");
        assertThat(outOfRange.err()).contains("policy refused, nothing changed: decline-from 1.2 is not a probability:"
                + " it must be within [0, 1]");
        assertThat(notANumber.err()).contains("policy refused, nothing changed: review-from 'low' is not a number");
        ScoringPolicy kept = store.policy("*").orElseThrow();
        assertThat(List.of(kept.reviewFrom(), kept.declineFrom())).containsExactly(0.05, 0.2);
        assertThat(kept.setBy()).isEqualTo("alice");
        assertThat(store.history(null)).hasSize(1);
    }

    @Test
    void shouldAskForTheOperatorsName() {
        Result noName = policy("set", "--model-version", "m1", "--review-from", "0.05", "--decline-from", "0.2");

        assertThat(noName.exit()).isEqualTo(2);
        assertThat(noName.err()).contains("Missing required option: '--by=<by>'");
        assertThat(store.policy("m1")).isEmpty();
    }

    private record Result(int exit, String out, String err) {
    }

    private Result policy(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--cluster-name", CLUSTER, "--addresses", "127.0.0.1:" + PORT));
        int exit = PolicyCommand.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
