package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mseg.api.MsegException;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class InputSizeTest {

    @Test
    void sizesOfTheForm8kPlus1AreAccepted() {
        for (int size : new int[] {1, 9, 33, 473, 593, 713, 1025}) {
            int s = size;
            assertDoesNotThrow(() -> Hrnet.checkInputSize(s, s));
        }
    }

    @Test
    void invalidSizeNamesTheSizeAndTheNearestValidOnes() {
        InvalidInputSizeException e = assertThrows(InvalidInputSizeException.class,
                () -> Hrnet.checkInputSize(512, 713));
        assertTrue(e instanceof MsegException);
        assertEquals(512, e.height());
        assertEquals(713, e.width());
        String m = e.getMessage();
        assertTrue(m.contains("512x713"), m);
        assertTrue(m.contains("height 512: use 505 or 513"), m);
        assertTrue(m.contains("width 713 is fine"), m);
    }

    @Test
    void nearestValidSizes() {
        assertArrayEquals(new long[] {505, 513}, InvalidInputSizeException.nearestValidSizes(512));
        assertArrayEquals(new long[] {713, 713}, InvalidInputSizeException.nearestValidSizes(713));
        assertArrayEquals(new long[] {713, 721}, InvalidInputSizeException.nearestValidSizes(714));
        assertArrayEquals(new long[] {1, 1}, InvalidInputSizeException.nearestValidSizes(0));
        assertTrue(InvalidInputSizeException.isValidSize(713));
        assertTrue(!InvalidInputSizeException.isValidSize(0));
        assertTrue(!InvalidInputSizeException.isValidSize(720));
    }

    @Test
    void forwardRejectsInvalidSizesBeforeBuildingAnything() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 3, 1L);
            InvalidInputSizeException e = assertThrows(InvalidInputSizeException.class,
                    () -> model.forward("bad", 1, 32, 33, BatchNormMode.INFERENCE));
            assertTrue(e.getMessage().contains("height 32: use 25 or 33"), e.getMessage());
            assertThrows(InvalidInputSizeException.class, () -> model.summary(33, 40));
            // the name was not consumed by the failed call
            assertDoesNotThrow(() -> model.forward("ok", 1, 33, 33, BatchNormMode.INFERENCE));
        }
    }

    @Test
    void operandInputsMustBeNhwcWithKnownSize() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet model = Hrnet.create(tf, HrnetSpec.tiny(), 3, 1L);
            Placeholder<TFloat32> nchw = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 3, 33, 33)));
            assertThrows(IllegalArgumentException.class, () -> model.forward("nchw", nchw, BatchNormMode.INFERENCE));
            Placeholder<TFloat32> unknown = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(1, -1, -1, 3)));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward("unknown", unknown, BatchNormMode.INFERENCE));
            Placeholder<TFloat32> wrong = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 41, 50, 3)));
            assertThrows(InvalidInputSizeException.class, () -> model.forward("w", wrong, BatchNormMode.INFERENCE));
        }
    }
}
