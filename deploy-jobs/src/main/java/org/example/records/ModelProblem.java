package org.example.records;

/**
 * Why a scorer did not use the model it was asked for: it kept scoring with the one it had.
 *
 * @param version the model it could not use
 * @param problem what went wrong
 */
public record ModelProblem(String version, String problem) {
}
