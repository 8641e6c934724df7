package org.example.stages;

import org.example.tokens.CardTokens;

/**
 * The rules for single values that messages and reference data share (docs/DATA.md). Each
 * returns {@code null} for a valid value, else a sentence naming the field and what is wrong.
 */
public final class FieldRules {

    /** Longest identifier (transaction id, card number, merchant code), in UTF-16 characters. */
    public static final int MAX_IDENTIFIER_LENGTH = 64;

    private FieldRules() {
    }

    /**
     * An identifier: present, not blank, at most {@value #MAX_IDENTIFIER_LENGTH} characters, no
     * control characters and no half of a surrogate pair. The last two would survive a map entry
     * but not the trip to Python (a lone surrogate is not UTF-8), where the item would lose its way
     * back to its input.
     */
    public static String identifierProblem(String field, String value) {
        if (value == null || value.isBlank()) {
            return field + " is missing or blank";
        }
        if (value.length() > MAX_IDENTIFIER_LENGTH) {
            return field + " is " + value.length() + " characters long; at most " + MAX_IDENTIFIER_LENGTH
                    + " are allowed";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return field + " contains the control character U+" + String.format("%04X", (int) c);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return field + " contains half of a surrogate pair (U+" + String.format("%04X", (int) c) + ")";
            }
        }
        return null;
    }

    /**
     * A card number: 12 to 19 digits (ISO/IEC 7812). For a present identifier that is not one; the
     * value is not told, as it may be a card number all the same.
     */
    public static String cardNumberProblem(String field, String value) {
        return value == null || CardTokens.isCardNumber(value) ? null : field + " is not a card number of 12 to 19 digits";
    }

    /** Text that must be present but may say anything (a name, a street). */
    public static String presentProblem(String field, String value) {
        return value == null ? field + " is missing" : null;
    }

    public static String latitudeProblem(String field, double latitude) {
        return Math.abs(latitude) <= 90 ? null : field + " " + latitude + " is outside [-90, 90]";
    }

    public static String longitudeProblem(String field, double longitude) {
        return Math.abs(longitude) <= 180 ? null : field + " " + longitude + " is outside [-180, 180]";
    }

    /** The first problem of several checks, or {@code null} when there is none. */
    public static String first(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
