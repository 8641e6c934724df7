package org.example.scoring;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Python's repr of a string, as the handler quotes an unknown value; each case as python3 prints it. */
class PythonReprTest {

    @Test
    void shouldQuoteLikePython() {
        assertThat(PythonRepr.of("crypto")).isEqualTo("'crypto'");
        assertThat(PythonRepr.of("it's")).isEqualTo("\"it's\"");
        assertThat(PythonRepr.of("both ' and \"")).isEqualTo("'both \\' and \"'");
        assertThat(PythonRepr.of("")).isEqualTo("''");
    }

    @Test
    void shouldEscapeWhatPythonDoesNotPrint() {
        assertThat(PythonRepr.of("a\\b\nc\td\re")).isEqualTo("'a\\\\b\\nc\\td\\re'");
        assertThat(PythonRepr.of("\u0000\u007f")).isEqualTo("'\\x00\\x7f'");
        assertThat(PythonRepr.of("no\u00a0break sep\u2028arator")).isEqualTo("'no\\xa0break sep\\u2028arator'");
        assertThat(PythonRepr.of("café \uD83D\uDE00")).isEqualTo("'café \uD83D\uDE00'");
    }

    @Test
    void shouldCutAPreviewAtSixtyFourCharactersNotUtf16Units() {
        assertThat(PythonRepr.preview("x".repeat(64))).isEqualTo("'" + "x".repeat(64) + "'");
        assertThat(PythonRepr.preview("x".repeat(65))).isEqualTo("'" + "x".repeat(64) + "...'");
        String emoji = "\uD83D\uDE00";
        assertThat(PythonRepr.preview(emoji.repeat(65))).isEqualTo("'" + emoji.repeat(64) + "...'");
    }
}
