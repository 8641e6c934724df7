package org.example;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.FeaturedEvent;
import org.example.records.KafkaMessage;
import org.example.records.KafkaOrigin;
import org.example.records.Merchant;
import org.example.records.Transaction;
import org.example.records.TransactionEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/** Tiny builders for test data: {@code txn("T1").card(CARD).at(hoursAfterStart(3)).amount(12.5)}. */
public final class TestData {

    public static final String CARD = "4000000000000001";
    public static final String OTHER_CARD = "4000000000000002";
    public static final String MERCHANT = "M00001";
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

    public static Customer customer(String ccNum) {
        return customer(ccNum, LocalDate.of(1985, 12, 10), NEW_YORK_LAT, NEW_YORK_LON);
    }

    /** A card holder born on another day, or living somewhere else (even off the map). */
    public static Customer customer(String ccNum, LocalDate dateOfBirth, double latitude, double longitude) {
        return new Customer(ccNum, "Ada", "Lovelace", "F", dateOfBirth, "Engineer",
                "1 Main St", "New York", "NY", "10001", latitude, longitude, 8_000_000, "urban");
    }

    /** The customer as a member without the record class hands it over: a Compact generic record. */
    public static GenericRecord asGenericRecord(Customer customer) {
        return GenericRecordBuilder.compact(Customer.class.getName())
                .setString("ccNum", customer.ccNum()).setString("firstName", customer.firstName())
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

        public Transaction build() {
            return new Transaction(id, card, merchant, amount, time, lat, lon);
        }

        /** As INGEST would emit it, appended to Kafka one second after it happened. */
        public TransactionEvent event(long offset) {
            return new TransactionEvent(build(), new KafkaOrigin(partition, offset, time + 1000));
        }

        public FeaturedEvent featured(CardFeatures features) {
            return new FeaturedEvent(build(), new KafkaOrigin(0, 0, time + 1000), features);
        }
    }

    /** A raw Kafka record as the source would hand it over. */
    public static KafkaMessage message(String key, String json, long appendTimeMs) {
        return new KafkaMessage(new KafkaOrigin(1, 42, appendTimeMs), key, json.getBytes(StandardCharsets.UTF_8));
    }
}
