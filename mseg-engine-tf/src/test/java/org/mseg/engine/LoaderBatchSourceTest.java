package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.LoaderState;

/** A loader batch becomes an engine batch: parts become slices, the state after it the source state. */
class LoaderBatchSourceTest {

    @Test
    void partsBecomeSlicesAndStateAfterBecomesTheSourceState() {
        LoaderState state = new LoaderState(7, List.of(new LoaderState.StreamPosition("a", 0, 2),
                new LoaderState.StreamPosition("b", 1, 0)));
        float[] images = new float[3 * 2 * 2 * 3];
        byte[] labels = new byte[3 * 2 * 2];
        Batch b = new Batch(4, 2, 2, images, labels, List.of(new Batch.Part("a", 0, 2), new Batch.Part("b", 2, 1)),
                state);
        StepBatch s = LoaderBatchSource.toStepBatch(b);
        assertEquals(List.of(new DatasetSlice("a", 0, 2), new DatasetSlice("b", 2, 1)), s.slices());
        assertEquals(4, s.index());
        assertSame(images, s.images());
        assertEquals(state, LoaderState.fromMap(s.sourceState()));
    }
}
