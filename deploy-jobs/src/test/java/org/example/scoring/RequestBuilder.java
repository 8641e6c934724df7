package org.example.scoring;

import org.example.records.CardFeatures;
import org.example.records.FraudRequest;
import org.example.records.KafkaOrigin;
import org.example.records.Transaction;

import java.time.Instant;
import java.time.LocalDate;

/** A scoring request for tests: {@code request().at("2024-02-29T00:00:00Z").bornOn(2000, 2, 29).build()}. */
final class RequestBuilder {

    private String transactionId = "T1";
    private double amount = 42.5;
    private long eventTimeMs = Instant.parse("2026-01-05T10:30:00Z").toEpochMilli();
    private boolean withTransaction = true;
    private boolean withOrigin = true;
    private CardFeatures features = new CardFeatures(2, 60.0, 5);
    private String category = "grocery_pos";
    private String gender = "F";
    private LocalDate dateOfBirth = LocalDate.of(1985, 12, 10);
    private long cityPopulation = 8_000_000;
    private String setting = "urban";
    private double distanceKm = 1.2;

    static RequestBuilder request() {
        return new RequestBuilder();
    }

    RequestBuilder id(String transactionId) {
        this.transactionId = transactionId;
        return this;
    }

    RequestBuilder amount(double amount) {
        this.amount = amount;
        return this;
    }

    RequestBuilder at(String instant) {
        return at(Instant.parse(instant).toEpochMilli());
    }

    RequestBuilder at(long eventTimeMs) {
        this.eventTimeMs = eventTimeMs;
        return this;
    }

    RequestBuilder windows(int txnCount24h, double amountSum24h, int txnCount7d) {
        this.features = new CardFeatures(txnCount24h, amountSum24h, txnCount7d);
        return this;
    }

    RequestBuilder withoutFeatures() {
        this.features = null;
        return this;
    }

    RequestBuilder withoutTransaction() {
        this.withTransaction = false;
        return this;
    }

    RequestBuilder withoutOrigin() {
        this.withOrigin = false;
        return this;
    }

    RequestBuilder category(String category) {
        this.category = category;
        return this;
    }

    RequestBuilder gender(String gender) {
        this.gender = gender;
        return this;
    }

    RequestBuilder setting(String setting) {
        this.setting = setting;
        return this;
    }

    RequestBuilder bornOn(LocalDate dateOfBirth) {
        this.dateOfBirth = dateOfBirth;
        return this;
    }

    RequestBuilder bornOn(int year, int month, int day) {
        return bornOn(LocalDate.of(year, month, day));
    }

    RequestBuilder cityPopulation(long cityPopulation) {
        this.cityPopulation = cityPopulation;
        return this;
    }

    RequestBuilder distanceKm(double distanceKm) {
        this.distanceKm = distanceKm;
        return this;
    }

    FraudRequest build() {
        Transaction txn = new Transaction(transactionId, "test:card-1", "400000", "0001", "M00001", amount, eventTimeMs,
                40.7128, -74.0060);
        return new FraudRequest(withTransaction ? txn : null,
                withOrigin ? new KafkaOrigin("transactions", 3, 1234, eventTimeMs + 1000) : null, features,
                category, gender, dateOfBirth, cityPopulation, setting, distanceKm);
    }
}
