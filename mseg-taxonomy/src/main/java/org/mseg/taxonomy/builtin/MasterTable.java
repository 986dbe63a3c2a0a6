package org.mseg.taxonomy.builtin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.api.ConfigException;
import org.mseg.taxonomy.TextFiles;

/**
 * {@code MSeg_master.tsv} parsed: the universal class of each row and, per dataset column, which dataset classes map
 * into it (training columns) or which test class it contributes to (test columns).
 */
final class MasterTable {
    static final String UNIVERSAL_COLUMN = "universal";

    private final TextFiles.Table table;
    private final List<String> universalNames = new ArrayList<>();
    private final List<String> rowUniversal = new ArrayList<>();

    MasterTable(TextFiles.Table table) {
        this.table = table;
        int u = table.column(UNIVERSAL_COLUMN);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (TextFiles.Row row : table.rows()) {
            String name = row.cells()[u].strip();
            if (name.isEmpty()) {
                throw new ConfigException(table.source() + " line " + row.lineNumber()
                        + ": empty 'universal' cell. Every row must name its universal class.");
            }
            if (!seen.add(name)) {
                throw new ConfigException(table.source() + " line " + row.lineNumber() + ": universal class '" + name
                        + "' appears twice. Universal class names must be unique.");
            }
            rowUniversal.add(name);
            if (!name.equals("unlabeled")) {
                universalNames.add(name);
            }
        }
    }

    /** The universal classes in id order (the {@code unlabeled} row excluded). */
    List<String> universalNames() {
        return universalNames;
    }

    boolean hasColumn(String column) {
        return table.header().contains(column);
    }

    /**
     * For a training-side column: dataset class name → universal class name (or {@code unlabeled}), checked against
     * the dataset's class names; each class may appear in one row only.
     */
    Map<String, String> trainingColumn(String column, List<String> classNames) {
        int c = table.column(column);
        Map<String, String> map = new LinkedHashMap<>();
        for (int r = 0; r < table.rows().size(); r++) {
            TextFiles.Row row = table.rows().get(r);
            for (String cls : parseEntry(row.cells()[c], row.lineNumber(), column)) {
                if (!classNames.contains(cls)) {
                    throw new ConfigException(table.source() + " line " + row.lineNumber() + ", column '" + column
                            + "': '" + cls + "' is not a class of " + column + ". Use a name from "
                            + column + "_names.txt.");
                }
                String previous = map.putIfAbsent(cls, rowUniversal.get(r));
                if (previous != null) {
                    throw new ConfigException(table.source() + " line " + row.lineNumber() + ", column '" + column
                            + "': class '" + cls + "' already maps to '" + previous
                            + "'. A dataset class may appear in one row only.");
                }
            }
        }
        return map;
    }

    /** For a test-side column: universal class name → test class name (rows with an empty cell are skipped). */
    Map<String, String> testColumn(String column, List<String> classNames) {
        int c = table.column(column);
        Map<String, String> map = new LinkedHashMap<>();
        for (int r = 0; r < table.rows().size(); r++) {
            TextFiles.Row row = table.rows().get(r);
            String cell = row.cells()[c];
            if (cell.isEmpty() || rowUniversal.get(r).equals("unlabeled")) {
                continue;
            }
            if (!cell.equals(cell.strip()) || cell.startsWith("{")) {
                throw new ConfigException(table.source() + " line " + row.lineNumber() + ", column '" + column
                        + "': test cells hold exactly one class name without surrounding spaces or braces, found '"
                        + cell + "'.");
            }
            if (!classNames.contains(cell)) {
                throw new ConfigException(table.source() + " line " + row.lineNumber() + ", column '" + column
                        + "': '" + cell + "' is not a class of " + column + ". Use a name from " + column
                        + "_names.txt.");
            }
            map.put(rowUniversal.get(r), cell);
        }
        return map;
    }

    /** {@code ""} → none; {@code {a, b}} → [a, b]; otherwise the cell itself. */
    private List<String> parseEntry(String cell, int line, String column) {
        if (cell.isEmpty()) {
            return List.of();
        }
        if (cell.startsWith("{")) {
            if (!cell.endsWith("}")) {
                throw new ConfigException(table.source() + " line " + line + ", column '" + column
                        + "': '" + cell + "' opens a '{' it does not close. Write merges as {a, b}.");
            }
            List<String> names = new ArrayList<>();
            for (String part : cell.substring(1, cell.length() - 1).split(",")) {
                String name = part.strip();
                if (name.isEmpty()) {
                    throw new ConfigException(table.source() + " line " + line + ", column '" + column
                            + "': empty name inside '" + cell + "'.");
                }
                names.add(name);
            }
            return names;
        }
        if (!cell.equals(cell.strip())) {
            throw new ConfigException(table.source() + " line " + line + ", column '" + column + "': cell '" + cell
                    + "' has surrounding whitespace. Remove it.");
        }
        return List.of(cell);
    }
}
