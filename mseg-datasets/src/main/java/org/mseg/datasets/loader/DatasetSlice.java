package org.mseg.datasets.loader;

import java.util.Objects;

/**
 * The crops of one dataset inside a training batch: batch rows {@code offset .. offset + count − 1}.
 *
 * @param dataset dataset name
 * @param offset  first batch row
 * @param count   number of rows, positive
 */
public record DatasetSlice(String dataset, int offset, int count) {

    /** Validates the slice. */
    public DatasetSlice {
        Objects.requireNonNull(dataset, "dataset");
        if (offset < 0 || count < 1) {
            throw new IllegalArgumentException("slice of " + dataset + " needs offset >= 0 and count >= 1, was "
                    + offset + "/" + count);
        }
    }
}
