package org.example;

import com.hazelcast.jet.kafka.KafkaSinks;
import com.hazelcast.jet.pipeline.Sink;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.example.records.DeadLetter;
import org.example.records.Decision;
import org.example.records.FraudPrediction;
import org.example.records.Json;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The Kafka topics ACT writes besides the maps: every decision to {@code --decisions-topic}, every
 * dead letter to {@code --dead-letters-topic}, each as JSON (docs/DATA.md), each in Kafka
 * transactions that Jet commits when a snapshot completes. A consumer reading with
 * {@code isolation.level=read_committed} therefore sees each record once, whatever member or
 * broker fails in between; one reading uncommitted sees records a restart later writes again
 * (docs/DESIGN.md, "Decisions on a Kafka topic").
 *
 * <p>Jet names each producer's {@code transactional.id} after the job's id, the sink's name and
 * the processor's index, so two jobs, or the two sinks of one job, never fence each other; it
 * refuses a {@code transactional.id} in the client settings.
 */
public final class OutputTopics {

    /**
     * How long a transaction may stay open before the broker aborts it, unless the Kafka properties
     * file says otherwise: the broker's default ceiling ({@code transaction.max.timeout.ms}). A
     * transaction stays open from one snapshot to the next, and across a restart until the job
     * commits it from its snapshot; if the broker aborted it first, its records would be lost, so
     * the longer the better. Kafka's producer default of 60 s is shorter than a member's restart
     * plus a Python start on a busy machine.
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private OutputTopics() {
    }

    /** The prediction sinks beside the map: the decision topic, unless {@code --decisions-topic} is empty. */
    static List<Sink<? super FraudPrediction>> decisionSinks(JobSettings settings) {
        return settings.decisionsTopic().isEmpty() ? List.of() : List.of(decisions(settings));
    }

    /** The dead-letter sinks beside the map: the dead-letter topic, unless {@code --dead-letters-topic} is empty. */
    static List<Sink<? super DeadLetter>> deadLetterSinks(JobSettings settings) {
        return settings.deadLettersTopic().isEmpty() ? List.of() : List.of(deadLetters(settings));
    }

    /** Each prediction as its {@link Decision}, keyed by card token: one card's decisions share a partition. */
    public static Sink<FraudPrediction> decisions(JobSettings settings) {
        String topic = settings.decisionsTopic();
        return KafkaSinks.<FraudPrediction>kafka(producerProperties(settings))
                .toRecordFn(prediction -> record(topic, Decision.of(prediction)))
                .exactlyOnce(true)
                .build();
    }

    static ProducerRecord<String, String> record(String topic, Decision decision) {
        return new ProducerRecord<>(topic, decision.key(), Json.toJson(decision));
    }

    /**
     * Each dead letter, keyed by its input's Kafka position ({@link DeadLetter#key()}): a dead
     * letter holds the card's token and a masked payload only, never a card number.
     */
    public static Sink<DeadLetter> deadLetters(JobSettings settings) {
        return KafkaSinks.<DeadLetter>kafka(producerProperties(settings))
                .topic(settings.deadLettersTopic())
                .extractKeyFn(DeadLetter::key)
                .extractValueFn(Json::toJson)
                .exactlyOnce(true)
                .build();
    }

    /**
     * The producers' settings: our default transaction timeout, then the job's Kafka properties
     * file (TLS, SASL, and whatever it overrides), then what the sink cannot work without.
     */
    static Properties producerProperties(JobSettings settings) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
        props.putAll(settings.kafkaProperties());
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        props.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }
}
