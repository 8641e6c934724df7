package org.example.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import org.example.records.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading the data set's JSON Lines files (docs/DATA.md) so that any line that cannot be used
 * stops the load with its file and line number, rather than being skipped or turned into
 * defaults.
 */
final class JsonLines {

    /** A line that cannot be used; the message starts with {@code file:line:}. */
    static final class BadLineException extends IllegalArgumentException {

        private final String problem;

        BadLineException(Path file, long lineNumber, String problem) {
            super(file + ":" + lineNumber + ": " + problem);
            this.problem = problem;
        }

        /** What is wrong with the line, without where it is. */
        String problem() {
            return problem;
        }
    }

    @FunctionalInterface
    interface LineHandler {
        void accept(long lineNumber, String line);
    }

    private JsonLines() {
    }

    /**
     * Hands every line, numbered from 1, to {@code handler}; stops after {@code limit} lines when
     * {@code limit > 0}. Blank lines too: the handler judges them (JSON Lines has none).
     *
     * @return the number of lines handed over
     */
    static long forEachLine(Path file, long limit, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lineNumber = 0;
            String line;
            while ((limit <= 0 || lineNumber < limit) && (line = reader.readLine()) != null) {
                lineNumber++;
                handler.accept(lineNumber, line);
            }
            return lineNumber;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The reader INGEST reads messages with ({@link Json#messageReader}): exact JSON types, and
     * nothing after the first JSON value on a line.
     */
    static ObjectReader readerFor(Class<?> type) {
        return Json.messageReader(type);
    }

    /** Parses one line; errors name the file and line. */
    static <T> T parse(ObjectReader reader, Path file, long lineNumber, String line) {
        try {
            return reader.readValue(line);
        } catch (JsonProcessingException e) {
            throw new BadLineException(file, lineNumber, e.getOriginalMessage());
        }
    }
}
