package org.mseg.datasets.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.FloatBuffer;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
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

    private static Sample sample() {
        return new Sample(TestMats.image(30, 40, (r, c, ch) -> (r * 9 + c * 5 + ch * 60) % 256),
                TestMats.label(30, 40, (r, c) -> (r + c) % 11 == 0 ? 255 : (r / 3 + c / 4) % 19));
    }

    /** Runs both chains with generators from the supplier and compares the crops bit for bit. */
    private static void assertSameCrop(Supplier<RandomGenerator> random, int batchOffset) {
        int pixels = PARAMS.trainH() * PARAMS.trainW();
        float[] images = new float[(batchOffset + 1) * pixels * 3];
        byte[] labels = new byte[(batchOffset + 1) * pixels];
        try (Workspace ws = new Workspace()) {
            PooledTrainChain pooled = new PooledTrainChain(PARAMS);
            // Twice through the same workspace: the second run reuses buffers holding the first run's data.
            for (int run = 0; run < 2; run++) {
                try (Sample s = sample()) {
                    pooled.apply(s.image(), s.label(), random.get(), ws, images, labels, batchOffset, LUT);
                }
            }
        }
        try (Sample s = sample()) {
            TransformChain.train(PARAMS, Optional.of(new LabelLookup(LUT))).apply(s, random.get());
            float[] image = new float[pixels * 3];
            s.image().<FloatBuffer>createBuffer().get(image);
            byte[] label = new byte[pixels];
            s.label().data().get(label);
            int start = batchOffset * pixels;
            assertArrayEquals(image, java.util.Arrays.copyOfRange(images, start * 3, start * 3 + pixels * 3));
            assertArrayEquals(label, java.util.Arrays.copyOfRange(labels, start, start + pixels));
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
}
