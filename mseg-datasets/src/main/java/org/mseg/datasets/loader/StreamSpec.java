package org.mseg.datasets.loader;

import java.util.Objects;
import org.mseg.api.ConfigException;

/**
 * One dataset stream of a multi-dataset loader: every batch takes {@code batchSize} crops from this dataset's split.
 *
 * @param dataset   dataset name, e.g. {@code cityscapes-19-relabeled}
 * @param split     split name, e.g. {@code train}
 * @param batchSize crops of this dataset per batch (upstream's per-GPU batch size)
 */
public record StreamSpec(String dataset, String split, int batchSize) {
    public StreamSpec {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(split, "split");
        if (batchSize < 1) {
            throw new ConfigException("Batch size of dataset '" + dataset + "' is " + batchSize
                    + "; it must be at least 1.");
        }
    }
}
