package org.example.records;

import java.time.LocalDate;

/**
 * A card holder, value of the {@code customers} map (key = card number).
 *
 * @param latitude       billing address
 * @param longitude      billing address
 * @param cityPopulation population of the billing city
 * @param setting        {@code urban} or {@code rural}
 */
public record Customer(
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
}
