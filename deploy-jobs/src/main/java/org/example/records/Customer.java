package org.example.records;

import java.time.LocalDate;

/**
 * A card holder, value of the {@code customers} map (key = the card's token: the loaders make it
 * from the card number with the same key file as the job).
 *
 * @param latitude       billing address
 * @param longitude      billing address
 * @param cityPopulation population of the billing city
 * @param setting        {@code urban} or {@code rural}
 */
public record Customer(
        String cardToken,
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
