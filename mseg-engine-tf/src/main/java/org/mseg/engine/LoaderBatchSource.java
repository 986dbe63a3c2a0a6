package org.mseg.engine;

import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.MultiDatasetLoader;

/**
 * {@link BatchSource} over MSeg's {@link MultiDatasetLoader}: its batches as they come, their source state the
 * loader's position that checkpoints keep. Closing it closes the loader.
 */
public final class LoaderBatchSource implements BatchSource {

    private final MultiDatasetLoader loader;

    /** Takes ownership of the loader. */
    public LoaderBatchSource(MultiDatasetLoader loader) {
        this.loader = loader;
    }

    @Override
    public Batch next() {
        return loader.next();
    }

    @Override
    public long skippedSamples() {
        return loader.skippedSamples().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        loader.close();
    }
}
