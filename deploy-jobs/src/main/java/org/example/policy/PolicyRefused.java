package org.example.policy;

/** A policy that makes no sense; its message says which value and why, and nothing was changed. */
public final class PolicyRefused extends IllegalArgumentException {

    public PolicyRefused(String message) {
        super(message);
    }
}
