package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import org.example.records.Json;
import org.example.records.KafkaTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's broken messages after the whole data set and after a slice of it ({@code --count}). */
class BrokenInputsTest {

    private static final long DAY = 86_400_000L;
    private static final long START = 1_767_300_000_000L;
    private static final String CARD = "4228983652115217";
    private static final String OTHER_CARD = "4716493837426354";

    @TempDir
    Path dataDir;

    @Test
    void shouldStampTheBrokenMessagesAMinuteAfterTheLastTransactionOfTheSliceSent() throws Exception {
        // Three transactions a month apart: a slice of two ends thirty days before the data set does.
        writeDataSet(List.of(transaction("T1", CARD, START), transaction("T2", OTHER_CARD, START + 30 * DAY),
                transaction("T3", CARD, START + 60 * DAY)));

        Map<String, Long> times = eventTimes(BrokenInputs.messages(dataDir, 2));

        long after = START + 30 * DAY + 60_000;
        assertThat(times).containsEntry("DEMO-BROKEN-3", after).containsEntry("DEMO-BROKEN-4", after)
                .containsEntry("DEMO-BROKEN-10", after).containsEntry("DEMO-BROKEN-11", after)
                // Late by two weeks, and only it.
                .containsEntry("DEMO-BROKEN-7", after - 14 * DAY)
                // The redelivery and the reused id: the slice's last transaction, within a minute of the rest.
                .containsEntry("T2", START + 30 * DAY);
        assertThat(eventTimes(BrokenInputs.messages(dataDir, 0))).as("after the whole data set")
                .containsEntry("DEMO-BROKEN-3", START + 60 * DAY + 60_000).containsEntry("T3", START + 60 * DAY);
    }

    private void writeDataSet(List<KafkaTransaction> transactions) throws Exception {
        List<String> lines = new ArrayList<>();
        transactions.forEach(t -> lines.add(Json.toJson(t)));
        Files.write(dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE), lines);
        Files.writeString(dataDir.resolve("customers.jsonl"), "{\"cc_num\": \"" + CARD + "\"}\n");
        Files.writeString(dataDir.resolve("manifest.json"), "{\"last_event_time_ms\": "
                + transactions.get(transactions.size() - 1).eventTimeMs() + "}");
    }

    private static KafkaTransaction transaction(String id, String card, long eventTimeMs) {
        return new KafkaTransaction(id, card, "M00001", 12.5, eventTimeMs, 40.7, -74.0);
    }

    /** Each parseable message's event time by transaction id (the last one of an id wins: the reused id's twin). */
    private static Map<String, Long> eventTimes(List<Map.Entry<String, String>> messages) {
        Map<String, Long> times = new java.util.HashMap<>();
        for (Map.Entry<String, String> m : messages) {
            try {
                JsonNode node = Json.MAPPER.readTree(m.getValue());
                if (node.has("event_time_ms")) {
                    times.put(node.path("transaction_id").asText(), node.path("event_time_ms").asLong());
                }
            } catch (Exception notJson) {
                // The malformed one.
            }
        }
        return times;
    }
}
