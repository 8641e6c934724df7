package org.example.stages;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.hazelcast.jet.python.PythonServiceConfig;
import org.example.Names;
import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
import org.example.model.FraudRequest;
import org.example.model.Json;
import org.example.model.ScoreReply;

import java.nio.file.Path;

/**
 * PREDICT: the requests go to {@code fraud_handler.transform_list} in Python processes that Jet
 * starts on every member ({@code mapUsingPython}); each reply comes back as JSON with the request
 * echoed in it. A reply that carries an error becomes a dead letter.
 */
public final class Predict {

    private static final ObjectReader REPLY_READER = Json.lenientReader(ScoreReply.class);

    private Predict() {
    }

    /** The Python service: a base directory holding the handler, the model and the feature file. */
    public static PythonServiceConfig pythonConfig(Path baseDir) {
        return new PythonServiceConfig()
                .setBaseDir(baseDir.toString())
                .setHandlerModule(Names.PYTHON_HANDLER_MODULE)
                .setHandlerFunction(Names.PYTHON_HANDLER_FUNCTION);
    }

    public static Step<ScoreReply> readReply(String replyJson) {
        ScoreReply reply;
        try {
            reply = REPLY_READER.readValue(replyJson);
        } catch (JacksonException e) {
            return Step.failed(unmatched("unreadable reply from the Python handler: " + e.getOriginalMessage(),
                    replyJson));
        }
        FraudRequest request = reply.request();
        if (request == null || request.transaction() == null || request.source() == null) {
            return Step.failed(unmatched("reply without its request"
                    + (reply.error() != null ? ": " + reply.error() : ""), replyJson));
        }
        if (reply.isError()) {
            String detail = reply.error() != null ? reply.error() : "reply lacks fraud_probability or is_fraud";
            return Step.failed(DeadLetter.of(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR, detail,
                    request.transaction(), request.source()));
        }
        return Step.ok(reply);
    }

    /**
     * A reply that cannot be tied to its input breaks the handler's contract (it echoes every
     * request). It is still recorded, keyed by its own content so that a replay overwrites it
     * instead of adding a second entry.
     */
    private static DeadLetter unmatched(String detail, String replyJson) {
        return new DeadLetter(Names.Stage.PREDICT, DeadLetterReason.SCORING_ERROR.name(), detail, replyJson,
                "", "", -1, Integer.toUnsignedLong(replyJson.hashCode()), 0, System.currentTimeMillis());
    }
}
