package org.mseg.datasets;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of a split list.
 *
 * @param lineNumber 1-based line number in the list, for error messages
 * @param imagePath  image path relative to the dataset folder
 * @param labelPath  label path relative to the dataset folder; empty for unlabeled splits
 */
public record SplitEntry(int lineNumber, String imagePath, Optional<String> labelPath) {
    public SplitEntry {
        Objects.requireNonNull(imagePath, "imagePath");
        Objects.requireNonNull(labelPath, "labelPath");
        if (lineNumber < 1) {
            throw new IllegalArgumentException("line numbers start at 1, got " + lineNumber);
        }
    }
}
