package org.mseg.taxonomy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mseg.api.ConfigException;

/**
 * Readers for MSeg's text data files. Upstream files mix CRLF and LF line ends and often lack a final newline; both
 * readers accept any of {@code \n}, {@code \r\n} and {@code \r}.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /** A line of a file with its 1-based line number, for error messages. */
    public record Line(int number, String text) {
    }

    /** Splits text into lines on any line terminator; a trailing terminator does not produce an empty last line. */
    public static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int number = 1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(new Line(number++, text.substring(start, i)));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            lines.add(new Line(number, text.substring(start)));
        }
        return lines;
    }

    /**
     * Reads a class-names file: one name per line, line {@code i} (0-based, empty lines dropped) is class id {@code i}.
     *
     * @param source file name or resource, for messages
     */
    public static List<String> readNames(InputStream in, String source) {
        List<String> names = new ArrayList<>();
        for (Line line : lines(read(in, source))) {
            if (!line.text().isBlank()) {
                names.add(line.text());
            }
        }
        if (names.isEmpty()) {
            throw new ConfigException("Class-names file " + source + " is empty: it must list one class name per line.");
        }
        return names;
    }

    /**
     * Reads a tab-separated file with a header row. Empty cells stay empty strings; rows shorter than the header are
     * padded with empty cells; empty lines are skipped.
     *
     * @param source file name or resource, for messages
     */
    public static Table readTsv(InputStream in, String source) {
        List<Line> lines = lines(read(in, source));
        if (lines.isEmpty()) {
            throw new ConfigException("TSV file " + source + " is empty: it needs a header row naming its columns.");
        }
        String[] header = lines.get(0).text().split("\t", -1);
        List<Row> rows = new ArrayList<>();
        for (Line line : lines.subList(1, lines.size())) {
            if (line.text().isBlank()) {
                continue;
            }
            String[] cells = line.text().split("\t", -1);
            if (cells.length > header.length) {
                throw new ConfigException(source + " line " + line.number() + ": " + cells.length
                        + " tab-separated cells but the header has " + header.length + " columns. Remove the extra"
                        + " tabs.");
            }
            String[] padded = new String[header.length];
            for (int i = 0; i < header.length; i++) {
                padded[i] = i < cells.length ? cells[i] : "";
            }
            rows.add(new Row(line.number(), padded));
        }
        return new Table(source, List.of(header), rows);
    }

    private static String read(InputStream in, String source) {
        if (in == null) {
            throw new ConfigException("Missing data file " + source + ": the installation is incomplete.");
        }
        try (in) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** One data row of a TSV file. */
    public record Row(int lineNumber, String[] cells) {
    }

    /** A parsed TSV file. */
    public record Table(String source, List<String> header, List<Row> rows) {

        /** Index of a column by header name. */
        public int column(String name) {
            int i = header.indexOf(name);
            if (i < 0) {
                throw new ConfigException(source + ": no column '" + name + "'. Columns: " + header);
            }
            return i;
        }
    }
}
