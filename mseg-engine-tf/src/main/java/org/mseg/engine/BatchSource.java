package org.mseg.engine;

import org.mseg.datasets.loader.Batch;


/**
 * Where the training loop gets its batches: a multi-dataset loader, or in-memory data in tests. Every batch must
 * have the same crop size and slice layout (the graph is built for them).
 */
public interface BatchSource extends AutoCloseable {

    /** The next batch; blocks until it is ready. */
    Batch next();

    /** Samples skipped so far because they could not be read (0 when the source never skips). */
    default long skippedSamples() {
        return 0;
    }

    /** Releases threads and native memory; the default does nothing. */
    @Override
    default void close() {
    }
}
