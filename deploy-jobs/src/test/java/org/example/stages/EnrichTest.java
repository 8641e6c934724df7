package org.example.stages;

import org.example.definition.FeatureDefinition;
import org.example.TestData;
import org.example.records.CardFeatures;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.Json;
import org.example.records.Merchant;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.NEW_YORK_LAT;
import static org.example.TestData.NEW_YORK_LON;
import static org.example.TestData.NOW;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

class EnrichTest {

    private static final ReferenceRules RULES = new ReferenceRules(FeatureDefinition.load());
    private final FeaturedEvent event = txn("T1").featured(new CardFeatures(1, 10.0, 1));

    @Test
    void shouldJoinCustomerAndMerchant() {
        Step<EnrichedEvent> step = Enrich.enrich(event, customer(CARD), merchant(MERCHANT), RULES, NOW);

        assertThat(step.value()).isEqualTo(new EnrichedEvent(event, customer(CARD), merchant(MERCHANT)));
    }

    @Test
    void shouldDeadLetterAnUnknownCard() {
        Step<EnrichedEvent> step = Enrich.enrich(event, null, merchant(MERCHANT), RULES, NOW);

        assertThat(step.deadLetter()).isEqualTo(deadLetter(DeadLetterReason.UNKNOWN_CARD,
                "no entry in 'customers' for card token " + TestData.token(CARD)));
    }

    @Test
    void shouldDeadLetterAnUnknownMerchant() {
        Step<EnrichedEvent> step = Enrich.enrich(event, customer(CARD), null, RULES, NOW);

        assertThat(step.deadLetter()).isEqualTo(deadLetter(DeadLetterReason.UNKNOWN_MERCHANT,
                "no entry in 'merchants' for merchant_code " + MERCHANT));
    }

    @Test
    void shouldDeadLetterACustomerWhoseHomeIsNotOnEarth() {
        Customer offTheMap = customer(CARD, customer(CARD).dateOfBirth(), 91.0, -181.0);

        Step<EnrichedEvent> step = Enrich.enrich(event, offTheMap, merchant(MERCHANT), RULES, NOW);

        assertThat(step.deadLetter()).isEqualTo(deadLetter(DeadLetterReason.INVALID_REFERENCE_DATA,
                "'customers' entry of card token " + TestData.token(CARD) + ": latitude 91.0 is outside [-90, 90]"));
    }

    @Test
    void shouldDeadLetterAMerchantOfACategoryTheModelDoesNotKnow() {
        Merchant crypto = new Merchant(MERCHANT, "Coin Corner", "crypto_exchange", 40.7, -74.0);

        Step<EnrichedEvent> step = Enrich.enrich(event, customer(CARD), crypto, RULES, NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.INVALID_REFERENCE_DATA.name());
        assertThat(step.deadLetter().detail()).startsWith(
                "'merchants' entry of merchant_code " + MERCHANT + ": category 'crypto_exchange' is not one of [");
    }

    @Test
    void shouldDeadLetterACardHolderBornAfterToday() {
        Customer unborn = customer(CARD, LocalDate.of(2030, 1, 1), NEW_YORK_LAT, NEW_YORK_LON);

        assertThat(Enrich.enrich(event, unborn, merchant(MERCHANT), RULES, NOW).deadLetter().detail())
                .endsWith("date_of_birth 2030-01-01 is not between 1900-01-01 and today");
    }

    private DeadLetter deadLetter(DeadLetterReason reason, String detail) {
        return new DeadLetter("ENRICH", reason.name(), detail, Json.toJson(event.transaction()), "T1", TestData.token(CARD),
                event.origin().topic(), event.origin().partition(), event.origin().offset(), event.origin().appendTimeMs(), NOW);
    }
}
