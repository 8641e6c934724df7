package org.example.stages;

import org.example.model.CardFeatures;
import org.example.model.DeadLetterReason;
import org.example.model.EnrichedEvent;
import org.example.model.FeaturedEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.example.TestData.CARD;
import static org.example.TestData.MERCHANT;
import static org.example.TestData.NOW;
import static org.example.TestData.customer;
import static org.example.TestData.merchant;
import static org.example.TestData.txn;

class EnrichTest {

    private final FeaturedEvent event = txn("T1").featured(new CardFeatures(1, 10.0, 1));

    @Test
    void shouldJoinCustomerAndMerchant() {
        Step<EnrichedEvent> step = Enrich.enrich(event, customer(CARD), merchant(MERCHANT), NOW);

        assertThat(step.value().customer().city()).isEqualTo("New York");
        assertThat(step.value().merchant().category()).isEqualTo("grocery_pos");
    }

    @Test
    void shouldDeadLetterAnUnknownCard() {
        Step<EnrichedEvent> step = Enrich.enrich(event, null, merchant(MERCHANT), NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.UNKNOWN_CARD.name());
        assertThat(step.deadLetter().detail()).isEqualTo("no entry in 'customers' for cc_num " + CARD);
        assertThat(step.deadLetter().payload()).contains("\"transaction_id\":\"T1\"");
    }

    @Test
    void shouldDeadLetterAnUnknownMerchant() {
        Step<EnrichedEvent> step = Enrich.enrich(event, customer(CARD), null, NOW);

        assertThat(step.deadLetter().reason()).isEqualTo(DeadLetterReason.UNKNOWN_MERCHANT.name());
        assertThat(step.deadLetter().detail()).contains(MERCHANT);
    }
}
