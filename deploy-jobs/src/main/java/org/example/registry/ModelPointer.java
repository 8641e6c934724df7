package org.example.registry;

/**
 * Which published models a job scores with, value of map {@code modelPointer} keyed by the job's
 * name. The running job follows it: every member reads it every {@code ModelFollower.POLL_MS}.
 *
 * @param champion         the version that scores and decides
 * @param challenger       a version scored beside the champion that decides nothing; {@code null}: none
 * @param previousChampion the champion before this one, what a roll-back returns to; {@code null}: none
 * @param revision         counts the changes, from 1
 * @param changedBy        who made the last change (an operator's name, or {@code submit})
 */
public record ModelPointer(
        String champion,
        String challenger,
        String previousChampion,
        long revision,
        long changedAtMs,
        String changedBy) {

    /** The pointer of a job that has none yet. */
    public static ModelPointer first(String champion, long nowMs, String by) {
        return new ModelPointer(champion, null, null, 1, nowMs, by);
    }

    /** {@code version} scores from now on; the champion it replaces is kept for a roll-back. */
    public ModelPointer withChampion(String version, long nowMs, String by) {
        String previous = version.equals(champion) ? previousChampion : champion;
        String keptChallenger = version.equals(challenger) ? null : challenger;
        return new ModelPointer(version, keptChallenger, previous, revision + 1, nowMs, by);
    }

    /** {@code version} (or {@code null}, none) scores beside the champion. */
    public ModelPointer withChallenger(String version, long nowMs, String by) {
        return new ModelPointer(champion, version, previousChampion, revision + 1, nowMs, by);
    }
}
