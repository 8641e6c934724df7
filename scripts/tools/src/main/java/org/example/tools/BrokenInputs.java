package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.DeadLetterReason;
import org.example.records.Json;
import org.example.records.KafkaTransaction;
import org.example.tokens.CardTokens;
import org.example.stages.Ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The demo's deliberately broken messages, one per reason a message can become a dead letter (the
 * data set is clean): they must come out of the job as dead letters with these reasons, and
 * nothing else may. Two of them need reference data that the loader would refuse, so they bring
 * their own customers, written into the map as another tool might.
 */
final class BrokenInputs {

    /**
     * Every reason but INTERNAL_ERROR, which no message can cause on purpose (it would be a bug),
     * and REFERENCE_DATA_UNAVAILABLE, which the reference database causes, not a message (the demo
     * has none: its maps hold all reference data).
     */
    static final Set<String> EXPECTED_REASONS = Arrays.stream(DeadLetterReason.values())
            .filter(reason -> reason != DeadLetterReason.INTERNAL_ERROR && reason != DeadLetterReason.REFERENCE_DATA_UNAVAILABLE)
            .map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());

    private static final String UNKNOWN_CARD = "4999999999999999";
    /** Its customer lives at latitude 91: INVALID_REFERENCE_DATA. */
    static final String OFF_THE_MAP_CARD = "4999999999999990";
    /** Its customer was born after the transaction: the model refuses it (SCORING_ERROR). */
    static final String NOT_YET_BORN_CARD = "4999999999999991";

    private BrokenInputs() {
    }

    /** Writes the customers the broken messages need; the loader would refuse the first. */
    static void prepareReferenceData(HazelcastInstance hz, Path dataDir) throws IOException {
        CustomerRow base = firstCustomer(dataDir);
        // Born the day after the data set ends: after every broken message, whatever slice was sent.
        LocalDate dayOfTheBrokenMessages = LocalDate.ofEpochDay(Math.floorDiv(eventTimeMs(dataDir), 86_400_000L));
        put(hz, customerLike(base, OFF_THE_MAP_CARD, base.dateOfBirth(), 91.0));
        put(hz, customerLike(base, NOT_YET_BORN_CARD, dayOfTheBrokenMessages.plusDays(1), base.latitude()));
    }

    /** The customer of {@code base} with another card, birthday and latitude: the row of a broken message's card. */
    static CustomerRow customerLike(CustomerRow base, String card, LocalDate dateOfBirth, double latitude) {
        return new CustomerRow(card, base.firstName(), base.lastName(), base.gender(), dateOfBirth, base.job(),
                base.street(), base.city(), base.state(), base.zip(), latitude, base.longitude(), base.cityPopulation(),
                base.setting());
    }

    /** Stores a customer as the loader does: under its card's token, with no card number. */
    static void put(HazelcastInstance hz, CustomerRow row) {
        Customer customer = row.toCustomer(CardTokens.configured());
        hz.<String, Customer>getMap(Names.CUSTOMERS_MAP).put(customer.cardToken(), customer);
    }

    /** The data set's first customer: what the broken messages' customers are made like. */
    static CustomerRow firstCustomer(Path dataDir) throws IOException {
        return Json.MAPPER.readValue(firstLine(dataDir.resolve("customers.jsonl")), CustomerRow.class);
    }

    /**
     * Sends them after the first {@code sent} transactions of the data set (0: all of them);
     * returns how many were acknowledged.
     */
    static int send(Properties kafka, String topic, Path dataDir, long sent) throws IOException, InterruptedException {
        List<Map.Entry<String, String>> messages = messages(dataDir, sent);
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

    /**
     * Built from the data set's first card and the last transaction sent, so only the intended
     * fault shows: that transaction's card still holds it, so sending it again is a redelivery.
     * They happen a minute after that transaction, not after the data set's end: after a slice of
     * the data set ({@code --count}) the job's time stands at the slice's end, and a redelivery
     * weeks behind messages stamped at the data set's end would be a LATE_EVENT instead.
     */
    static List<Map.Entry<String, String>> messages(Path dataDir, long sent) throws IOException {
        String card = Json.MAPPER.readTree(firstLine(dataDir.resolve("customers.jsonl"))).path("cc_num").asText();
        KafkaTransaction last = Json.MAPPER.readValue(lastLine(dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE), sent),
                KafkaTransaction.class);
        long after = last.eventTimeMs() + 60_000;
        KafkaTransaction regular = new KafkaTransaction("DEMO-BROKEN", card, "M00001", 25.0, after, 40.7, -74.0);
        List<Map.Entry<String, String>> messages = new ArrayList<>();
        messages.add(Map.entry(card, "{\"transaction_id\": \"DEMO-BROKEN-1\", this is not JSON"));
        messages.add(Map.entry(card, "{\"transaction_id\": \"DEMO-BROKEN-2\", \"cc_num\": \"" + card + "\"}"));
        messages.add(Map.entry(card, Json.toJson(with(regular, "DEMO-BROKEN-3", card, "M-NO-SUCH", after))));
        messages.add(Map.entry(UNKNOWN_CARD, Json.toJson(with(regular, "DEMO-BROKEN-4", UNKNOWN_CARD, "M00001", after))));
        messages.add(Map.entry(card, Json.toJson(regular).replace("{",
                "{\"padding\": \"" + "x".repeat(Ingest.MAX_MESSAGE_BYTES) + "\", ")));
        messages.add(Map.entry(card, Json.toJson(with(regular, "DEMO-BROKEN-6", card, "M00001",
                System.currentTimeMillis() + 3_600_000))));
        // Two weeks before the card's newest: its windows could no longer be exact.
        messages.add(Map.entry(card, Json.toJson(with(regular, "DEMO-BROKEN-7", card, "M00001", after - 14 * 86_400_000L))));
        messages.add(Map.entry(last.ccNum(), Json.toJson(last)));
        messages.add(Map.entry(last.ccNum(), Json.toJson(new KafkaTransaction(last.transactionId(), last.ccNum(),
                last.merchantCode(), last.amount() + 1, last.eventTimeMs(), last.latitude(), last.longitude()))));
        messages.add(Map.entry(OFF_THE_MAP_CARD, Json.toJson(with(regular, "DEMO-BROKEN-10", OFF_THE_MAP_CARD, "M00001", after))));
        messages.add(Map.entry(NOT_YET_BORN_CARD, Json.toJson(with(regular, "DEMO-BROKEN-11", NOT_YET_BORN_CARD, "M00001", after))));
        return messages;
    }

    private static KafkaTransaction with(KafkaTransaction t, String id, String card, String merchant, long eventTimeMs) {
        return new KafkaTransaction(id, card, merchant, t.amount(), eventTimeMs, t.latitude(), t.longitude());
    }

    /** A minute after the data set's last transaction: no broken message happens later. */
    private static long eventTimeMs(Path dataDir) throws IOException {
        return Json.MAPPER.readTree(dataDir.resolve("manifest.json").toFile()).path("last_event_time_ms").asLong() + 60_000;
    }

    private static String firstLine(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            return reader.readLine();
        }
    }

    /** Line {@code number} of the file, or its last line for 0 or a number beyond it. */
    private static String lastLine(Path file, long number) throws IOException {
        String last = null;
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            long read = 0;
            for (String line = reader.readLine(); line != null && (number <= 0 || read < number); line = reader.readLine()) {
                last = line;
                read++;
            }
        }
        return last;
    }
}
