package org.example.stages;

import org.example.TestData;
import org.example.records.CompactValues;
import org.example.scoring.PythonScorer;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import org.example.features.CardFeatureState;
import org.example.definition.FeatureDefinition;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.FraudRequest;
import org.example.records.Json;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.example.TestData.CARD;
import static org.example.TestData.NOW;
import static org.example.TestData.START;
import static org.example.TestData.asGenericRecord;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;

/**
 * The Java stage functions on their own, per transaction, so that a regression shows here before
 * it reaches the pipeline benchmark. Run by {@code scripts/microbench.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StageBenchmarks {

    private static final int CARDS = 10_000;
    private static final Ingest.Limits LIMITS = Ingest.Limits.of(1_000_000);
    private static final ReferenceRules RULES = new ReferenceRules(FeatureDefinition.load());

    private final FeatureDefinition features = FeatureDefinition.load();
    private KafkaMessage message;
    private CardFeatureState state;
    private TransactionEvent[] events;
    private int next;
    private FeaturedEvent featured;
    private Customer customer;
    private Merchant merchant;
    private GenericRecord customerAsGeneric;
    private FraudRequest request;
    private String reply;

    @Setup
    public void setUp() {
        TestData.TxnBuilder raw = TestData.txn("T000000000042").amount(42.5).location(40.71, -74.01);
        Transaction txn = raw.build();
        message = TestData.message(CARD, raw.json(), START + 1000);
        state = new CardFeatureState(features, 3_600_000);
        events = new TransactionEvent[CARDS * 10];
        for (int i = 0; i < events.length; i++) {
            // Ten transactions per card, an hour apart, cards interleaved as in a stream.
            Transaction t = new Transaction("T" + i, "test:card-" + (i % CARDS), "400000", "0001", "M00001", 10 + i % 90,
                    START + (long) (i / CARDS) * 3_600_000 + i % CARDS, 40.7, -74.0);
            // A card keeps its Kafka partition, as a keyed topic does.
            events[i] = new TransactionEvent(t, new KafkaOrigin(TestData.TOPIC, (i % CARDS) % 12, i, t.eventTimeMs() + 500));
        }
        featured = new FeaturedEvent(txn, message.origin(), new CardFeatures(3, 120.0, 9));
        customer = customer(CARD);
        merchant = merchant("M00001");
        customerAsGeneric = asGenericRecord(customer);
        request = Transform.toRequest(new EnrichedEvent(featured, customer, merchant), features.earthRadiusKm());
        reply = "{\"fraud_probability\":0.0123,\"is_fraud\":false,\"model_version\":\"lgbm-x\",\"request\":"
                + Json.toJson(request) + "}";
    }

    /** INGEST: JSON bytes to a validated transaction. */
    @Benchmark
    public Step<TransactionEvent> ingestParse() {
        return Ingest.parse(message, LIMITS, NOW);
    }

    /** FEATURES: one transaction into its card's history, over 10,000 cards. */
    @Benchmark
    public Object featuresAccept() {
        TransactionEvent event = events[next];
        next = (next + 1) % events.length;
        if (next == 0) {
            state = new CardFeatureState(features, 3_600_000);
        }
        return state.accept(event, NOW);
    }

    /** ENRICH: joining the looked-up values, as on a cluster where they arrive as generic records. */
    @Benchmark
    public Object enrichFromGenericRecords() {
        return Enrich.enrich(featured, CompactValues.as(customerAsGeneric, Customer.class), merchant, RULES, NOW);
    }

    /** TRANSFORM: distance, request and its JSON. */
    @Benchmark
    public String transformToJson() {
        return Json.toJson(Transform.toRequest(new EnrichedEvent(featured, customer, merchant),
                features.earthRadiusKm()));
    }

    /** PREDICT: reading the handler's reply back. */
    @Benchmark
    public Object predictReadReply() {
        return PythonScorer.readReply(reply, NOW);
    }
}
