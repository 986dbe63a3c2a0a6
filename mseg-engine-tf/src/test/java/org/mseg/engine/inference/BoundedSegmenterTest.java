package org.mseg.engine.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

/**
 * Large images are predicted without full-size float copies of the image or of each class plane, and the result is
 * exactly the whole-image computation's (resize the whole float image, resize every class plane back, average).
 */
class BoundedSegmenterTest {

    /** {@code k} classes; logits depend on the class, the position in the window and the normalised colour. */
    private record ManyClasses(int size, int k) implements WindowModel {
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
            return k;
        }

        @Override
        public float[] logits(float[] nhwc, int n) {
            float[] out = new float[n * size * size * k];
            for (int i = 0; i < n * size * size; i++) {
                int y = (i / size) % size;
                int x = i % size;
                float r = nhwc[3 * i];
                float g = nhwc[3 * i + 1];
                float b = nhwc[3 * i + 2];
                for (int c = 0; c < k; c++) {
                    out[i * k + c] = (float) Math.sin(c * 0.7 + r * (1 + c % 3) - g * (c % 5) * 0.3 + b * 0.2 * c
                            + 0.05 * (x - y));
                }
            }
            return out;
        }
    }

    private static Mat pattern(int h, int w) {
        Mat m = new Mat(h, w, CV_8UC3);
        ByteBuffer b = m.createBuffer();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                b.put(i, (byte) ((x * 7 + y * 3) ^ (x / 5)));
                b.put(i + 1, (byte) (y * 5 + (x * x) % 97));
                b.put(i + 2, (byte) ((x + y) * 11 % 251));
            }
        }
        return m;
    }

    /** The whole-image computation the bounded one must reproduce bit for bit. */
    private static Prediction reference(Segmenter seg, Mat bgr) {
        int h = bgr.rows();
        int w = bgr.cols();
        int k = seg.numClasses();
        List<Double> scales = seg.settings().scales();
        float[][] sum = new float[k][];
        try (Mat rgb = new Mat(); Mat rgbF = new Mat()) {
            cvtColor(bgr, rgb, COLOR_BGR2RGB);
            rgb.convertTo(rgbF, CV_32F);
            for (double s : scales) {
                int[] size = seg.settings().scaledSize(h, w, s);
                float[][] planes;
                if (size[0] == h && size[1] == w) {
                    planes = seg.scores(rgbF);
                } else {
                    try (Mat scaled = new Mat(); Size to = new Size(size[1], size[0])) {
                        resize(rgbF, scaled, to, 0, 0, INTER_LINEAR);
                        planes = seg.scores(scaled);
                    }
                }
                for (int c = 0; c < k; c++) {
                    float[] full = planes[c];
                    if (size[0] != h || size[1] != w) {
                        try (Mat src = new Mat(size[0], size[1], CV_32FC1); Mat dst = new Mat();
                                Size to = new Size(w, h)) {
                            ((FloatBuffer) src.createBuffer()).put(planes[c]);
                            resize(src, dst, to, 0, 0, INTER_LINEAR);
                            full = new float[h * w];
                            ((FloatBuffer) dst.createBuffer()).get(full);
                        }
                    }
                    if (sum[c] == null) {
                        sum[c] = full;
                    } else {
                        for (int i = 0; i < full.length; i++) {
                            sum[c][i] += full[i];
                        }
                    }
                }
            }
        }
        float[] best = new float[h * w];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        byte[] labels = new byte[h * w];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < h * w; i++) {
                float v = scales.size() == 1 ? sum[c][i] : sum[c][i] / scales.size();
                if (v > best[i]) {
                    best[i] = v;
                    labels[i] = (byte) c;
                }
            }
        }
        return new Prediction(h, w, labels, best);
    }

    @Test
    void boundedPredictionEqualsTheWholeImageComputationBitForBit() {
        // {height, width, base size}: shrinking, exact halving (OpenCV averages 2 × 2 blocks there), enlarging,
        // several row strips, portrait, and a shrink across an odd number of rows.
        int[][] cases = {{37, 53, 16}, {40, 60, 20}, {20, 26, 31}, {600, 260, 130}, {530, 700, 265}, {700, 90, 45},
            {515, 61, 33}};
        for (int[] c : cases) {
            for (List<Double> scales : List.of(List.of(1.0), List.of(0.5, 1.0, 1.75))) {
                Segmenter seg = new Segmenter(new ManyClasses(17, 6), ClassProjection.identity(6),
                        new InferenceSettings(c[2], scales, 17, 17, true, 2));
                try (Mat bgr = pattern(c[0], c[1])) {
                    Prediction expected = reference(seg, bgr);
                    Prediction actual = seg.predict(bgr);
                    String what = c[0] + "x" + c[1] + " base " + c[2] + " scales " + scales;
                    assertArrayEquals(expected.labels(), actual.labels(), what);
                    assertArrayEquals(expected.confidence(), actual.confidence(), what);
                }
            }
        }
    }

    @Test
    void scaledImageEqualsConvertingAndResizingTheWholeImage() {
        int[][] cases = {{600, 260, 300, 130}, {600, 260, 301, 131}, {530, 700, 265, 350}, {513, 700, 100, 137},
            {300, 200, 600, 400}, {300, 200, 300, 90}, {257, 20, 100, 20}};
        for (int[] c : cases) {
            try (Mat bgr = pattern(c[0], c[1]); Mat rgb = new Mat(); Mat rgbF = new Mat(); Mat expected = new Mat();
                    Size to = new Size(c[3], c[2]); Mat actual = Segmenter.scaledRgb(bgr, c[2], c[3])) {
                cvtColor(bgr, rgb, COLOR_BGR2RGB);
                rgb.convertTo(rgbF, CV_32F);
                resize(rgbF, expected, to, 0, 0, INTER_LINEAR);
                float[] e = new float[c[2] * c[3] * 3];
                float[] a = new float[e.length];
                ((FloatBuffer) expected.createBuffer()).get(e);
                ((FloatBuffer) actual.createBuffer()).get(a);
                assertArrayEquals(e, a, Arrays.toString(c));
            }
        }
    }

    @Test
    void memoryDoesNotGrowWithTheClassesTimesTheImageSize() throws Exception {
        // 40 classes at a fixed scaled size (short side 24): growing the image from 96 × 64 to 384 × 256 may cost
        // the label and confidence arrays (5 bytes a pixel) but no full-size plane per class (4 bytes · 40).
        Segmenter seg = new Segmenter(new ManyClasses(25, 40), ClassProjection.identity(40),
                new InferenceSettings(24, List.of(1.0, 1.5), 25, 25, true, 1));
        long small = allocatedBy(seg, 96, 64);
        long large = allocatedBy(seg, 384, 256);
        double perPixel = (double) (large - small) / (384 * 256 - 96 * 64);
        assertTrue(perPixel < 12, "bytes allocated per extra pixel: " + perPixel);
    }

    private static long allocatedBy(Segmenter seg, int h, int w) throws Exception {
        try (Mat bgr = pattern(h, w)) {
            seg.predict(bgr); // warm up
            // By reflection: the module under test does not read java.management.
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Method bytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes",
                    long.class);
            long id = Thread.currentThread().getId();
            long before = (long) bytes.invoke(bean, id);
            Prediction p = seg.predict(bgr);
            long after = (long) bytes.invoke(bean, id);
            assertEquals(h * w, p.labels().length);
            return after - before;
        }
    }
}
