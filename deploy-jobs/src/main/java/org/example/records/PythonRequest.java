package org.example.records;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The JSON PREDICT sends to {@code fraud_handler.transform_list}: the scoring request's fields at
 * the top level (features.json's {@code request_fields}), and the models to score it with. The
 * handler echoes it back whole, and ACT reads the {@link FraudRequest} out of the echo.
 *
 * @param challenger  {@code null} when no challenger is set
 * @param reasonsFrom the probability from which the reply carries the champion's contributions, of
 *                    which the job makes the reasons of a flagged decision: the review threshold of
 *                    the champion's scoring policy; {@code null}: none
 */
public record PythonRequest(@JsonUnwrapped FraudRequest request, ModelRef champion, ModelRef challenger,
                            Double reasonsFrom) {
}
