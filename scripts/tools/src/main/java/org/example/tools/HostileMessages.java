package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import org.example.records.DeadLetterReason;
import org.example.records.Json;
import org.example.records.KafkaTransaction;
import org.example.stages.Ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Hostile traffic for the long drills: one broken message (or a pair) at a time, in the middle of
 * a valid stream, each with the one dead-letter reason it must end as. Unlike the demo's
 * {@link BrokenInputs}, which are sent after the stream, none of these may change a valid
 * transaction's outcome, so that every feature can still be held to the offline computation:
 * <ul>
 *   <li>those refused at INGEST (malformed, invalid, too large, from the future) never reach a card's
 *   history;</li>
 *   <li>the others belong to cards that are not in the data set, so they count only in their own
 *   windows; they carry the stream's current event time, so they move no partition's clock.</li>
 * </ul>
 * The pairs prove FEATURES' deduplication: the same message twice (a redelivery), and the same id
 * with another amount.
 */
final class HostileMessages {

    /** A message to send: Kafka key and value, and the dead-letter reason it must produce. */
    record Message(String key, String value, DeadLetterReason expected) {
    }

    /** A card no customer entry exists for. (Fake numbers: no card of the data set starts with 4999 99.) */
    static final String STRANGER_CARD = "4999999999999998";
    /** A well-formed customer that is not in the data set, for the unknown merchant. */
    static final String QUIET_CARD = "4999999999999997";

    private final KafkaTransaction template;
    private int sent;

    private HostileMessages(KafkaTransaction template) {
        this.template = template;
    }

    /**
     * Writes the customers the hostile messages need (those of {@link BrokenInputs} and one more)
     * and returns the generator; the data set's first transaction is the model for the valid parts.
     */
    static HostileMessages prepare(HazelcastInstance hz, Path dataDir) throws IOException {
        BrokenInputs.prepareReferenceData(hz, dataDir);
        CustomerRow base = BrokenInputs.firstCustomer(dataDir);
        BrokenInputs.put(hz, BrokenInputs.customerLike(base, QUIET_CARD, base.dateOfBirth(), base.latitude()));
        return of(dataDir);
    }

    /** The generator alone, for tests: the reference data is someone else's business. */
    static HostileMessages of(Path dataDir) throws IOException {
        return new HostileMessages(Json.MAPPER.readValue(
                firstLine(dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE)), KafkaTransaction.class));
    }

    /** How many kinds there are: {@link #next} cycles through them. */
    static final int KINDS = 8;

    /**
     * The next hostile message(s), cycling through every kind: {@code streamTimeMs} is the event
     * time of the last valid transaction sent, {@code wallNowMs} the machine's time.
     */
    List<Message> next(long streamTimeMs, long wallNowMs) {
        int n = sent++;
        String id = "HOSTILE-" + n;
        KafkaTransaction stranger = transaction(id, STRANGER_CARD, template.merchantCode(), streamTimeMs);
        return switch (n % KINDS) {
            case 0 -> List.of(new Message(STRANGER_CARD, "{\"transaction_id\": \"" + id + "\", this is not JSON",
                    DeadLetterReason.MALFORMED_JSON));
            case 1 -> List.of(new Message(STRANGER_CARD, Json.toJson(new KafkaTransaction(id, STRANGER_CARD,
                    template.merchantCode(), -5.0, streamTimeMs, template.latitude(), template.longitude())),
                    DeadLetterReason.INVALID_FIELD));
            case 2 -> List.of(new Message(STRANGER_CARD, Json.toJson(stranger).replace("{",
                    "{\"padding\": \"" + "x".repeat(Ingest.MAX_MESSAGE_BYTES) + "\", "), DeadLetterReason.MESSAGE_TOO_LARGE));
            case 3 -> List.of(new Message(STRANGER_CARD,
                    Json.toJson(transaction(id, STRANGER_CARD, template.merchantCode(), wallNowMs + 86_400_000L)),
                    DeadLetterReason.EVENT_TIME_IN_FUTURE));
            // Sent twice: the second is the same message again.
            case 4 -> List.of(new Message(STRANGER_CARD, Json.toJson(stranger), DeadLetterReason.UNKNOWN_CARD),
                    new Message(STRANGER_CARD, Json.toJson(stranger), DeadLetterReason.DUPLICATE_DELIVERY));
            // The second reuses the id with another amount.
            case 5 -> {
                KafkaTransaction first = transaction(id, QUIET_CARD, "M-NO-SUCH", streamTimeMs);
                KafkaTransaction second = new KafkaTransaction(id, QUIET_CARD, "M-NO-SUCH", first.amount() + 1, streamTimeMs,
                        first.latitude(), first.longitude());
                yield List.of(new Message(QUIET_CARD, Json.toJson(first), DeadLetterReason.UNKNOWN_MERCHANT),
                        new Message(QUIET_CARD, Json.toJson(second), DeadLetterReason.DUPLICATE_TRANSACTION_ID));
            }
            case 6 -> List.of(new Message(BrokenInputs.OFF_THE_MAP_CARD, Json.toJson(transaction(id,
                    BrokenInputs.OFF_THE_MAP_CARD, template.merchantCode(), streamTimeMs)),
                    DeadLetterReason.INVALID_REFERENCE_DATA));
            default -> List.of(new Message(BrokenInputs.NOT_YET_BORN_CARD, Json.toJson(transaction(id,
                    BrokenInputs.NOT_YET_BORN_CARD, template.merchantCode(), streamTimeMs)),
                    DeadLetterReason.SCORING_ERROR));
        };
    }

    private KafkaTransaction transaction(String id, String card, String merchant, long eventTimeMs) {
        return new KafkaTransaction(id, card, merchant, template.amount(), eventTimeMs, template.latitude(), template.longitude());
    }

    private static String firstLine(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            if (line == null) {
                throw new IllegalArgumentException(file + " is empty");
            }
            return line;
        }
    }
}
