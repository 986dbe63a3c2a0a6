package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.datasets.TestMats.at;
import static org.mseg.datasets.TestMats.bytes;
import static org.mseg.datasets.TestMats.floats;
import static org.mseg.datasets.TestMats.values;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.datasets.Sample;
import org.mseg.datasets.TestMats;
import org.mseg.datasets.TestMats.Scripted;

class TransformsTest {
    private static final float[] MEAN = {123.675f, 116.28f, 103.53f};

    /** Image where each channel = 10·row + col + ch (distinct everywhere); label = (row + col) % 3. */
    private static Sample gradient(int rows, int cols) {
        return new Sample(TestMats.image(rows, cols, (r, c, ch) -> 10 * r + c + ch),
                TestMats.label(rows, cols, (r, c) -> (r + c) % 3));
    }

    private static Sample constant(int rows, int cols, float value, int labelValue) {
        return new Sample(TestMats.image(rows, cols, (r, c, ch) -> value),
                TestMats.label(rows, cols, (r, c) -> labelValue));
    }

    private static void assertMean(Sample s, int r, int c) {
        for (int ch = 0; ch < 3; ch++) {
            assertEquals(MEAN[ch], at(s.image(), r, c, ch), 1e-4, "mean colour at (" + r + "," + c + ") ch " + ch);
        }
    }

    @Test
    void resizeShortFixesTheShorterSideAndTruncatesTheOther() {
        ResizeShort resize = new ResizeShort(5);
        assertArrayEquals(new int[] {7, 5}, resize.outputSize(10, 7)); // int(10*5/7) = int(7.14)
        assertArrayEquals(new int[] {5, 7}, resize.outputSize(7, 10));
        assertArrayEquals(new int[] {5, 5}, resize.outputSize(9, 9));
        assertArrayEquals(new int[] {2000, 1080}, new ResizeShort(1080).outputSize(2000, 1080));
        assertArrayEquals(new int[] {1438, 1080}, new ResizeShort(1080).outputSize(1279, 960)); // int(1438.875)
        try (Sample s = gradient(7, 10)) {
            resize.apply(s, new Scripted());
            assertEquals(5, s.height());
            assertEquals(7, s.width());
            assertEquals(5, s.label().rows());
            assertEquals(7, s.label().cols());
            assertEquals(CV_32FC3, s.image().type());
            assertEquals(CV_8UC1, s.label().type());
        }
    }

    @Test
    void resizeShortDividesBeforeMultiplyingLikeUpstream() {
        // Upstream: int(w * (S / float(h))). Where w*S/h is an exact integer, S/h rounds down and the product truncates
        // one pixel short (python3: int(286*(360/float(132))) == 779, int(633*(1080/float(211))) == 3239).
        assertArrayEquals(new int[] {779, 360}, new ResizeShort(360).outputSize(286, 132));
        assertArrayEquals(new int[] {3239, 1080}, new ResizeShort(1080).outputSize(633, 211));
        // The portrait branch: int(h * (S / float(w))).
        assertArrayEquals(new int[] {360, 779}, new ResizeShort(360).outputSize(132, 286));
        assertArrayEquals(new int[] {1080, 3239}, new ResizeShort(1080).outputSize(211, 633));
        try (Sample s = gradient(132, 286)) {
            new ResizeShort(360).apply(s, new Scripted());
            assertEquals(360, s.height());
            assertEquals(779, s.width());
            assertEquals(779, s.label().cols());
        }
    }

    @Test
    void resizeShortEnlargesToo() {
        try (Sample s = gradient(4, 6)) {
            new ResizeShort(12).apply(s, new Scripted());
            assertEquals(12, s.height());
            assertEquals(18, s.width());
            assertTrue(Set.of(0, 1, 2).containsAll(values(s.label())), "nearest labels only");
        }
    }

    @Test
    void randScaleDrawsOnceAndRoundsTheScaledSizeLikeOpenCv() {
        RandScale scale = new RandScale(0.5, 2.0);
        assertEquals(0.5 + 1.5 * 0.3, scale.scaleFor(0.3), 1e-12);
        try (Sample s = gradient(21, 33)) {
            Scripted random = new Scripted().thenDoubles(0.3); // s = 0.95
            scale.apply(s, random);
            assertTrue(random.exhausted());
            assertEquals(Math.round(33 * 0.95), s.width()); // 31.35 -> 31
            assertEquals(Math.round(21 * 0.95), s.height()); // 19.95 -> 20
            assertArrayEquals(new int[] {31, 20}, RandScale.outputSize(33, 21, 0.95));
        }
    }

    @Test
    void randScaleRoundsHalvesToEvenAsOpenCvDoes() {
        try (Sample s = gradient(7, 5)) {
            new RandScale(0.5, 2.0).apply(s, new Scripted().thenDoubles(0.0)); // s = 0.5: 2.5 x 3.5
            assertEquals(2, s.width());
            assertEquals(4, s.height());
        }
        assertArrayEquals(new int[] {2, 4}, RandScale.outputSize(5, 7, 0.5));
    }

    @Test
    void randScaleNeverInventsLabelValues() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10; i++) {
            try (Sample s = gradient(17, 23)) {
                new RandScale(0.5, 2.0).apply(s, random);
                assertTrue(Set.of(0, 1, 2).containsAll(values(s.label())), "labels " + values(s.label()));
            }
        }
    }

    @Test
    void randRotateFillsImageWithMeanAndLabelWithIgnore() {
        try (Sample s = constant(40, 40, 10f, 3)) {
            Scripted random = new Scripted().thenDoubles(0.2, 0.5); // rotate (0.2 < 0.5), angle = 45 + 0 * 0.5
            new RandRotate(45, 45, 255).apply(s, random);
            assertTrue(random.exhausted());
            assertEquals(40, s.height());
            assertEquals(40, s.width());
            assertMean(s, 0, 0);
            assertMean(s, 39, 39);
            assertEquals(255, at(s.label(), 0, 0));
            assertEquals(255, at(s.label(), 39, 0));
            assertEquals(3, at(s.label(), 20, 20));
            assertEquals(10f, at(s.image(), 20, 20, 0), 1e-4);
            assertEquals(Set.of(3, 255), values(s.label()));
        }
    }

    @Test
    void randRotateSkipsWithoutDrawingAnAngle() {
        try (Sample s = gradient(9, 9)) {
            byte[] before = bytes(s.label());
            Scripted random = new Scripted().thenDoubles(0.5); // not < 0.5
            new RandRotate(-10, 10, 255).apply(s, random);
            assertTrue(random.exhausted());
            assertArrayEquals(before, bytes(s.label()));
        }
    }

    @Test
    void randRotateAngleSpansTheRangeAndLabelsStayNearest() {
        try (Sample s = gradient(31, 37)) {
            new RandRotate(-10, 10, 255).apply(s, new Scripted().thenDoubles(0.0, 0.99)); // angle 9.8
            assertTrue(Set.of(0, 1, 2, 255).containsAll(values(s.label())), "labels " + values(s.label()));
            assertTrue(values(s.label()).contains(255));
        }
    }

    @Test
    void gaussianBlurUsesOpenCvsSigmaZero5x5KernelAndLeavesTheLabel() {
        try (Sample s = new Sample(TestMats.image(11, 11, (r, c, ch) -> r == 5 && c == 5 ? 1000f : 0f),
                TestMats.label(11, 11, (r, c) -> r))) {
            byte[] label = bytes(s.label());
            Scripted random = new Scripted().thenDoubles(0.4);
            new RandomGaussianBlur().apply(s, random);
            assertTrue(random.exhausted());
            // With sigma 0 and a 5x5 kernel OpenCV uses its fixed binomial taps (1 4 6 4 1)/16 per axis.
            assertEquals(1000 * 36 / 256.0, at(s.image(), 5, 5, 0), 1e-3);
            assertEquals(1000 * 1 / 256.0, at(s.image(), 3, 3, 1), 1e-3);
            assertEquals(1000 * 24 / 256.0, at(s.image(), 5, 6, 2), 1e-3);
            assertEquals(0f, at(s.image(), 2, 5, 2), 1e-6); // outside the 5x5 support
            assertArrayEquals(label, bytes(s.label()));
        }
    }

    @Test
    void gaussianBlurSkipsWithProbabilityHalf() {
        try (Sample s = gradient(6, 6)) {
            float[] before = floats(s.image());
            new RandomGaussianBlur().apply(s, new Scripted().thenDoubles(0.5));
            assertArrayEquals(before, floats(s.image()));
        }
    }

    @Test
    void horizontalFlipMirrorsImageAndLabelTogether() {
        try (Sample s = new Sample(TestMats.image(3, 5, (r, c, ch) -> 100 * ch + 10 * r + c),
                TestMats.label(3, 5, (r, c) -> 10 * r + c))) {
            new RandomHorizontalFlip().apply(s, new Scripted().thenDoubles(0.3));
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 5; c++) {
                    assertEquals(10 * r + (4 - c), at(s.label(), r, c));
                    for (int ch = 0; ch < 3; ch++) {
                        assertEquals(100 * ch + 10 * r + (4 - c), at(s.image(), r, c, ch), 0f);
                    }
                }
            }
        }
        try (Sample s = gradient(3, 5)) {
            byte[] before = bytes(s.label());
            new RandomHorizontalFlip().apply(s, new Scripted().thenDoubles(0.5));
            assertArrayEquals(before, bytes(s.label()));
        }
    }

    @Test
    void cropPadsWithMeanAndIgnoreOddPixelToBottomAndRight() {
        // 3x4 sample, crop 6x7: pad_h = 3 -> top 1, bottom 2; pad_w = 3 -> left 1, right 2.
        try (Sample s = constant(3, 4, 7f, 1)) {
            Scripted random = new Scripted().thenInts(0, 0);
            new Crop(6, 7, Crop.Type.RAND, 255).apply(s, random);
            assertTrue(random.exhausted());
            assertEquals(6, s.height());
            assertEquals(7, s.width());
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 7; c++) {
                    boolean inside = r >= 1 && r <= 3 && c >= 1 && c <= 4;
                    assertEquals(inside ? 1 : 255, at(s.label(), r, c), "label at " + r + "," + c);
                    if (inside) {
                        assertEquals(7f, at(s.image(), r, c, 0), 0f);
                    } else {
                        assertMean(s, r, c);
                    }
                }
            }
        }
    }

    @Test
    void randomCropOffsetsAreInclusiveAndDrawnHeightFirst() {
        try (Sample s = new Sample(TestMats.image(10, 12, (r, c, ch) -> 10 * r + c),
                TestMats.label(10, 12, (r, c) -> 20 * r + c))) {
            Scripted random = new Scripted().thenInts(6, 8); // h_off = h - crop_h, w_off = w - crop_w
            new Crop(4, 4, Crop.Type.RAND, 255).apply(s, random);
            assertEquals(4, s.height());
            assertEquals(20 * 6 + 8, at(s.label(), 0, 0));
            assertEquals(20 * 9 + 11, at(s.label(), 3, 3));
            assertEquals(10 * 6 + 8, at(s.image(), 0, 0, 2), 0f);
        }
        Set<Integer> hOffsets = new HashSet<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            try (Sample s = new Sample(TestMats.image(10, 4, (r, c, ch) -> r),
                    TestMats.label(10, 4, (r, c) -> r))) {
                new Crop(4, 4, Crop.Type.RAND, 255).apply(s, random);
                hOffsets.add(at(s.label(), 0, 0));
            }
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6), hOffsets);
    }

    @Test
    void centerCropTruncatesTheOffset() {
        try (Sample s = new Sample(TestMats.image(11, 8, (r, c, ch) -> r),
                TestMats.label(11, 8, (r, c) -> 20 * r + c))) {
            new Crop(4, 5, Crop.Type.CENTER, 255).apply(s, new Scripted());
            assertEquals(20 * 3 + 1, at(s.label(), 0, 0)); // int(7/2) = 3, int(3/2) = 1
        }
    }

    @Test
    void normalizeSubtractsMeanAndDividesByStdInFloat() {
        try (Sample s = new Sample(TestMats.image(1, 2, (r, c, ch) -> c == 0 ? 255f : 0f),
                TestMats.label(1, 2, 0, 0))) {
            new Normalize().apply(s, new Scripted());
            float[] std = {58.395f, 57.12f, 57.375f};
            for (int ch = 0; ch < 3; ch++) {
                assertEquals((255f - MEAN[ch]) / std[ch], at(s.image(), 0, 0, ch), 0f);
                assertEquals((0f - MEAN[ch]) / std[ch], at(s.image(), 0, 1, ch), 0f);
            }
        }
        assertArrayEquals(new double[] {123.675, 116.28, 103.53}, Normalize.imagenetMean(), 1e-9);
        assertArrayEquals(new double[] {58.395, 57.12, 57.375}, Normalize.imagenetStd(), 1e-9);
    }

    @Test
    void labelLookupMapsEveryIdAndKeepsIgnore() {
        byte[] table = new byte[256];
        for (int i = 0; i < 256; i++) {
            table[i] = (byte) (i < 3 ? 10 + i : 255);
        }
        try (Sample s = new Sample(TestMats.image(1, 5, (r, c, ch) -> 0), TestMats.label(1, 5, 0, 1, 2, 3, 255))) {
            new LabelLookup(table).apply(s, new Scripted());
            assertArrayEquals(new byte[] {10, 11, 12, (byte) 255, (byte) 255}, bytes(s.label()));
        }
    }

    @Test
    void sameSeedGivesTheSameTrainingSample() {
        TransformParams params = new TransformParams(24, 0.5, 2.0, -10, 10, 20, 20, 255);
        TransformChain chain = TransformChain.train(params, Optional.empty());
        assertEquals(List.of(ResizeShort.class, RandScale.class, RandRotate.class, RandomGaussianBlur.class,
                RandomHorizontalFlip.class, Crop.class, Normalize.class),
                chain.steps().stream().map(Object::getClass).toList());
        float[][] images = new float[3][];
        byte[][] labels = new byte[3][];
        long[] seeds = {42, 42, 43};
        for (int i = 0; i < 3; i++) {
            try (Sample s = gradient(30, 40)) {
                chain.apply(s, new SplittableRandom(seeds[i]));
                assertEquals(20, s.height());
                assertEquals(20, s.width());
                assertTrue(Set.of(0, 1, 2, 255).containsAll(values(s.label())), "labels " + values(s.label()));
                images[i] = floats(s.image());
                labels[i] = bytes(s.label());
            }
        }
        assertArrayEquals(images[0], images[1]);
        assertArrayEquals(labels[0], labels[1]);
        assertFalse(java.util.Arrays.equals(images[0], images[2]), "another seed gives another sample");
    }

    @Test
    void valChainCentreCropsNormalizesAndMapsLabels() {
        TransformParams params = new TransformParams(24, 0.5, 2.0, -10, 10, 4, 4, 255);
        byte[] table = new byte[256];
        java.util.Arrays.fill(table, (byte) 255);
        table[0] = 5;
        table[1] = 6;
        table[2] = 7;
        TransformChain chain = TransformChain.val(params, Optional.of(new LabelLookup(table)));
        try (Sample s = gradient(6, 6)) {
            chain.apply(s, new Scripted());
            assertEquals(4, s.height());
            assertEquals(new TreeSet<>(Set.of(5, 6, 7)), values(s.label()));
            assertEquals((10 * 1 + 1 - MEAN[0]) / 58.395f, at(s.image(), 0, 0, 0), 1e-6);
        }
    }

    @Test
    void paramsComeFromMsegConfigKeys() {
        Map<String, Object> config = Map.of("short_size", 1080, "scale_min", 0.5, "scale_max", 2.0,
                "rotate_min", -10, "rotate_max", 10, "train_h", 713, "train_w", 713, "ignore_label", 255,
                "base_lr", 0.01);
        assertEquals(new TransformParams(1080, 0.5, 2.0, -10, 10, 713, 713, 255), TransformParams.fromConfig(config));
        Map<String, Object> missing = new java.util.HashMap<>(config);
        missing.remove("train_h");
        ConfigException e = assertThrows(ConfigException.class, () -> TransformParams.fromConfig(missing));
        assertTrue(e.getMessage().contains("TRAIN.train_h"), e.getMessage());
        Map<String, Object> fractional = new java.util.HashMap<>(config);
        fractional.put("train_w", 713.5);
        e = assertThrows(ConfigException.class, () -> TransformParams.fromConfig(fractional));
        assertTrue(e.getMessage().contains("TRAIN.train_w"), e.getMessage());
        Map<String, Object> inverted = new java.util.HashMap<>(config);
        inverted.put("scale_max", 0.25);
        e = assertThrows(ConfigException.class, () -> TransformParams.fromConfig(inverted));
        assertTrue(e.getMessage().contains("scale_max"), e.getMessage());
        assertEquals(8, TransformParams.KEYS.size());
    }
}
