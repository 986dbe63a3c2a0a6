package org.mseg.engine;

import java.util.List;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.MultiDatasetLoader;

/**
 * {@link BatchSource} over MSeg's {@link MultiDatasetLoader}: the loader's parts become the batch slices, its
 * {@code stateAfter} (as a map) the source state that checkpoints keep. Closing it closes the loader.
 */
public final class LoaderBatchSource implements BatchSource {

    private final MultiDatasetLoader loader;

    /** Takes ownership of the loader. */
    public LoaderBatchSource(MultiDatasetLoader loader) {
        this.loader = loader;
    }

    @Override
    public StepBatch next() {
        return toStepBatch(loader.next());
    }

    /** The engine's view of a loader batch. */
    public static StepBatch toStepBatch(Batch b) {
        List<DatasetSlice> slices = b.parts().stream()
                .map(p -> new DatasetSlice(p.dataset(), p.offset(), p.count())).toList();
        return new StepBatch(b.index(), b.height(), b.width(), b.images(), b.labels(), b.wideLabels(), slices,
                b.stateAfter().toMap());
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
