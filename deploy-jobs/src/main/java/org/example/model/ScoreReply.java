package org.example.model;

/**
 * One reply of {@code fraud_handler.transform_list}: either a score or an error, and the request
 * it answers (echoed verbatim, absent only when the handler could not parse it).
 */
public record ScoreReply(
        Double fraudProbability,
        Boolean isFraud,
        String modelVersion,
        String error,
        FraudRequest request) {

    public boolean isError() {
        return error != null || fraudProbability == null || isFraud == null || request == null;
    }
}
