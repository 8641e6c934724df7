package org.example.records;

import java.util.List;

/**
 * One reply of PREDICT: either a score or an error, and the request it answers (echoed verbatim by
 * the Python handler, absent only when the handler could not parse it).
 *
 * @param modelVersion          the model that scored it: the champion the request was sent with,
 *                              unless {@code modelError} says why another one had to
 * @param challengerProbability the challenger's probability, when one was set (it decides nothing);
 *                              {@code null} otherwise
 * @param challengerVersion     the challenger that gave it, or {@code null}
 * @param modelError            why the scorer could not use the model it was asked for (it kept
 *                              scoring with the one it had), or {@code null}
 * @param reasons               the features that pushed the score up most, when the scorer found
 *                              the score flagged under the policy it read; {@code null} otherwise
 * @param contributions         the Python handler's TreeSHAP contributions of a flagged score (one
 *                              per model column, then the expected value), which PREDICT turns into
 *                              {@code reasons} as the reply arrives; {@code null} past that point
 */
public record ScoreReply(
        Double fraudProbability,
        Boolean isFraud,
        String modelVersion,
        String error,
        FraudRequest request,
        Double challengerProbability,
        String challengerVersion,
        ModelProblem modelError,
        List<Reason> reasons,
        double[] contributions) implements Traceable {

    /** A champion's score, with no challenger and no model trouble. */
    public static ScoreReply scored(double probability, boolean isFraud, String modelVersion, FraudRequest request) {
        return new ScoreReply(probability, isFraud, modelVersion, null, request, null, null, null, null, null);
    }

    /** This reply with the challenger's score beside the champion's. */
    public ScoreReply withChallenger(double probability, String version) {
        return new ScoreReply(fraudProbability, isFraud, modelVersion, error, request, probability, version, modelError,
                reasons, contributions);
    }

    /** This reply, noting that the requested model could not be used. */
    public ScoreReply withModelError(ModelProblem problem) {
        return new ScoreReply(fraudProbability, isFraud, modelVersion, error, request, challengerProbability,
                challengerVersion, problem, reasons, contributions);
    }

    /** This reply with the reasons of its score, and no longer the contributions they were made of. */
    public ScoreReply withReasons(List<Reason> topReasons) {
        return new ScoreReply(fraudProbability, isFraud, modelVersion, error, request, challengerProbability,
                challengerVersion, modelError, topReasons, null);
    }

    /** This reply with {@code request} (the same one, further along: {@link Hops}). */
    public ScoreReply withRequest(FraudRequest request) {
        return new ScoreReply(fraudProbability, isFraud, modelVersion, error, request, challengerProbability,
                challengerVersion, modelError, reasons, contributions);
    }

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
