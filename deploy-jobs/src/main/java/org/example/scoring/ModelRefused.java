package org.example.scoring;

/**
 * A model that must not score: which check refused it ({@code metadata}, {@code parse},
 * {@code columns} or {@code smoke score}, in the order they run) and what it found. The message
 * reads {@code <check>: <what>}, so a person sees at once what to fix.
 */
public final class ModelRefused extends IllegalArgumentException {

    private final String check;

    ModelRefused(String check, String detail) {
        super(check + ": " + detail);
        this.check = check;
    }

    ModelRefused(String check, String detail, Throwable cause) {
        super(check + ": " + detail, cause);
        this.check = check;
    }

    public String check() {
        return check;
    }
}
