package org.example.tools;

import org.example.tools.netns.MemberLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The milestones the drills report, read from the members' events. */
class DrillTimelineTest {

    @Test
    void shouldTimeASplitSeenWhenTheLastMemberOfASideSawIt() {
        List<MemberLog.Event> events = List.of(
                size(1, 1_000, 3), size(1, 10_100, 2), size(2, 10_300, 2), size(3, 11_300, 1));

        assertThat(DrillTimeline.allSee(events, Set.of(1, 2), 2, 5_000)).hasValue(10_300);
        assertThat(DrillTimeline.allSee(events, Set.of(3), 1, 5_000)).hasValue(11_300);
        assertThat(DrillTimeline.allSee(events, Set.of(1, 2, 3), 3, 5_000)).isEmpty();
    }

    @Test
    void shouldCountTheJobRunningOnMembersOnlyWhenTheSameExecutionRunsOnExactlyThem() {
        List<MemberLog.Event> events = List.of(
                execution(1, 50_000, "a"), execution(2, 50_100, "a"),
                execution(1, 70_000, "b"), execution(2, 70_000, "b"), execution(3, 70_400, "b"));

        assertThat(DrillTimeline.runningOn(events, "fraud-detection", Set.of(1, 2), 20_000)).hasValue(50_100);
        assertThat(DrillTimeline.runningOn(events, "fraud-detection", Set.of(1, 2, 3), 20_000)).hasValue(70_400);
        assertThat(DrillTimeline.runningOn(events, "fraud-detection", Set.of(1, 2, 3), 71_000)).isEmpty();
        assertThat(DrillTimeline.runningOn(events, "fraud-detection-supervisor", Set.of(1, 2), 0)).isEmpty();
    }

    @Test
    void shouldReportOnlyTheSuspicionsNoFaultExplains() {
        MemberLog.Event duringTheCut = new MemberLog.Event(15_000, 1, 1, MemberLog.Kind.SUSPECTED, "", -1, "10.250.0.3");
        MemberLog.Event outOfTheBlue = new MemberLog.Event(95_000, 2, 1, MemberLog.Kind.SUSPECTED, "", -1, "10.250.0.1");

        assertThat(DrillTimeline.suspicionsOutside(List.of(duringTheCut, outOfTheBlue, size(1, 15_000, 2)),
                List.of(new long[]{5_000, 65_000}))).containsExactly(outOfTheBlue);
    }

    @Test
    void shouldFindTheLongestStretchWithoutAStoredPrediction() {
        int[] perSecond = {5, 5, 0, 0, 5, 0, 0, 0, 0, 3, 3};

        assertThat(DrillTimeline.longestStall(perSecond, 0, perSecond.length)).containsExactly(5, 4);
        assertThat(DrillTimeline.longestStall(perSecond, 0, 4)).containsExactly(2, 2);
        assertThat(DrillTimeline.longestStall(perSecond, 9, 11)).containsExactly(9, 0);
        assertThat(DrillTimeline.firstStoreFrom(perSecond, 5)).isEqualTo(9);
        assertThat(DrillTimeline.firstStoreFrom(perSecond, 11)).isEqualTo(-1);
    }

    @Test
    void shouldFoldARetriedLineIntoItsFirstWithTheCountAndTheLastTime() {
        DrillTimeline timeline = new DrillTimeline();
        timeline.note(16_000, "m3", "does not start the job: quorum of 2 not met");
        timeline.note(17_000, "m1", "sees a cluster of 2");
        timeline.note(18_000, "m3", "does not start the job: quorum of 2 not met");
        timeline.note(20_000, "m3", "does not start the job: quorum of 2 not met");
        timeline.mark(30_000, "HEAL");
        ByteArrayOutputStream text = new ByteArrayOutputStream();

        timeline.print(new PrintStream(text, true, StandardCharsets.UTF_8), 0, 0);

        assertThat(text.toString(StandardCharsets.UTF_8)).isEqualTo("""
                  +00:16.0  m3      does not start the job: quorum of 2 not met (2 times more, until +00:20.0)
                  +00:17.0  m1      sees a cluster of 2
                  +00:30.0  drill   HEAL
                """);
    }

    private static MemberLog.Event size(int member, long at, int size) {
        return new MemberLog.Event(at, member, 1, MemberLog.Kind.CLUSTER_SIZE, "", size, "");
    }

    private static MemberLog.Event execution(int member, long at, String id) {
        return new MemberLog.Event(at, member, 1, MemberLog.Kind.EXECUTION_STARTED, "fraud-detection", -1, id);
    }
}
