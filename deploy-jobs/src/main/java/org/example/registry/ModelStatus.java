package org.example.registry;

/**
 * What one member's scorer made of a model it was asked to score with, value of map
 * {@code modelStatus} keyed by {@link #key}: the roll-out command waits on these, and tells a
 * failure at once instead of waiting for predictions that will not come.
 *
 * @param scorer {@code java} (the member's model follower: read, checked, parsed, and for Python
 *               written to the member's disk) or {@code python} (a Python process loading it)
 * @param state  {@link State} name
 * @param detail for a failure, what went wrong
 */
public record ModelStatus(
        String jobName,
        String member,
        String scorer,
        String version,
        String state,
        String detail,
        long atMs) {

    public enum State {
        /** Read, checked and ready on this member. */
        LOADED,
        /** The member's champion: every request its scorer takes from {@code atMs} on is scored with it. */
        CHAMPION,
        /** Scored beside the champion on this member from {@code atMs} on. */
        CHALLENGER,
        /** Could not be used: the scorer keeps the model it had. */
        FAILED
    }

    public String key() {
        return key(jobName, member, scorer, version);
    }

    static String key(String jobName, String member, String scorer, String version) {
        return jobName + "/" + member + "/" + scorer + "/" + version;
    }

    public boolean failed() {
        return State.FAILED.name().equals(state);
    }

    public boolean is(State wanted) {
        return wanted.name().equals(state);
    }
}
