package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.datasets.loader.LoaderState;

/** The loader's batch is the engine's batch: its slices as they are, the state after it as the source state. */
class LoaderBatchSourceTest {

    @Test
    void slicesAndStateAfterTravelAsTheSourceState() {
        LoaderState state = new LoaderState(7, List.of(new LoaderState.StreamPosition("a", 0, 2),
                new LoaderState.StreamPosition("b", 1, 0)));
        float[] images = new float[3 * 2 * 2 * 3];
        byte[] labels = new byte[3 * 2 * 2];
        Batch s = new Batch(4, 2, 2, images, LabelBuffer.of(labels),
                List.of(new DatasetSlice("a", 0, 2), new DatasetSlice("b", 2, 1)), state.toMap());
        assertEquals(List.of(new DatasetSlice("a", 0, 2), new DatasetSlice("b", 2, 1)), s.slices());
        assertEquals(4, s.index());
        assertSame(images, s.images());
        assertEquals(state, LoaderState.fromMap(s.sourceState()));
    }
}
