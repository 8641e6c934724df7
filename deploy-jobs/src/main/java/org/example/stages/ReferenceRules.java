package org.example.stages;

import org.example.definition.FeatureDefinition;
import org.example.records.Customer;
import org.example.records.Merchant;

import java.time.LocalDate;
import java.util.List;

import static org.example.stages.FieldRules.first;
import static org.example.stages.FieldRules.identifierProblem;
import static org.example.stages.FieldRules.latitudeProblem;
import static org.example.stages.FieldRules.longitudeProblem;
import static org.example.stages.FieldRules.presentProblem;

/**
 * What makes a {@code customers} or {@code merchants} entry usable (docs/DATA.md): the loader
 * refuses rows that break these rules, and ENRICH dead-letters a transaction whose entry breaks
 * them anyway (written by another tool), instead of scoring it on a meaningless distance or an
 * unknown category. The vocabularies are the model's, from {@code features.json}.
 */
public final class ReferenceRules {

    /** No card holder was born before this; an earlier date is a typo or a placeholder. */
    public static final LocalDate EARLIEST_BIRTH_DATE = LocalDate.of(1900, 1, 1);

    private final List<String> genders;
    private final List<String> settings;
    private final List<String> categories;

    public ReferenceRules(FeatureDefinition features) {
        this.genders = features.vocabulary("gender");
        this.settings = features.vocabulary("setting");
        this.categories = features.vocabulary("category");
    }

    /** The first rule the entry breaks, or {@code null}; {@code today} bounds the date of birth. */
    public String customerProblem(Customer c, LocalDate today) {
        return first(
                identifierProblem("card_token", c.cardToken()),
                presentProblem("first_name", c.firstName()),
                presentProblem("last_name", c.lastName()),
                oneOf("gender", c.gender(), genders),
                birthDateProblem(c.dateOfBirth(), today),
                presentProblem("job", c.job()),
                presentProblem("street", c.street()),
                presentProblem("city", c.city()),
                presentProblem("state", c.state()),
                presentProblem("zip", c.zip()),
                latitudeProblem("latitude", c.latitude()),
                longitudeProblem("longitude", c.longitude()),
                c.cityPopulation() >= 0 ? null : "city_population " + c.cityPopulation() + " is negative",
                oneOf("setting", c.setting(), settings));
    }

    public String merchantProblem(Merchant m) {
        return first(
                identifierProblem("merchant_code", m.merchantCode()),
                presentProblem("name", m.name()),
                oneOf("category", m.category(), categories),
                latitudeProblem("latitude", m.latitude()),
                longitudeProblem("longitude", m.longitude()));
    }

    private static String birthDateProblem(LocalDate dateOfBirth, LocalDate today) {
        if (dateOfBirth == null) {
            return "date_of_birth is missing";
        }
        if (dateOfBirth.isBefore(EARLIEST_BIRTH_DATE) || dateOfBirth.isAfter(today)) {
            return "date_of_birth " + dateOfBirth + " is not between " + EARLIEST_BIRTH_DATE + " and today";
        }
        return null;
    }

    private static String oneOf(String field, String value, List<String> vocabulary) {
        return vocabulary.contains(value) ? null
                : field + " " + (value == null ? "is missing" : "'" + value + "' is not one of " + vocabulary);
    }
}
