package org.example;

import org.example.tokens.CardTokens;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the members report before a submission, and what the submitter makes of it. */
class MemberCheckTest {

    private static final String KEY_A = "k1:0123456789abcdef";
    private static final String KEY_B = "k2:fedcba9876543210";

    @Test
    void aRealMemberReportsItsKeyAndItsCommonPool() {
        try (PipelineHarness harness = new PipelineHarness("member-check-test")) {
            List<MemberCheck.Report> reports = MemberCheck.ask(harness.member);

            assertThat(reports).hasSize(1);
            MemberCheck.Report report = reports.get(0);
            assertThat(report.member()).isEqualTo(harness.member.getCluster().getLocalMember().getAddress().toString());
            assertThat(report.key()).isEqualTo(CardTokens.configured().fingerprint());
            assertThat(report.commonPoolParallelism()).isEqualTo(ForkJoinPool.getCommonPoolParallelism());
            assertThat(MemberCheck.sameTokenKey(reports)).isEqualTo(report.key());
            assertThat(harness.member.getDistributedObjects()).as("the report's list is removed")
                    .noneMatch(object -> object.getName().startsWith("memberCheck-"));
        }
    }

    @Test
    void membersThatAgreeOnTheKeyGiveIt() {
        assertThat(MemberCheck.sameTokenKey(reports(report("m1", KEY_A, 3), report("m2", KEY_A, 1)))).isEqualTo(KEY_A);
    }

    @Test
    void aMemberWithoutAKeyStopsTheSubmissionAndIsNamed() {
        assertThatThrownBy(() -> MemberCheck.sameTokenKey(reports(report("m1", KEY_A, 3), report("m2", "!no key file", 3))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m2: no key file")
                .hasMessageNotContaining("m1");
    }

    @Test
    void membersWithDifferentKeysStopTheSubmissionAndAreNamedWithoutTheirKeys() {
        assertThatThrownBy(() -> MemberCheck.sameTokenKey(reports(report("m1", KEY_A, 3), report("m2", KEY_B, 3))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m1: key k1, fingerprint 01234567")
                .hasMessageContaining("m2: key k2, fingerprint fedcba98")
                .hasMessageNotContaining("89abcdef");
    }

    @Test
    void noReportStopsTheSubmission() {
        assertThatThrownBy(() -> MemberCheck.sameTokenKey(List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void membersWithACommonPoolOfOneThreadAreNamedWithTheOptionThatFixesIt() {
        assertThat(MemberCheck.threadPerCompletionWarning(
                reports(report("m1", KEY_A, 1), report("m2", KEY_A, 2), report("m3", KEY_A, 1))))
                .hasValueSatisfying(warning -> assertThat(warning)
                        .startsWith("Members m1, m3 have a common fork-join pool of one thread")
                        .contains(MemberCheck.COMMON_POOL_OPTION));
    }

    @Test
    void membersWithAPoolOfTwoOrMoreGiveNoWarning() {
        assertThat(MemberCheck.threadPerCompletionWarning(reports(report("m1", KEY_A, 2), report("m2", KEY_A, 15))))
                .isEmpty();
    }

    private static MemberCheck.Report report(String member, String key, int parallelism) {
        return new MemberCheck.Report(member, key, parallelism);
    }

    private static List<MemberCheck.Report> reports(MemberCheck.Report... reports) {
        return List.of(reports);
    }
}
