package org.example.stages;

import org.example.stages.Step.StageFunction;

import java.io.Serializable;

/**
 * A look at each input just before a stage handles it. Production has none ({@link #NONE}); the
 * pipeline's containment test makes it throw on a marked input in each stage in turn, to prove
 * that no exception in any stage can fail the job or harm the inputs around it.
 */
@FunctionalInterface
public interface StageProbe extends Serializable {

    /** No look at all; the stage functions run as they are. */
    StageProbe NONE = None.INSTANCE;

    void look(String stage, Object input) throws Exception;

    /** {@code function}, preceded by a look at its input. */
    default <T, R> StageFunction<T, R> before(String stage, StageFunction<T, R> function) {
        return (value, nowMs) -> {
            look(stage, value);
            return function.apply(value, nowMs);
        };
    }

    /** An enum, so that it stays one instance on every member and costs nothing per item. */
    enum None implements StageProbe {
        INSTANCE;

        @Override
        public void look(String stage, Object input) {
        }

        @Override
        public <T, R> StageFunction<T, R> before(String stage, StageFunction<T, R> function) {
            return function;
        }
    }
}
