package org.mseg.engine.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.datasets.transform.Normalize;

/** The inference core on models whose output is known in closed form. */
class SegmenterTest {
    private static final double R_MEAN = Normalize.imagenetMean()[0];
    private static final double R_STD = Normalize.imagenetStd()[0];

    /** Two classes; class 1's logit is a function of the position in the window and the normalised input. */
    private static final class KnownModel implements WindowModel {
        interface Logit {
            float at(int y, int x, float r, float g, float b);
        }

        final int size;
        final Logit logit;
        final List<Integer> batchSizes = new ArrayList<>();

        KnownModel(int size, Logit logit) {
            this.size = size;
            this.logit = logit;
        }

        @Override
        public int windowHeight() {
            return size;
        }

        @Override
        public int windowWidth() {
            return size;
        }

        @Override
        public int numClasses() {
            return 2;
        }

        @Override
        public float[] logits(float[] nhwc, int n) {
            batchSizes.add(n);
            float[] out = new float[n * size * size * 2];
            for (int i = 0; i < n * size * size; i++) {
                int y = (i / size) % size;
                int x = i % size;
                out[2 * i + 1] = logit.at(y, x, nhwc[3 * i], nhwc[3 * i + 1], nhwc[3 * i + 2]);
            }
            return out;
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static InferenceSettings settings(int crop, boolean flip, List<Double> scales) {
        return new InferenceSettings(0, scales, crop, crop, flip, 1);
    }

    private static Mat rgbFloat(int h, int w, float value) {
        Mat m = new Mat(h, w, CV_32FC3);
        FloatBuffer b = m.createBuffer();
        for (int i = 0; i < h * w * 3; i++) {
            b.put(i, value);
        }
        return m;
    }

    @Test
    void overlappingWindowsAreAveragedByTheirVisitCount() {
        // 9 × 15 image, 9 × 9 windows: stride 6, windows at x = 0 and x = 6; class 1's logit is the x in the window.
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> x);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2), settings(9, false, List.of(1.0)));
        try (Mat img = rgbFloat(9, 15, 100f)) {
            float[][] planes = seg.scores(img);
            for (int x = 0; x < 15; x++) {
                double expected;
                if (x < 6) {
                    expected = sigmoid(x);
                } else if (x < 9) {
                    expected = (sigmoid(x) + sigmoid(x - 6)) / 2;
                } else {
                    expected = sigmoid(x - 6);
                }
                for (int y = 0; y < 9; y++) {
                    assertEquals(expected, planes[1][y * 15 + x], 1e-6, "x=" + x);
                    assertEquals(1 - expected, planes[0][y * 15 + x], 1e-6);
                }
            }
        }
    }

    @Test
    void flipAveragingMirrorsTheFlippedOutputBack() {
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> x);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2), settings(9, true, List.of(1.0)));
        try (Mat img = rgbFloat(9, 9, 100f)) {
            float[][] planes = seg.scores(img);
            for (int x = 0; x < 9; x++) {
                double expected = (sigmoid(x) + sigmoid(8 - x)) / 2;
                assertEquals(expected, planes[1][4 * 9 + x], 1e-6, "x=" + x);
            }
            assertEquals(List.of(2), model.batchSizes, "each window goes with its flip in one call");
        }
    }

    @Test
    void flippedWindowsSeeMirroredInput() {
        // The logit is the normalised red value; the image's red channel grows with x. With flip averaging a purely
        // per-pixel model must give back exactly its unflipped output.
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> r);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2), settings(9, true, List.of(1.0)));
        try (Mat img = rgbFloat(9, 9, 0f)) {
            FloatBuffer b = img.createBuffer();
            for (int y = 0; y < 9; y++) {
                for (int x = 0; x < 9; x++) {
                    b.put((y * 9 + x) * 3, 20f * x);
                }
            }
            float[][] planes = seg.scores(img);
            for (int x = 0; x < 9; x++) {
                assertEquals(sigmoid((20.0 * x - R_MEAN) / R_STD), planes[1][x], 1e-6, "x=" + x);
            }
        }
    }

    @Test
    void smallImagesArePaddedWithTheMeanAndCentred() {
        // 5 × 3 image in a 9 × 9 window: 4 rows of padding (2 above), 6 columns (3 left). Padding normalises to 0.
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> y + 10 * x);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2), settings(9, false, List.of(1.0)));
        try (Mat img = rgbFloat(5, 3, 7f)) {
            float[][] planes = seg.scores(img);
            assertEquals(15, planes[1].length);
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 3; x++) {
                    assertEquals(sigmoid((y + 2) + 10.0 * (x + 3)), planes[1][y * 3 + x], 1e-6);
                }
            }
        }
        KnownModel padSeer = new KnownModel(9, (y, x, r, g, b) -> Math.abs(r) + Math.abs(g) + Math.abs(b));
        Segmenter seg2 = new Segmenter(padSeer, ClassProjection.identity(2), settings(9, false, List.of(1.0)));
        float[] seen = new float[81];
        KnownModel recorder = new KnownModel(9, (y, x, r, g, b) -> {
            seen[y * 9 + x] = Math.abs(r) + Math.abs(g) + Math.abs(b);
            return 0;
        });
        new Segmenter(recorder, ClassProjection.identity(2), settings(9, false, List.of(1.0))).scores(rgbFloat(5, 3,
                255f));
        assertEquals(0f, seen[0], 1e-6f, "padding is the mean colour, i.e. 0 after normalisation");
        assertEquals(true, seen[2 * 9 + 3] > 1f, "the image sits at row 2, column 3");
        assertEquals(2, seg2.numClasses());
    }

    @Test
    void probabilitiesAreProjectedIntoTheEvaluationTaxonomy() {
        ClassProjection p = ClassProjection.of(new int[] {0, 0, 1, -1}, 2);
        float[] values = {1f, 2f, 3f, 4f};
        ClassProjection.softmaxInPlace(values, 0, 4);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
        assertEquals(Math.exp(3) / z, values[2], 1e-6);
        assertEquals(1.0, values[0] + values[1] + values[2] + values[3], 1e-6);
        float[] out = new float[2];
        p.project(values, 0, out);
        assertEquals((Math.exp(1) + Math.exp(2)) / z, out[0], 1e-6);
        assertEquals(Math.exp(3) / z, out[1], 1e-6, "class 3 is dropped");
        float[] same = new float[4];
        ClassProjection.identity(4).project(values, 0, same);
        assertArrayEquals(values, same);
        assertThrows(IllegalArgumentException.class, () -> ClassProjection.of(new int[] {0, 2}, 2));
    }

    @Test
    void multiScaleAveragesTheScalesProbabilitiesAtTheOriginalSize() {
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> r * 3 + y * 0.1f - x * 0.05f);
        int h = 12;
        int w = 16;
        try (Mat bgr = new Mat(h, w, CV_8UC3)) {
            ByteBuffer b = bgr.createBuffer();
            for (int i = 0; i < h * w; i++) {
                b.put(3 * i, (byte) (i * 7));
                b.put(3 * i + 1, (byte) (i * 3));
                b.put(3 * i + 2, (byte) (i * 11 % 256));
            }
            List<Double> scales = List.of(0.5, 1.0, 1.25);
            Prediction ms = new Segmenter(model, ClassProjection.identity(2), settings(9, true, scales)).predict(bgr);
            double[] p1 = new double[h * w];
            for (double s : scales) {
                Prediction ss = new Segmenter(model, ClassProjection.identity(2), settings(9, true, List.of(s)))
                        .predict(bgr);
                for (int i = 0; i < h * w; i++) {
                    p1[i] += ((ss.labels()[i] == 1) ? ss.confidence()[i] : 1 - ss.confidence()[i]) / scales.size();
                }
            }
            int ones = 0;
            for (int i = 0; i < h * w; i++) {
                int expectedLabel = p1[i] > 1 - p1[i] ? 1 : 0;
                if (Math.abs(p1[i] - 0.5) > 1e-5) {
                    assertEquals(expectedLabel, ms.labels()[i], "pixel " + i);
                }
                assertEquals(Math.max(p1[i], 1 - p1[i]), ms.confidence()[i], 1e-5, "pixel " + i);
                ones += ms.labels()[i];
            }
            assertEquals(true, ones > 0 && ones < h * w, "the test image must produce both classes");
        }
    }

    @Test
    void classSubsetRestrictsTheArgmax() {
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> 5f);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2), settings(9, true, List.of(1.0)));
        try (Mat bgr = new Mat(9, 9, CV_8UC3)) {
            Prediction all = seg.predict(bgr);
            assertEquals(1, all.label(3, 3));
            Prediction only0 = seg.predict(bgr, new boolean[] {true, false});
            assertEquals(0, only0.label(3, 3));
            assertEquals(sigmoid(-5), only0.confidence()[0], 1e-6);
            assertThrows(IllegalArgumentException.class, () -> seg.predict(bgr, new boolean[] {false, false}));
        }
    }

    @Test
    void scaledShortSideUsesPythonRounding() {
        InferenceSettings s = InferenceSettings.singleScale(360);
        assertArrayEquals(new int[] {360, 640}, s.scaledSize(1080, 1920, 1.0));
        assertArrayEquals(new int[] {640, 360}, s.scaledSize(1920, 1080, 1.0));
        assertArrayEquals(new int[] {180, 320}, s.scaledSize(1080, 1920, 0.5));
        // round(2.5) == 2 in Python: half to even.
        assertArrayEquals(new int[] {2, 2}, new InferenceSettings(5, List.of(0.5), 9, 9, true, 1)
                .scaledSize(10, 10, 0.5));
        assertArrayEquals(new int[] {1024, 2048}, InferenceSettings.singleScale(0).scaledSize(1024, 2048, 1.0));
        assertEquals(InferenceSettings.MULTI_SCALE, InferenceSettings.parseScales("ms"));
        assertEquals(List.of(0.5, 1.0), InferenceSettings.parseScales("0.5, 1"));
        assertThrows(ConfigException.class, () -> InferenceSettings.parseScales("0.5,big"));
        assertThrows(ConfigException.class, () -> new InferenceSettings(360, List.of(1.0), 700, 713, true, 1));
    }

    @Test
    void msegTestConfigsLoadUnchanged() {
        for (String name : org.mseg.api.config.BundledConfigs.testConfigs()) {
            InferenceSettings s = InferenceSettings.fromConfig(org.mseg.api.config.BundledConfigs.load(name));
            if (name.contains("batched")) {
                assertEquals(InferenceSettings.FIT, s.baseSize(), name);
                int crop = Integer.parseInt(name.replaceAll(".*test/(\\d+)/.*", "$1")) == 480 ? 473
                        : name.contains("/720/") ? 593 : 713;
                assertEquals(crop, s.cropHeight(), name);
                // upstream: base = floor(short · crop / long), so the image fits one window
                int[] fit = s.scaledSize(1080, 1920, 1.0);
                assertEquals((int) Math.floor(1080.0 * crop / 1920), fit[0], name);
                assertEquals(true, fit[1] <= crop, name);
            } else {
                int base = Integer.parseInt(name.replaceAll(".*config_(\\d+)_.*", "$1"));
                assertEquals(base, s.baseSize(), name);
                assertEquals(713, s.cropHeight(), name);
                assertEquals(name.endsWith("_ms") ? InferenceSettings.MULTI_SCALE : List.of(1.0), s.scales(), name);
            }
        }
        assertEquals(InferenceSettings.FIT, InferenceSettings.parseBaseSize("fit"));
        assertEquals(InferenceSettings.NATIVE, InferenceSettings.parseBaseSize("native"));
        assertEquals(720, InferenceSettings.parseBaseSize("720"));
        assertThrows(ConfigException.class, () -> InferenceSettings.parseBaseSize("-3"));
    }

    @Test
    void windowsAreBatched() {
        KnownModel model = new KnownModel(9, (y, x, r, g, b) -> 0f);
        Segmenter seg = new Segmenter(model, ClassProjection.identity(2),
                new InferenceSettings(0, List.of(1.0), 9, 9, true, 3));
        try (Mat img = rgbFloat(9, 33, 5f)) {
            seg.scores(img); // stride 6: ceil(24 / 6) + 1 = 5 windows → batches of 3 and 2 windows, doubled by flips
            assertEquals(List.of(6, 4), model.batchSizes);
        }
    }
}
