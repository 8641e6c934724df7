package org.example.stages;

import com.hazelcast.map.IMap;
import org.example.Names;
import org.example.model.Customer;
import org.example.model.DeadLetter;
import org.example.model.DeadLetterReason;
import org.example.model.EnrichedEvent;
import org.example.model.FeaturedEvent;
import org.example.model.Merchant;
import org.example.model.Transaction;


/**
 * ENRICH: the card holder from {@code customers} (by card number) and the merchant from
 * {@code merchants} (by merchant code). An unknown card or merchant becomes a dead letter, so
 * nothing is scored on made-up defaults.
 */
public final class Enrich {

    private Enrich() {
    }

    /**
     * The two reference maps, as a Jet service shared by the processors of a member. Values are
     * read as {@code Object}: see {@link CompactValues} for why they may arrive as generic records.
     */
    public record ReferenceData(IMap<String, Object> customers, IMap<String, Object> merchants) {

        /**
         * Synchronous lookups, meant to be local: the stage is keyed by card number, and merchants
         * sit in each member's near cache.
         */
        public Step<EnrichedEvent> lookUp(FeaturedEvent event, long nowMs) {
            Transaction txn = event.transaction();
            return enrich(event,
                    CompactValues.as(customers.get(txn.ccNum()), Customer.class),
                    CompactValues.as(merchants.get(txn.merchantCode()), Merchant.class), nowMs);
        }
    }

    /** Joins the looked-up reference data; either may be {@code null} when not found. */
    public static Step<EnrichedEvent> enrich(FeaturedEvent event, Customer customer, Merchant merchant, long nowMs) {
        Transaction txn = event.transaction();
        if (customer == null) {
            return Step.failed(DeadLetter.of(Names.Stage.ENRICH, DeadLetterReason.UNKNOWN_CARD,
                    "no entry in '" + Names.CUSTOMERS_MAP + "' for cc_num " + txn.ccNum(), txn, event.origin(), nowMs));
        }
        if (merchant == null) {
            return Step.failed(DeadLetter.of(Names.Stage.ENRICH, DeadLetterReason.UNKNOWN_MERCHANT,
                    "no entry in '" + Names.MERCHANTS_MAP + "' for merchant_code " + txn.merchantCode(),
                    txn, event.origin(), nowMs));
        }
        return Step.ok(new EnrichedEvent(event, customer, merchant));
    }
}
