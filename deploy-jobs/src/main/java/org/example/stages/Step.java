package org.example.stages;

import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.Json;
import org.example.records.KafkaOrigin;
import org.example.records.Traceable;
import org.example.records.Transaction;

import java.io.Serializable;
import java.util.Objects;

/**
 * The outcome of the stages so far for one input: the last stage's value, or the dead letter that
 * replaced it. Jet has no side outputs, so the stages pass a {@code Step} along: {@link #next}
 * applies a stage to a successful step, lets a dead letter through untouched, and turns any
 * exception into that one input's {@code INTERNAL_ERROR} dead letter, so no item can fail the job.
 * The pipeline splits dead letters off just before PREDICT and after ACT.
 *
 * <p>A {@code Step} never leaves its member, so it needs no serialisation: from INGEST on, every
 * stage up to PREDICT runs on the member that owns the card, and PREDICT's input is split off.
 */
public final class Step<T> {

    /** What one stage does with one successful input; it may throw, see {@link #next}. */
    @FunctionalInterface
    public interface StageFunction<T, R> extends Serializable {
        Step<R> apply(T value, long nowMs) throws Exception;
    }

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

    /**
     * Runs {@code stage}'s function on a successful step; a dead letter passes through. An
     * exception, or no result at all, becomes the input's {@code INTERNAL_ERROR} dead letter,
     * which keeps the stage, the exception and the transaction.
     */
    public static <T extends Traceable, R> Step<R> next(Step<T> step, String stage, long nowMs,
                                                        StageFunction<? super T, R> function) {
        if (!step.isOk()) {
            @SuppressWarnings("unchecked")  // a failed step holds no value, so any value type will do
            Step<R> passedOn = (Step<R>) step;
            return passedOn;
        }
        return apply(step.value, stage, nowMs, function);
    }

    /** Runs {@code stage}'s function on one input, an exception or no result its INTERNAL_ERROR. */
    public static <T extends Traceable, R> Step<R> apply(T input, String stage, long nowMs,
                                                         StageFunction<? super T, R> function) {
        try {
            Step<R> result = function.apply(input, nowMs);
            if (result == null) {
                throw new IllegalStateException(stage + " returned no outcome");
            }
            return result;
        } catch (Exception e) {
            return failed(internalError(stage, e, input, nowMs));
        }
    }

    /** An unforeseen exception on {@code item}, told so that nothing in the telling can throw again. */
    static DeadLetter internalError(String stage, Exception e, Traceable item, long nowMs) {
        Transaction txn = item.transaction();
        String payload;
        try {
            payload = Json.toJson(txn);
        } catch (RuntimeException unwritable) {
            payload = String.valueOf(txn);
        }
        KafkaOrigin origin = item.origin() != null ? item.origin() : KafkaOrigin.unknown(payload);
        return DeadLetter.of(stage, DeadLetterReason.INTERNAL_ERROR, DeadLetter.unexpected(e), payload,
                txn == null ? "" : String.valueOf(txn.transactionId()), txn == null ? "" : String.valueOf(txn.cardToken()),
                origin, nowMs);
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
