package org.mseg.datasets.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.FloatBuffer;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.Sample;
import org.mseg.datasets.TestMats;
import org.mseg.datasets.transform.LabelLookup;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;

/** The loader's buffer-reusing train chain gives exactly what MSeg's {@link TransformChain#train} gives. */
class PooledTrainChainTest {
    private static final TransformParams PARAMS = new TransformParams(32, 0.5, 2.0, -10, 10, 24, 20, 255);
    private static final byte[] LUT = lut();

    private static byte[] lut() {
        byte[] t = new byte[256];
        for (int i = 0; i < 256; i++) {
            t[i] = (byte) (i == 255 ? 255 : (i * 7 + 3) % 200);
        }
        return t;
    }

    /** Short side 120 and an odd 57x83 crop, for samples large enough to have crop windows inside the image. */
    private static final TransformParams LARGER = new TransformParams(120, 0.5, 2.0, -10, 10, 57, 83, 255);

    private static Sample sample() {
        return sample(30, 40);
    }

    /**
     * A sample with integer pixel values like a decoded photo, varying at every pixel so that any difference in
     * interpolation or blur arithmetic shows, and labels in blocks with scattered ignore pixels.
     */
    private static Sample sample(int rows, int cols) {
        return new Sample(TestMats.image(rows, cols, (r, c, ch) -> (r * 9 + c * 5 + ch * 60 + (r * c * 7919) % 37) % 256),
                TestMats.label(rows, cols, (r, c) -> (r + c) % 11 == 0 ? 255 : (r / 3 + c / 4) % 19));
    }

    /** Runs both chains with generators from the supplier and compares the crops bit for bit. */
    private static void assertSameCrop(Supplier<RandomGenerator> random, int batchOffset) {
        assertSameCrop(PARAMS, PooledTrainChainTest::sample, random, batchOffset);
    }

    private static void assertSameCrop(TransformParams params, Supplier<Sample> sample,
            Supplier<RandomGenerator> random, int batchOffset) {
        int pixels = params.trainH() * params.trainW();
        float[] images = new float[(batchOffset + 1) * pixels * 3];
        byte[] labels = new byte[(batchOffset + 1) * pixels];
        try (Workspace ws = new Workspace()) {
            PooledTrainChain pooled = new PooledTrainChain(params);
            // Twice through the same workspace: the second run reuses buffers holding the first run's data.
            for (int run = 0; run < 2; run++) {
                try (Sample s = sample.get()) {
                    pooled.apply(s.image(), s.label(), random.get(), ws, images, LabelBuffer.of(labels), batchOffset,
                            LabelBuffer.of(LUT));
                }
            }
        }
        try (Sample s = sample.get()) {
            TransformChain.train(params, Optional.of(new LabelLookup(LUT))).apply(s, random.get());
            float[] image = new float[pixels * 3];
            s.image().<FloatBuffer>createBuffer().get(image);
            byte[] label = new byte[pixels];
            s.label().data().get(label);
            int start = batchOffset * pixels;
            assertArrayEquals(image, java.util.Arrays.copyOfRange(images, start * 3, start * 3 + pixels * 3));
            assertArrayEquals(label, java.util.Arrays.copyOfRange(labels, start, start + pixels));
        }
    }

    /**
     * Draws from a seed, except the two crop offsets, which are pinned to the smallest or largest value allowed: the
     * window then touches the top or bottom and the left or right edge of the (flipped) image.
     */
    private static final class EdgeWindow implements RandomGenerator {
        private final double[] doubles;
        private final boolean[] largest;
        private int nextDouble;
        private int nextInt;

        EdgeWindow(boolean bottom, boolean right, double... doubles) {
            this.doubles = doubles;
            this.largest = new boolean[] {bottom, right};
        }

        @Override
        public double nextDouble() {
            return doubles[nextDouble++];
        }

        @Override
        public int nextInt(int origin, int bound) {
            return largest[nextInt++] ? bound - 1 : origin;
        }

        @Override
        public long nextLong() {
            throw new AssertionError("unexpected nextLong()");
        }
    }

    @Test
    void smallScalePadsRotatesBlursAndFlipsLikeTheTransforms() {
        // u = 0 -> scale 0.5: 16x21 before the 24x20 crop, so the crop pads; then rotate 6 degrees, blur, flip.
        assertSameCrop(() -> new TestMats.Scripted().thenDoubles(0.0, 0.1, 0.8, 0.2, 0.3).thenInts(0, 1), 1);
    }

    @Test
    void largeScaleWithoutOptionalStepsCropsAnInnerWindow() {
        // u = 0.99 -> scale 1.985: 32x42 becomes 64x83; no rotation, blur or flip; window at (17, 41).
        assertSameCrop(() -> new TestMats.Scripted().thenDoubles(0.99, 0.7, 0.9, 0.6).thenInts(17, 41), 0);
    }

    @Test
    void randomDrawsAgreeOverManySeeds() {
        for (long seed = 0; seed < 25; seed++) {
            long s = seed;
            assertSameCrop(() -> new SplittableRandom(s), (int) (seed % 3));
        }
    }

    @Test
    void windowsInsideLargerImagesAgreeOverManySeeds() {
        // 150x230 -> short side 120 -> 120x184, scaled 0.5-2: windows inside the image, bands not touching its edges.
        for (long seed = 0; seed < 40; seed++) {
            long s = seed;
            assertSameCrop(LARGER, () -> sample(150, 230), () -> new SplittableRandom(s), (int) (seed % 2));
        }
    }

    @Test
    void shortSideAlreadyAtSizeAgreesOverManySeeds() {
        // The short side is already 120, so the short-side resize is a copy and the decoded image is used as is.
        for (long seed = 100; seed < 120; seed++) {
            long s = seed;
            assertSameCrop(LARGER, () -> sample(171, 120), () -> new SplittableRandom(s), 0);
        }
    }

    @Test
    void windowsAtEveryImageEdgeAgreeWithEachOptionalStep() {
        // 150x230 -> 120x184, scaled 0.8 (96x147) and 1.895 (227x349); each combination of rotation, blur and flip,
        // with the window pinned to every corner, so that bands meet the image edges and the rows' SIMD tails.
        for (double u : new double[] {0.2, 0.93}) {
            for (int steps = 0; steps < 8; steps++) {
                double rotate = (steps & 1) != 0 ? 0.1 : 0.9;
                double blur = (steps & 2) != 0 ? 0.1 : 0.9;
                double flip = (steps & 4) != 0 ? 0.1 : 0.9;
                for (int corner = 0; corner < 4; corner++) {
                    boolean bottom = (corner & 1) != 0;
                    boolean right = (corner & 2) != 0;
                    assertSameCrop(LARGER, () -> sample(150, 230),
                            () -> new EdgeWindow(bottom, right, u, rotate, 0.77, blur, flip), 0);
                }
            }
        }
    }

    @Test
    void smallImagesNeedingPaddingAgreeAtEveryWindow() {
        // 23x24 -> short side 32 -> 32x33, scaled 0.5 (16x16: padding 8 rows, 4 columns) and 0.545 (17x18: odd
        // padding, 7 rows and 2 columns) before the 24x20 crop; every optional step, every window position.
        for (double u : new double[] {0.0, 0.03}) {
        for (int steps = 0; steps < 8; steps++) {
            double rotate = (steps & 1) != 0 ? 0.1 : 0.9;
            double blur = (steps & 2) != 0 ? 0.1 : 0.9;
            double flip = (steps & 4) != 0 ? 0.1 : 0.9;
            for (int corner = 0; corner < 4; corner++) {
                boolean bottom = (corner & 1) != 0;
                boolean right = (corner & 2) != 0;
                assertSameCrop(PARAMS, () -> sample(23, 24),
                        () -> new EdgeWindow(bottom, right, u, rotate, 0.4, blur, flip), 1);
            }
        }
        }
    }

    @Test
    void shortSideResizeTruncatesLikeUpstreamBeforeTheCrop() {
        // 132x286 -> short side 360: upstream int(286 * (360 / 132.0)) = 779 columns, not 780. Scale 1, no optional
        // step, a 781-column crop: 2 columns of padding, split 1 left and 1 right (780 columns would pad 1 right only).
        TransformParams params = new TransformParams(360, 1.0, 1.0, -10, 10, 360, 781, 255);
        Supplier<RandomGenerator> random = () -> new TestMats.Scripted().thenDoubles(0.0, 0.9, 0.9, 0.9).thenInts(0, 0);
        assertSameCrop(params, () -> sample(132, 286), random, 0);
        byte[] labels = new byte[360 * 781];
        try (Workspace ws = new Workspace(); Sample s = sample(132, 286)) {
            new PooledTrainChain(params).apply(s.image(), s.label(), random.get(), ws, new float[360 * 781 * 3],
                    LabelBuffer.of(labels), 0, LabelBuffer.of(LUT));
        }
        int row = 10; // from source row 3, whose column 0 holds a class, not an ignore pixel
        assertEquals(255, labels[row * 781] & 0xff, "left padding column");
        assertEquals(255, labels[row * 781 + 780] & 0xff, "right padding column");
        assertNotEquals(255, labels[row * 781 + 1] & 0xff, "first image column");
    }
}
