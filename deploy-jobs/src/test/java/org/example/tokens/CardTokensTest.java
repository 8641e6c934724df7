package org.example.tokens;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** What a card number becomes, and what of it may be shown. */
class CardTokensTest {

    private static final String CARD = "4000123456789012";

    @TempDir
    Path dir;

    private CardTokens newKey(String id) throws IOException {
        return new CardTokens(TokenKey.read(Files.writeString(dir.resolve(id + ".key"),
                TokenKey.newKeyFile(id, 32, new SecureRandom()))));
    }

    @Test
    void shouldGiveACardTheSameTokenUnderOneKeyAndAnotherUnderAnother() throws IOException {
        CardTokens one = newKey("one");
        CardTokens two = newKey("two");

        assertThat(one.token(CARD)).isEqualTo(one.token(CARD)).isNotEqualTo(one.token("4000123456789013"))
                .startsWith("one:").doesNotContain(CARD).hasSize("one:".length() + 43);
        assertThat(two.token(CARD)).startsWith("two:").isNotEqualTo(one.token(CARD).replace("one:", "two:"));
    }

    @Test
    void shouldNameAKeyByAFingerprintThatTheSameKeyRepeatsAndAnotherDoesNot() throws IOException {
        CardTokens one = newKey("one");
        Path file = dir.resolve("one.key");
        String secret = Files.readString(file);

        assertThat(new CardTokens(TokenKey.read(file)).fingerprint()).isEqualTo(one.fingerprint()).startsWith("one:");
        assertThat(newKey("two").fingerprint()).isNotEqualTo(one.fingerprint().replace("one:", "two:"));
        assertThat(CardTokens.describe(one.fingerprint()))
                .isEqualTo("key one, fingerprint " + one.fingerprint().substring("one:".length(), "one:".length() + 8));
        assertThat(secret).doesNotContain(one.fingerprint().substring("one:".length()));
    }

    @Test
    void shouldShowOnlyTheBinAndLastFourOfACardNumberAndNothingOfAnythingElse() {
        assertThat(CardTokens.bin(CARD)).isEqualTo("400012");
        assertThat(CardTokens.last4(CARD)).isEqualTo("9012");
        assertThat(CardTokens.bin("40001234")).isEmpty();
        assertThat(CardTokens.last4("4000-1234-5678-9012")).isEmpty();
        assertThat(CardTokens.isCardNumber("400012345678")).isTrue();
        assertThat(CardTokens.isCardNumber("40001234567")).isFalse();
        assertThat(CardTokens.isCardNumber("4000123456789012345")).isTrue();
        assertThat(CardTokens.isCardNumber("40001234567890123456")).isFalse();
        assertThat(CardTokens.isCardNumber(null)).isFalse();
        assertThat(CardTokens.isCardNumber("40001234567890a2")).isFalse();
        assertThat(CardTokens.isCardNumber("4000 1234 5678 9012")).isFalse();
        // Digits of other scripts are not card digits ([0-9] only, as the masking of free text).
        assertThat(CardTokens.isCardNumber("٤٠٠٠١٢٣٤٥٦٧٨٩٠١٢")).isFalse();
    }

    @Test
    void shouldMaskEveryCardShapedRunInTextToItsBinAndLastFour() {
        assertThat(CardTokens.mask("{\"cc_num\": \"" + CARD + "\", \"alt\": \"4000 1234 5678 9012\"}"))
                .isEqualTo("{\"cc_num\": \"400012******9012\", \"alt\": \"400012******9012\"}");
        assertThat(CardTokens.mask("amount 42.50 at 17:05")).isEqualTo("amount 42.50 at 17:05");
        assertThat(CardTokens.mask(null)).isNull();
    }

    @Test
    void shouldFollowTheConfiguredKeyFileWhenTheSettingChanges() throws IOException {
        String before = System.getProperty(TokenKey.PROPERTY);
        Path other = Files.writeString(dir.resolve("other.key"), TokenKey.newKeyFile("other", 32, new SecureRandom()));
        try {
            String first = CardTokens.configured().keyId();
            System.setProperty(TokenKey.PROPERTY, other.toString());
            assertThat(CardTokens.configured().keyId()).isEqualTo("other").isNotEqualTo(first);
        } finally {
            System.setProperty(TokenKey.PROPERTY, before);
        }
        assertThat(CardTokens.configured().keyId()).isEqualTo("test");
    }
}
