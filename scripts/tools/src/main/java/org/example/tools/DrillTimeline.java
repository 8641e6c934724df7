package org.example.tools;

import org.example.tools.netns.MemberLog;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What happened in a drill, in order: what the drill did (a cut, a kill, a heal) and what the
 * members' logs say followed, each at its time; and the milestones the drills report, read from
 * those events, so that every figure is the members' own record of when it happened.
 */
final class DrillTimeline {

    /** One line of the timeline. */
    record Entry(long timeMs, String source, String text) {
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void mark(long timeMs, String text) {
        entries.add(new Entry(timeMs, "drill", text));
    }

    synchronized void note(long timeMs, String source, String text) {
        entries.add(new Entry(timeMs, source, text));
    }

    synchronized List<Entry> entries() {
        return entries.stream().sorted(Comparator.comparingLong(Entry::timeMs)).toList();
    }

    /**
     * Prints the entries from {@code fromMs} on, each at its offset from {@code zeroMs}; a line that
     * repeats one just before it from the same source (a coordinator retrying every 2 s) is folded
     * into it, with the count and the last time.
     */
    void print(PrintStream out, long zeroMs, long fromMs) {
        List<Entry> shown = entries().stream().filter(e -> e.timeMs() >= fromMs).toList();
        for (int i = 0; i < shown.size(); i++) {
            Entry e = shown.get(i);
            int repeats = 0;
            long last = e.timeMs();
            for (int j = i + 1; j < shown.size(); j++) {
                Entry next = shown.get(j);
                if (next.source().equals(e.source()) && next.text().equals(e.text())) {
                    repeats++;
                    last = next.timeMs();
                } else if (next.source().equals(e.source())) {
                    break;
                }
            }
            if (folded(shown, i)) {
                continue;
            }
            out.printf(Locale.ROOT, "  %s  %-7s %s%s%n", offset(e.timeMs() - zeroMs), e.source(), e.text(),
                    repeats == 0 ? "" : String.format(Locale.ROOT, " (%d times more, until %s)", repeats, offset(last - zeroMs)));
        }
    }

    /** Whether entry {@code i} repeats the previous entry of its source, so was folded into it. */
    private static boolean folded(List<Entry> shown, int i) {
        Entry e = shown.get(i);
        for (int j = i - 1; j >= 0; j--) {
            Entry before = shown.get(j);
            if (before.source().equals(e.source())) {
                return before.text().equals(e.text());
            }
        }
        return false;
    }

    static String offset(long ms) {
        long abs = Math.abs(ms);
        return String.format(Locale.ROOT, "%s%02d:%02d.%d", ms < 0 ? "-" : "+", abs / 60_000, abs / 1000 % 60, abs / 100 % 10);
    }

    // ---- milestones, from the members' events ----

    /**
     * The first time after {@code sinceMs} at which every member in {@code members} has logged a
     * cluster of {@code size}; empty if they have not all done so.
     */
    static OptionalLong allSee(List<MemberLog.Event> events, Set<Integer> members, int size, long sinceMs) {
        Map<Integer, Long> first = new HashMap<>();
        for (MemberLog.Event e : events) {
            if (e.kind() == MemberLog.Kind.CLUSTER_SIZE && e.size() == size && e.timeMs() >= sinceMs
                    && members.contains(e.member())) {
                first.merge(e.member(), e.timeMs(), Math::min);
            }
        }
        return first.keySet().containsAll(members)
                ? OptionalLong.of(first.values().stream().mapToLong(Long::longValue).max().orElseThrow())
                : OptionalLong.empty();
    }

    /** The first event after {@code sinceMs} that matches. */
    static Optional<MemberLog.Event> first(List<MemberLog.Event> events, long sinceMs, Predicate<MemberLog.Event> which) {
        return events.stream().filter(e -> e.timeMs() >= sinceMs && which.test(e))
                .min(Comparator.comparingLong(MemberLog.Event::timeMs));
    }

    /**
     * When {@code job} first ran on exactly the given members after {@code sinceMs}: the earliest
     * execution that each of them logged starting, and only they, at the time the last of them did.
     */
    static OptionalLong runningOn(List<MemberLog.Event> events, String job, Set<Integer> members, long sinceMs) {
        Map<String, Map<Integer, Long>> starts = new HashMap<>();
        for (MemberLog.Event e : events) {
            if (e.kind() == MemberLog.Kind.EXECUTION_STARTED && e.job().equals(job) && e.timeMs() >= sinceMs) {
                starts.computeIfAbsent(e.detail(), x -> new HashMap<>()).merge(e.member(), e.timeMs(), Math::min);
            }
        }
        return starts.values().stream()
                .filter(byMember -> byMember.keySet().equals(new HashSet<>(members)))
                .mapToLong(byMember -> byMember.values().stream().mapToLong(Long::longValue).max().orElseThrow())
                .min();
    }

    /**
     * Suspicions (a member not heard for the heartbeat timeout) outside the given windows of
     * {@code [from, to]}: a member suspected while nothing was done to it, which is what a too
     * short failure detection would show under load.
     */
    static List<MemberLog.Event> suspicionsOutside(List<MemberLog.Event> events, List<long[]> windows) {
        return events.stream().filter(e -> e.kind() == MemberLog.Kind.SUSPECTED)
                .filter(e -> windows.stream().noneMatch(w -> e.timeMs() >= w[0] && e.timeMs() <= w[1]))
                .toList();
    }

    /**
     * The longest run of whole seconds without a stored prediction within {@code [fromSecond,
     * toSecond)} of a per-second count; {@code [start, length]} in seconds, length 0 when there is none.
     */
    static int[] longestStall(int[] perSecond, int fromSecond, int toSecond) {
        int bestStart = fromSecond;
        int best = 0;
        int runStart = -1;
        for (int s = Math.max(0, fromSecond); s < toSecond; s++) {
            boolean empty = s >= perSecond.length || perSecond[s] == 0;
            if (empty) {
                if (runStart < 0) {
                    runStart = s;
                }
                if (s - runStart + 1 > best) {
                    best = s - runStart + 1;
                    bestStart = runStart;
                }
            } else {
                runStart = -1;
            }
        }
        return new int[]{bestStart, best};
    }

    /** The first second at or after {@code fromSecond} in which something was stored, or -1. */
    static int firstStoreFrom(int[] perSecond, int fromSecond) {
        for (int s = Math.max(0, fromSecond); s < perSecond.length; s++) {
            if (perSecond[s] > 0) {
                return s;
            }
        }
        return -1;
    }
}
