package org.example.tools;

import org.example.records.Customer;
import org.example.tokens.CardTokens;

import java.time.LocalDate;

/**
 * A line of customers.jsonl: a card holder with the card's number, as the system of record has
 * it. The loader keeps only its token ({@link #toCustomer}); the number goes no further.
 */
record CustomerRow(
        String ccNum,
        String firstName,
        String lastName,
        String gender,
        LocalDate dateOfBirth,
        String job,
        String street,
        String city,
        String state,
        String zip,
        double latitude,
        double longitude,
        long cityPopulation,
        String setting) {

    Customer toCustomer(CardTokens tokens) {
        return new Customer(tokens.token(ccNum), firstName, lastName, gender, dateOfBirth, job, street, city, state, zip,
                latitude, longitude, cityPopulation, setting);
    }
}
