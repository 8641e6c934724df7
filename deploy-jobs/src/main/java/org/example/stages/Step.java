package org.example.stages;

import org.example.model.DeadLetter;

import java.util.Objects;

/**
 * The outcome of one stage for one input: the stage's value, or the dead letter that replaces it.
 * Jet has no side outputs, so each stage returns a {@code Step} and the pipeline splits the stream
 * into the values that go on and the dead letters that go to {@code deadLetters}. A {@code Step}
 * never leaves its member, so it needs no serialisation: it goes from a stage to the split right
 * after it, or from INGEST to FEATURES, which are both partitioned by card number and so run on
 * the member that owns the card.
 */
public final class Step<T> {

    private final T value;
    private final DeadLetter deadLetter;

    private Step(T value, DeadLetter deadLetter) {
        this.value = value;
        this.deadLetter = deadLetter;
    }

    public static <T> Step<T> ok(T value) {
        return new Step<>(Objects.requireNonNull(value, "value"), null);
    }

    public static <T> Step<T> failed(DeadLetter deadLetter) {
        return new Step<>(null, Objects.requireNonNull(deadLetter, "deadLetter"));
    }

    public boolean isOk() {
        return deadLetter == null;
    }

    /** The value; only for a step that {@link #isOk()}. */
    public T value() {
        if (!isOk()) {
            throw new IllegalStateException("no value: " + deadLetter.reason());
        }
        return value;
    }

    /** The dead letter; only for a step that is not {@link #isOk()}. */
    public DeadLetter deadLetter() {
        if (isOk()) {
            throw new IllegalStateException("step succeeded");
        }
        return deadLetter;
    }

    /** The value, or {@code null} for a failed step; for Jet's filtering {@code map}. */
    public T valueOrNull() {
        return value;
    }

    /** The dead letter, or {@code null} for a successful step; for Jet's filtering {@code map}. */
    public DeadLetter deadLetterOrNull() {
        return deadLetter;
    }

    @Override
    public String toString() {
        return isOk() ? "ok(" + value + ")" : "failed(" + deadLetter + ")";
    }
}
