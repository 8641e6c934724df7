package org.example.stages;

import org.example.records.Customer;
import org.example.records.EnrichedEvent;
import org.example.records.FeaturedEvent;
import org.example.records.FraudRequest;
import org.example.records.Transaction;

/**
 * TRANSFORM: distance from the card holder's billing address to where the transaction happened,
 * then one {@link FraudRequest}, everything the model reads (PREDICT sends it to Python as JSON).
 */
public final class Transform {

    private Transform() {
    }

    public static FraudRequest toRequest(EnrichedEvent enriched, double earthRadiusKm) {
        FeaturedEvent event = enriched.event();
        Transaction txn = event.transaction();
        Customer customer = enriched.customer();
        double distanceKm = haversineKm(customer.latitude(), customer.longitude(),
                txn.latitude(), txn.longitude(), earthRadiusKm);
        return new FraudRequest(txn, event.origin(), event.features(),
                enriched.merchant().category(), customer.gender(), customer.dateOfBirth(),
                customer.cityPopulation(), customer.setting(), distanceKm);
    }

    /** Great-circle distance on a sphere; the formula and the radius are those of features.json. */
    public static double haversineKm(double lat1, double lon1, double lat2, double lon2, double earthRadiusKm) {
        double phi1 = Math.toRadians(lat1);
        double phi2 = Math.toRadians(lat2);
        double dPhi = phi2 - phi1;
        double dLambda = Math.toRadians(lon2 - lon1);
        double a = Math.pow(Math.sin(dPhi / 2), 2)
                + Math.cos(phi1) * Math.cos(phi2) * Math.pow(Math.sin(dLambda / 2), 2);
        return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
