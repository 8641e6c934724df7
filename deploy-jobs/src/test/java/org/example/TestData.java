package org.example;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.FeaturedEvent;
import org.example.records.FraudPrediction;
import org.example.records.Hops;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.example.records.Reason;
import org.example.records.Json;
import org.example.records.KafkaTransaction;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;
import org.example.tokens.CardTokens;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Tiny builders for test data: {@code txn("T1").card(CARD).at(hoursAfterStart(3)).amount(12.5)}. */
public final class TestData {

    public static final String CARD = "4000000000000001";
    public static final String OTHER_CARD = "4000000000000002";
    public static final String MERCHANT = "M00001";
    public static final String TOPIC = "transactions";
    /** 2026-01-05T00:00:00Z, a Monday. */
    public static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    /** The clock a stage function is given in a test: when a dead letter or prediction is recorded. */
    public static final long NOW = Instant.parse("2026-02-01T12:00:00Z").toEpochMilli();
    public static final double NEW_YORK_LAT = 40.7128;
    public static final double NEW_YORK_LON = -74.0060;

    private TestData() {
    }

    public static long at(Duration sinceStart) {
        return START + sinceStart.toMillis();
    }

    public static TxnBuilder txn(String id) {
        return new TxnBuilder(id);
    }

    /** The card's token under the tests' key (deploy-jobs/src/test/resources/test-token.key). */
    public static String token(String card) {
        return CardTokens.configured().token(card);
    }

    /** The card holder of a card, keyed as in map {@code customers}: by the card's token. */
    public static Customer customer(String card) {
        return customer(card, LocalDate.of(1985, 12, 10), NEW_YORK_LAT, NEW_YORK_LON);
    }

    /** A card holder born on another day, or living somewhere else (even off the map). */
    public static Customer customer(String card, LocalDate dateOfBirth, double latitude, double longitude) {
        return new Customer(token(card), "Ada", "Lovelace", "F", dateOfBirth, "Engineer",
                "1 Main St", "New York", "NY", "10001", latitude, longitude, 8_000_000, "urban");
    }

    /** The customer as a member without the record class hands it over: a Compact generic record. */
    public static GenericRecord asGenericRecord(Customer customer) {
        return GenericRecordBuilder.compact(Customer.class.getName())
                .setString("cardToken", customer.cardToken()).setString("firstName", customer.firstName())
                .setString("lastName", customer.lastName()).setString("gender", customer.gender())
                .setDate("dateOfBirth", customer.dateOfBirth()).setString("job", customer.job())
                .setString("street", customer.street()).setString("city", customer.city())
                .setString("state", customer.state()).setString("zip", customer.zip())
                .setFloat64("latitude", customer.latitude()).setFloat64("longitude", customer.longitude())
                .setInt64("cityPopulation", customer.cityPopulation()).setString("setting", customer.setting())
                .build();
    }

    public static Merchant merchant(String code) {
        return new Merchant(code, "Corner Grocery", "grocery_pos", NEW_YORK_LAT + 0.01, NEW_YORK_LON);
    }

    public static final class TxnBuilder {
        private final String id;
        private String card = CARD;
        private String merchant = MERCHANT;
        private double amount = 10.0;
        private long time = START;
        private double lat = NEW_YORK_LAT;
        private double lon = NEW_YORK_LON;
        private int partition;

        private TxnBuilder(String id) {
            this.id = id;
        }

        public TxnBuilder card(String card) {
            this.card = card;
            return this;
        }

        public TxnBuilder merchant(String merchant) {
            this.merchant = merchant;
            return this;
        }

        public TxnBuilder amount(double amount) {
            this.amount = amount;
            return this;
        }

        public TxnBuilder at(long eventTimeMs) {
            this.time = eventTimeMs;
            return this;
        }

        public TxnBuilder location(double lat, double lon) {
            this.lat = lat;
            this.lon = lon;
            return this;
        }

        /** The Kafka partition it arrives on (default 0). */
        public TxnBuilder partition(int partition) {
            this.partition = partition;
            return this;
        }

        /** As INGEST makes it of the message: the card as its token, BIN and last four. */
        public Transaction build() {
            return new Transaction(id, token(card), CardTokens.bin(card), CardTokens.last4(card), merchant, amount, time,
                    lat, lon);
        }

        /** As the message on the Kafka topic has it: with the card number. */
        public KafkaTransaction raw() {
            return new KafkaTransaction(id, card, merchant, amount, time, lat, lon);
        }

        /** The Kafka message's value. */
        public String json() {
            return Json.toJson(raw());
        }

        public String card() {
            return card;
        }

        public long eventTimeMs() {
            return time;
        }

        /** As INGEST would emit it, appended to Kafka one second after it happened. */
        public TransactionEvent event(long offset) {
            return new TransactionEvent(build(), new KafkaOrigin(TOPIC, partition, offset, time + 1000));
        }

        public FeaturedEvent featured(CardFeatures features) {
            return new FeaturedEvent(build(), new KafkaOrigin(TOPIC, 0, 0, time + 1000), features);
        }
    }

    /** A stored prediction: {@code prediction("T1").offset(7).storedAfter(40).build()}. */
    public static PredictionBuilder prediction(String transactionId) {
        return new PredictionBuilder(transactionId);
    }

    public static final class PredictionBuilder {
        private final String id;
        private long offset;
        private long appendTimeMs = 1000;
        private long latencyMs = 10;
        private double probability = 0.1;
        private boolean flagged;
        private String version = "v";
        private String band;
        private List<Reason> reasons = List.of();
        private CardFeatures features = new CardFeatures(1, 10.0, 1);
        private Hops hops = Hops.NONE;

        private PredictionBuilder(String id) {
            this.id = id;
        }

        public PredictionBuilder offset(long offset) {
            this.offset = offset;
            return this;
        }

        public PredictionBuilder appendedAt(long appendTimeMs) {
            this.appendTimeMs = appendTimeMs;
            return this;
        }

        public PredictionBuilder storedAfter(long latencyMs) {
            this.latencyMs = latencyMs;
            return this;
        }

        public PredictionBuilder flagged(boolean flagged) {
            this.flagged = flagged;
            this.probability = flagged ? 0.9 : 0.1;
            return this;
        }

        /** The band the policy gave it (default: DECLINE when flagged, else APPROVE), with its reasons. */
        public PredictionBuilder band(String band, Reason... reasons) {
            this.band = band;
            this.reasons = List.of(reasons);
            return this;
        }

        public PredictionBuilder version(String version) {
            this.version = version;
            return this;
        }

        public PredictionBuilder features(int txnCount24h, double amountSum24h, int txnCount7d) {
            this.features = new CardFeatures(txnCount24h, amountSum24h, txnCount7d);
            return this;
        }

        public PredictionBuilder hops(Hops hops) {
            this.hops = hops;
            return this;
        }

        public FraudPrediction build() {
            return new FraudPrediction(id, token(CARD), "400000", "0001", MERCHANT, "grocery_pos", 10, 0, 0, 0,
                    features.txnCount24h(), features.amountSum24h(), features.txnCount7d(), 0, probability, flagged, version,
                    null, null, band != null ? band : flagged ? "DECLINE" : "APPROVE", version + "@metadata", reasons,
                    String.join("; ", reasons.stream().map(Reason::text).toList()),
                    TOPIC, 0, offset, appendTimeMs, appendTimeMs + latencyMs,
                    hops);
        }
    }

    /** A raw Kafka record as the source would hand it over, its key tokenised. */
    public static KafkaMessage message(String key, String json, long appendTimeMs) {
        return new KafkaMessage(new KafkaOrigin(TOPIC, 1, 42, appendTimeMs), key, key == null ? "" : token(key),
                json.getBytes(StandardCharsets.UTF_8));
    }
}
