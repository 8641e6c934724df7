package org.example.tools;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The CSV files of a data set and of python/expected_features.py (RFC 4180 with a header line, as
 * Python's csv module writes them), read with commons-csv: quoting, embedded commas and line ends
 * are the library's business, not a {@code split(",")}.
 */
final class CsvFiles {

    private static final CSVFormat WITH_HEADER = CSVFormat.DEFAULT.builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get();

    private CsvFiles() {
    }

    /**
     * Hands each row of {@code csv} to {@code row}, after checking that the header names exactly
     * {@code columns}. A row of another width, or one that {@code row} cannot read (it throws), fails
     * the whole file with its line number; so does a file that cannot be read.
     */
    static void read(Path csv, String what, List<String> columns, Consumer<CSVRecord> row) {
        try (CSVParser parser = CSVParser.parse(csv, StandardCharsets.UTF_8, WITH_HEADER)) {
            if (!parser.getHeaderNames().equals(columns)) {
                throw new IllegalArgumentException(csv + ": expected the header " + String.join(",", columns)
                        + ", not " + String.join(",", parser.getHeaderNames()));
            }
            for (CSVRecord record : parser) {
                // The header is line 1; a record is the line it started on (none of these spans lines).
                long line = record.getRecordNumber() + 1;
                if (record.size() != columns.size()) {
                    throw new IllegalArgumentException(csv + " line " + line + ": expected "
                            + String.join(",", columns) + ", not '" + String.join(",", record.values()) + "'");
                }
                try {
                    row.accept(record);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(csv + " line " + line + ": cannot read '"
                            + String.join(",", record.values()) + "': " + e.getMessage(), e);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("Cannot read " + what + " " + csv + ": " + e, e);
        }
    }
}
