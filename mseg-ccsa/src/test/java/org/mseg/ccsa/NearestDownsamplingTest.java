package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Label downsampling to the embedding grid follows PyTorch's {@code F.interpolate(mode='nearest', size=...)}: source
 * index {@code min(floor(i · float32(in / out)), in − 1)}. Expected indices were computed with NumPy float32.
 */
class NearestDownsamplingTest {

    @Test
    void hrnetGridOfA713CropHas179Rows() {
        assertEquals(179, PairSampler.gridSize(713, 4));
        assertEquals(128, PairSampler.gridSize(512, 4));
        assertEquals(90, PairSampler.gridSize(713, 8));
        assertEquals(1, PairSampler.gridSize(1, 4));
    }

    @Test
    void sourceIndicesMatchPytorchNearest() {
        assertArrayEquals(new int[] {0, 3, 6}, PairSampler.sourceIndices(9, 3));
        assertArrayEquals(new int[] {0, 3, 6}, PairSampler.sourceIndices(10, 3));
        assertArrayEquals(new int[] {0, 1, 3, 5}, PairSampler.sourceIndices(7, 4));
        int[] rows = PairSampler.sourceIndices(713, 179);
        assertArrayEquals(new int[] {0, 3, 7, 11, 15, 19}, java.util.Arrays.copyOf(rows, 6));
        assertArrayEquals(new int[] {697, 701, 705, 709}, java.util.Arrays.copyOfRange(rows, 175, 179));
    }

    /** Where float32 and float64 disagree, PyTorch (float32) is followed, not OpenCV (float64). */
    @Test
    void float32ScaleDecidesTheBorderCasesLikePytorch() {
        // 11·86/22 = 43 exactly: float32 gives 43.000001 (PyTorch 43), float64 42.999… (OpenCV 42)
        assertEquals(43, PairSampler.sourceIndices(86, 22)[11]);
        // 15·150/18 = 125 exactly: float32 gives 124.99999 (PyTorch 124), float64 125 (OpenCV 125)
        assertEquals(124, PairSampler.sourceIndices(150, 18)[15]);
    }

    @Test
    void sameSizeCopiesAndDoubleSizeRepeats() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, PairSampler.sourceIndices(5, 5));
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, PairSampler.sourceIndices(3, 6));
    }

    @Test
    void downsamplesEveryExampleOfTheBatch() {
        // two 4×6 examples, value = 100·example + 10·row + column
        int n = 2;
        int h = 4;
        int w = 6;
        byte[] labels = new byte[n * h * w];
        for (int e = 0; e < n; e++) {
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    labels[(e * h + r) * w + c] = (byte) (100 * e + 10 * r + c);
                }
            }
        }
        byte[] out = PairSampler.downsampleNearest(labels, n, h, w, 2, 3);
        byte[] expected = {0, 2, 4, 20, 22, 24, 100, 102, 104, 120, 122, 124};
        assertArrayEquals(expected, out);
    }

    @Test
    void keepsIgnoreAndHighClassIdsAsUnsignedBytes() {
        byte[] labels = {(byte) 255, 7, (byte) 193, 9};
        assertArrayEquals(new byte[] {(byte) 255, (byte) 193}, PairSampler.downsampleNearest(labels, 1, 1, 4, 1, 2));
    }

    @Test
    void rejectsInconsistentSizes() {
        assertThrows(IllegalArgumentException.class, () -> PairSampler.downsampleNearest(new byte[10], 1, 3, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PairSampler.downsampleNearest(new byte[9], 1, 3, 3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PairSampler.gridSize(0, 4));
    }
}
