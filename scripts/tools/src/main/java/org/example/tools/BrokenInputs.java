package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.model.DeadLetterReason;
import org.example.model.Json;
import org.example.model.Transaction;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The demo's deliberately broken messages, one per kind of dead letter the data set cannot show
 * (it is clean): they must come out of the job as dead letters with these reasons, and nothing
 * else may.
 */
final class BrokenInputs {

    static final Set<String> EXPECTED_REASONS = Set.of(
            DeadLetterReason.MALFORMED_JSON.name(), DeadLetterReason.INVALID_FIELD.name(),
            DeadLetterReason.UNKNOWN_CARD.name(), DeadLetterReason.UNKNOWN_MERCHANT.name());

    private BrokenInputs() {
    }

    /** Sends them after the data set's transactions; returns how many were acknowledged. */
    static int send(Properties kafka, String topic, Path dataDir) throws IOException, InterruptedException {
        List<Map.Entry<String, String>> messages = messages(dataDir);
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (Map.Entry<String, String> message : messages) {
                producer.send(new ProducerRecord<>(topic, message.getKey(), message.getValue())).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not send the broken demo messages: " + e.getCause(), e);
        }
        return messages.size();
    }

    /** Built from the data set's first card and its last event time, so only the intended fault shows. */
    static List<Map.Entry<String, String>> messages(Path dataDir) throws IOException {
        String card;
        try (BufferedReader customers = Files.newBufferedReader(dataDir.resolve("customers.jsonl"))) {
            card = Json.MAPPER.readTree(customers.readLine()).path("cc_num").asText();
        }
        JsonNode manifest = Json.MAPPER.readTree(dataDir.resolve("manifest.json").toFile());
        long after = manifest.path("last_event_time_ms").asLong() + 60_000;
        String unknownMerchant = Json.toJson(new Transaction("DEMO-BROKEN-3", card, "M-NO-SUCH", 25.0, after, 40.7, -74.0));
        String unknownCard = Json.toJson(new Transaction("DEMO-BROKEN-4", "4999999999999999", "M00001", 25.0, after, 40.7, -74.0));
        return List.of(
                Map.entry(card, "{\"transaction_id\": \"DEMO-BROKEN-1\", this is not JSON"),
                Map.entry(card, "{\"transaction_id\": \"DEMO-BROKEN-2\", \"cc_num\": \"" + card + "\"}"),
                Map.entry(card, unknownMerchant),
                Map.entry("4999999999999999", unknownCard));
    }
}
