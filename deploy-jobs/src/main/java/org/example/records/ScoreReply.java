package org.example.records;

/**
 * One reply of {@code fraud_handler.transform_list}: either a score or an error, and the request
 * it answers (echoed verbatim, absent only when the handler could not parse it).
 */
public record ScoreReply(
        Double fraudProbability,
        Boolean isFraud,
        String modelVersion,
        String error,
        FraudRequest request) implements Traceable {

    public boolean isError() {
        return error != null || fraudProbability == null || isFraud == null || request == null;
    }

    /** The scored transaction; only for a reply that carries its request. */
    @Override
    public Transaction transaction() {
        return request.transaction();
    }

    @Override
    public KafkaOrigin origin() {
        return request.origin();
    }
}
