package org.example.tools;

import com.hazelcast.map.IMap;
import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.DeadLetterReason;
import org.example.records.Json;
import org.example.TestData;
import org.example.records.KafkaMessage;
import org.example.records.KafkaTransaction;
import org.example.records.TransactionEvent;
import org.example.stages.Ingest;
import org.example.stages.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The drills' hostile messages, held to the real INGEST and to the promise of leaving valid cards alone. */
class HostileMessagesTest {

    private static final long NOW = 1_796_000_000_000L;
    private static final long STREAM_TIME = 1_767_300_000_000L;
    private static final String DATA_SET_CARD = "4228983652115217";
    private static final Set<DeadLetterReason> REFUSED_AT_INGEST = Set.of(DeadLetterReason.MALFORMED_JSON,
            DeadLetterReason.INVALID_FIELD, DeadLetterReason.MESSAGE_TOO_LARGE, DeadLetterReason.EVENT_TIME_IN_FUTURE);

    @TempDir
    Path dataDir;

    @Test
    void shouldCycleThroughEveryReasonButTheOnesNoMessageCanCauseOnPurpose() throws Exception {
        List<HostileMessages.Message> messages = oneCycle();

        assertThat(messages).extracting(HostileMessages.Message::expected).containsExactlyInAnyOrder(
                DeadLetterReason.MALFORMED_JSON, DeadLetterReason.INVALID_FIELD, DeadLetterReason.MESSAGE_TOO_LARGE,
                DeadLetterReason.EVENT_TIME_IN_FUTURE, DeadLetterReason.UNKNOWN_CARD, DeadLetterReason.DUPLICATE_DELIVERY,
                DeadLetterReason.UNKNOWN_MERCHANT, DeadLetterReason.DUPLICATE_TRANSACTION_ID,
                DeadLetterReason.INVALID_REFERENCE_DATA, DeadLetterReason.SCORING_ERROR);
    }

    @Test
    void shouldBeRefusedByTheRealIngestWithTheReasonEachPromises() throws Exception {
        for (HostileMessages.Message message : oneCycle()) {
            Step<TransactionEvent> step = ingest(message);
            if (REFUSED_AT_INGEST.contains(message.expected())) {
                assertThat(step.isOk()).as(message.expected().name()).isFalse();
                assertThat(step.deadLetter().reason()).isEqualTo(message.expected().name());
            } else {
                assertThat(step.isOk()).as(message.expected() + ": " + message.value()).isTrue();
            }
        }
    }

    @Test
    void shouldLeaveEveryCardOfTheDataSetAndEveryPartitionClockAlone() throws Exception {
        for (HostileMessages.Message message : oneCycle()) {
            assertThat(message.key()).as(message.expected().name()).isNotEqualTo(DATA_SET_CARD).startsWith("49999999");
            Step<TransactionEvent> step = ingest(message);
            if (step.isOk()) {
                // What passes INGEST happens now in the stream's time: it moves no partition's clock.
                assertThat(step.value().transaction().eventTimeMs()).isEqualTo(STREAM_TIME);
            }
        }
    }

    @Test
    void shouldSendEachPairAsARedeliveryAndAReusedIdOfTheSameCard() throws Exception {
        List<HostileMessages.Message> messages = oneCycle();
        HostileMessages.Message unknownCard = find(messages, DeadLetterReason.UNKNOWN_CARD);
        HostileMessages.Message redelivery = find(messages, DeadLetterReason.DUPLICATE_DELIVERY);
        // As the messages go on the topic: with the card number, which INGEST turns into its token.
        KafkaTransaction first = Json.MAPPER.readValue(find(messages, DeadLetterReason.UNKNOWN_MERCHANT).value(),
                KafkaTransaction.class);
        KafkaTransaction second = Json.MAPPER.readValue(find(messages, DeadLetterReason.DUPLICATE_TRANSACTION_ID).value(),
                KafkaTransaction.class);

        assertThat(redelivery.value()).isEqualTo(unknownCard.value());
        assertThat(messages.indexOf(redelivery)).isEqualTo(messages.indexOf(unknownCard) + 1);
        assertThat(second.transactionId()).isEqualTo(first.transactionId());
        assertThat(second.amount()).isNotEqualTo(first.amount());
    }

    @Test
    void shouldStoreTheCustomersItsMessagesNeedUnderTheirTokensWithoutTheirCardNumbers() throws Exception {
        Files.writeString(dataDir.resolve("customers.jsonl"), "{\"cc_num\": \"" + DATA_SET_CARD + "\", \"first_name\": "
                + "\"Ada\", \"last_name\": \"Byron\", \"gender\": \"F\", \"date_of_birth\": \"1980-04-02\", \"job\": "
                + "\"Engineer\", \"street\": \"1 Main St\", \"city\": \"Springfield\", \"state\": \"IL\", \"zip\": "
                + "\"62701\", \"latitude\": 39.8, \"longitude\": -89.6, \"city_population\": 116250, \"setting\": \"urban\"}\n");
        Files.writeString(dataDir.resolve("manifest.json"), "{\"last_event_time_ms\": " + STREAM_TIME + "}");
        oneCycle();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(RepositoryFiles.path("scripts/hazelcast.yaml"),
                "hostile-test-" + ProcessHandle.current().pid(), 1, 5881)) {
            HostileMessages.prepare(cluster.member(), dataDir);

            IMap<String, Customer> customers = cluster.member().getMap(Names.CUSTOMERS_MAP);
            assertThat(customers.keySet()).containsExactlyInAnyOrder(TestData.token(HostileMessages.QUIET_CARD),
                    TestData.token(BrokenInputs.OFF_THE_MAP_CARD), TestData.token(BrokenInputs.NOT_YET_BORN_CARD));
            Customer quiet = customers.get(TestData.token(HostileMessages.QUIET_CARD));
            assertThat(quiet.lastName()).isEqualTo("Byron");
            assertThat(quiet.toString()).doesNotContain(HostileMessages.QUIET_CARD);
            assertThat(customers.get(TestData.token(BrokenInputs.OFF_THE_MAP_CARD)).latitude()).isEqualTo(91.0);
        }
    }

    private List<HostileMessages.Message> oneCycle() throws Exception {
        Files.writeString(dataDir.resolve("transactions.jsonl"), "{\"transaction_id\":\"T000000000000\",\"cc_num\":\""
                + DATA_SET_CARD + "\",\"merchant_code\":\"M01138\",\"amount\":26.58,\"event_time_ms\":1767225621190,"
                + "\"latitude\":37.741666,\"longitude\":-99.088292}\n");
        HostileMessages hostile = HostileMessages.of(dataDir);
        List<HostileMessages.Message> messages = new ArrayList<>();
        for (int i = 0; i < HostileMessages.KINDS; i++) {
            messages.addAll(hostile.next(STREAM_TIME, NOW));
        }
        return messages;
    }

    private static Step<TransactionEvent> ingest(HostileMessages.Message message) {
        KafkaMessage kafka = TestData.message(message.key(), message.value(), NOW);
        return Ingest.parse(kafka, Ingest.Limits.of(1_000_000), NOW);
    }

    private static HostileMessages.Message find(List<HostileMessages.Message> messages, DeadLetterReason reason) {
        return messages.stream().filter(m -> m.expected() == reason).findFirst().orElseThrow();
    }
}
