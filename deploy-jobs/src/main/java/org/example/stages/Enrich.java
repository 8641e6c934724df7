package org.example.stages;

import org.example.definition.Names;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.DeadLetterReason;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.Merchant;
import org.example.records.Transaction;

import java.time.LocalDate;

/**
 * ENRICH: the card holder from {@code customers} (by card token) and the merchant from
 * {@code merchants} (by merchant code), which {@link ReferenceCache} looks up, in the maps and in
 * the reference database behind them. An unknown card or merchant, or an entry that breaks
 * {@link ReferenceRules}, becomes a dead letter, so nothing is scored on made-up or meaningless
 * reference data.
 */
public final class Enrich {

    private static final long MS_PER_DAY = 86_400_000L;

    private Enrich() {
    }

    /** Joins the looked-up reference data; either may be {@code null} when not found. */
    public static Step<EnrichedEvent> enrich(FeaturedEvent event, Customer customer, Merchant merchant,
                                             ReferenceRules rules, long nowMs) {
        Transaction txn = event.transaction();
        if (customer == null) {
            return failed(event, DeadLetterReason.UNKNOWN_CARD,
                    "no entry in '" + Names.CUSTOMERS_MAP + "' for card token " + txn.cardToken(), nowMs);
        }
        if (merchant == null) {
            return failed(event, DeadLetterReason.UNKNOWN_MERCHANT,
                    "no entry in '" + Names.MERCHANTS_MAP + "' for merchant_code " + txn.merchantCode(), nowMs);
        }
        String problem = rules.customerProblem(customer, LocalDate.ofEpochDay(Math.floorDiv(nowMs, MS_PER_DAY)));
        if (problem != null) {
            return failed(event, DeadLetterReason.INVALID_REFERENCE_DATA,
                    "'" + Names.CUSTOMERS_MAP + "' entry of card token " + txn.cardToken() + ": " + problem, nowMs);
        }
        problem = rules.merchantProblem(merchant);
        if (problem != null) {
            return failed(event, DeadLetterReason.INVALID_REFERENCE_DATA,
                    "'" + Names.MERCHANTS_MAP + "' entry of merchant_code " + txn.merchantCode() + ": " + problem, nowMs);
        }
        FeaturedEvent passed = new FeaturedEvent(txn, event.origin().withHops(event.origin().hops().enrichedAt(nowMs)),
                event.features());
        return Step.ok(new EnrichedEvent(passed, customer, merchant));
    }

    static Step<EnrichedEvent> failed(FeaturedEvent event, DeadLetterReason reason, String detail, long nowMs) {
        return Step.failed(DeadLetter.of(Names.Stage.ENRICH, reason, detail, event.transaction(), event.origin(), nowMs));
    }
}
