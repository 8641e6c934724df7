package org.example.tokens;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Card numbers as keyed tokens: {@code <key id>:<HMAC-SHA256 of the whole card number, base64url>}
 * (PCI DSS 3.5.1.1: a keyed cryptographic hash of the full PAN, the key managed apart from the
 * data). The same card number and key always give the same token, so the job keys its state,
 * lookups and outputs by it; without the key nobody can tell which card a token is, and guessing
 * card numbers does not help. What analysts need of the number is kept beside the token: its BIN
 * (first six digits) and its last four.
 *
 * <p>Immutable and thread-safe; {@link #configured} is the key file this JVM was given.
 */
public final class CardTokens {

    private static final String ALGORITHM = "HmacSHA256";
    /** A card number is 12 to 19 digits (ISO/IEC 7812); BIN and last four are shown only of those. */
    private static final int SHORTEST_CARD_NUMBER = 12;
    private static final int LONGEST_CARD_NUMBER = 19;
    /**
     * What looks like a card number inside free text (a raw message, an error's detail): 12 to 19
     * digits, maybe grouped by spaces or dashes, not part of a longer run of digits.
     */
    private static final Pattern IN_TEXT = Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9])");
    /** What a key tokenises for its {@link #fingerprint()}. */
    private static final String FINGERPRINT_TEXT = "fraud-detection card-token key check";
    private static final ConcurrentHashMap<String, CardTokens> BY_FILE = new ConcurrentHashMap<>();
    private static volatile Configured lastConfigured;

    private final TokenKey key;
    private final ThreadLocal<Mac> macs;

    public CardTokens(TokenKey key) {
        this.key = key;
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(new SecretKeySpec(key.secret(), ALGORITHM));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
            }
        });
    }

    /**
     * The tokens of the key file configured for this JVM ({@link TokenKey#configured}), read once per
     * file: on a member, where it first needs a token, so the key never travels with the job; in a
     * loader, for the keys of the reference data.
     */
    public static CardTokens configured() {
        // Asked once per Kafka record (INGEST tokenizes at the source): the setting as it was last
        // seen answers without a path resolved or a map looked up, which cost as much as the HMAC.
        String setting = TokenKey.configuredSetting();
        Configured last = lastConfigured;
        if (last != null && last.setting().equals(setting)) {
            return last.tokens();
        }
        CardTokens tokens = BY_FILE.computeIfAbsent(TokenKey.configuredFile().toAbsolutePath().toString(),
                file -> new CardTokens(TokenKey.read(java.nio.file.Path.of(file))));
        lastConfigured = new Configured(setting, tokens);
        return tokens;
    }

    /** The configured key file's setting, and its tokens. */
    private record Configured(String setting, CardTokens tokens) {
    }

    public String keyId() {
        return key.id();
    }

    /**
     * The key's id and the token of a fixed text ({@code id:token}): equal for equal keys, different
     * for different ones, and it reveals nothing of the secret. Members compare theirs before a job
     * is submitted; people compare them as {@link #describe(String)} writes them.
     */
    public String fingerprint() {
        return token(FINGERPRINT_TEXT);
    }

    /** A {@link #fingerprint()} for people: {@code key <id>, fingerprint <its first 8 characters>}. */
    public static String describe(String fingerprint) {
        int colon = fingerprint.indexOf(':');
        return "key " + fingerprint.substring(0, colon) + ", fingerprint " + fingerprint.substring(colon + 1, colon + 9);
    }

    /** The token of a card number (of any text: a malformed key is tokenised too, never kept). */
    public String token(String cardNumber) {
        byte[] hmac = macs.get().doFinal(cardNumber.getBytes(StandardCharsets.UTF_8));
        return key.id() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac);
    }

    /** The first six digits of a card number; empty for anything that is not one. */
    public static String bin(String cardNumber) {
        return isCardNumber(cardNumber) ? cardNumber.substring(0, 6) : "";
    }

    /** The last four digits of a card number; empty for anything that is not one. */
    public static String last4(String cardNumber) {
        return isCardNumber(cardNumber) ? cardNumber.substring(cardNumber.length() - 4) : "";
    }

    /**
     * Whether a value is shaped like a card number: 12 to 19 ASCII digits. A loop, not a regular
     * expression: INGEST asks three times per transaction, and the regex's matcher was 3 % of a
     * member's cooperative thread at 1,000 transactions/s (JFR, docs/BENCHMARK.md).
     */
    public static boolean isCardNumber(String value) {
        if (value == null || value.length() < SHORTEST_CARD_NUMBER || value.length() > LONGEST_CARD_NUMBER) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text} with everything that looks like a card number masked to its BIN and last four
     * ({@code 400000******1234}), as PCI DSS allows them shown: for what is kept of raw input, a
     * dead letter's payload and detail.
     */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        Matcher matcher = IN_TEXT.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        StringBuilder masked = new StringBuilder(text.length());
        do {
            String digits = matcher.group().replaceAll("[ -]", "");
            matcher.appendReplacement(masked, digits.substring(0, 6) + "*".repeat(digits.length() - 10)
                    + digits.substring(digits.length() - 4));
        } while (matcher.find());
        matcher.appendTail(masked);
        return masked.toString();
    }
}
