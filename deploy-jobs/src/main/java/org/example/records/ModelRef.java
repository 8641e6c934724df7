package org.example.records;

/**
 * A model as a Python process finds it: its version, and the directory on this member where the
 * member wrote its files ({@code fraud_model.txt}, {@code fraud_model.json}) from the registry.
 */
public record ModelRef(String version, String dir) {
}
