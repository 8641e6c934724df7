package org.example.tokens;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The secret key card tokens are made with, and its identifier, which every token names so that a
 * key can be rotated (docs/DEPLOY.md, "Card tokens"). Read from a file the operator provides to
 * each member and to the loaders, never from the job's arguments, its JAR or a map, so it never
 * lands in Jet's job records:
 * <pre>
 * id=2026-12
 * secret=&lt;base64 of 32 random bytes&gt;
 * </pre>
 * {@link #toString} names the key, never its secret.
 */
public final class TokenKey {

    /** The environment variable that names the key file; the system property {@value #PROPERTY} overrides it. */
    public static final String ENVIRONMENT_VARIABLE = "FRAUD_TOKEN_KEY_FILE";
    public static final String PROPERTY = "fraud.token.key.file";
    /** A key of fewer bits than this is refused (PCI DSS 3.5.1.1 asks for strong keys; HMAC-SHA256 takes up to 512). */
    public static final int MIN_SECRET_BYTES = 16;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

    private final String id;
    private final byte[] secret;

    TokenKey(String id, byte[] secret) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the key's id must be 1 to 16 letters, digits, '-' or '_', not '" + id + "'");
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the key's secret has " + secret.length * 8 + " bits; at least "
                    + MIN_SECRET_BYTES * 8 + " are needed");
        }
        this.id = id;
        this.secret = secret.clone();
    }

    /** The key file named by {@value #PROPERTY}, else by {@value #ENVIRONMENT_VARIABLE}; refused with what to provide. */
    public static TokenKey configured() {
        return read(configuredFile());
    }

    /** What names the key file: {@value #PROPERTY}, else {@value #ENVIRONMENT_VARIABLE}; empty when neither does. */
    static String configuredSetting() {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank()) {
            file = System.getenv(ENVIRONMENT_VARIABLE);
        }
        return file == null ? "" : file;
    }

    /** The path of the configured key file; refused with what to provide when none is. */
    public static Path configuredFile() {
        String file = configuredSetting();
        if (file.isBlank()) {
            throw new IllegalStateException("No card-token key: set " + ENVIRONMENT_VARIABLE + " (or -D" + PROPERTY
                    + ") to a key file on every member and wherever reference data is loaded; create one with"
                    + " scripts/token-key.sh (docs/DEPLOY.md, \"Card tokens\")");
        }
        return Path.of(file);
    }

    public static TokenKey read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the card-token key file " + file + ": " + e.getMessage(), e);
        }
        String id = properties.getProperty("id", "").trim();
        String secret = properties.getProperty("secret", "").trim();
        try {
            return new TokenKey(id, Base64.getDecoder().decode(secret));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The card-token key file " + file + " is not usable: " + e.getMessage());
        }
    }

    /** A new key with {@code id} and a secret of {@code bytes} random bytes, as a key file's text. */
    public static String newKeyFile(String id, int bytes, java.security.SecureRandom random) {
        byte[] secret = new byte[bytes];
        random.nextBytes(secret);
        TokenKey key = new TokenKey(id, secret);
        return "# Card-token key (docs/DEPLOY.md, \"Card tokens\"). Keep it apart from the data: mode 0600,\n"
                + "# on the members and the loaders only; never in the job's arguments, a map or a repository.\n"
                + "id=" + key.id + "\nsecret=" + Base64.getEncoder().encodeToString(secret) + "\n";
    }

    public String id() {
        return id;
    }

    byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "card-token key " + id;
    }
}
