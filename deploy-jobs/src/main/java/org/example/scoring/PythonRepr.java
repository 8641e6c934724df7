package org.example.scoring;

/**
 * Python's {@code repr} of a string, which fraud_handler.py puts into its messages (for instance
 * {@code unknown category 'crypto'}): so a request both scorers reject gets the same detail in its
 * dead letter, whichever scored it.
 */
final class PythonRepr {

    private PythonRepr() {
    }

    /** fraud_handler's {@code _preview}: the repr of at most 64 characters, with "..." if cut. */
    static String preview(String text) {
        int limit = 64;
        if (text.codePointCount(0, text.length()) > limit) {
            text = text.substring(0, text.offsetByCodePoints(0, limit)) + "...";
        }
        return of(text);
    }

    /** Single quotes, unless the text has single quotes and no double ones; non-printables escaped. */
    static String of(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(text.length() + 2).append(quote);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append((char) c);
                    } else if (isPrintable(c)) {
                        out.appendCodePoint(c);
                    } else if (c < 0x100) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable} for one character: not Other, not a separator but space. */
    private static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
