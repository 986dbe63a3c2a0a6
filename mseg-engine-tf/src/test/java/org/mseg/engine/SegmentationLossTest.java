package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.loader.DatasetSlice;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;

/** The cross-entropy with ignore label against hand computations and finite differences. */
class SegmentationLossTest {

    // 2 images (one per dataset) of 1x3 pixels, 3 classes
    private static final List<DatasetSlice> SLICES = List.of(new DatasetSlice("a", 0, 1), new DatasetSlice("b", 1, 1));
    private static final float[] LOGITS = {
        1f, 2f, 0.5f, -1f, 0f, 3f, 0.2f, 0.1f, 0f,
        2f, -2f, 1f, 0f, 0f, 0f, 5f, 4f, -3f};
    private static final byte[] LABELS = {1, 2, (byte) 255, 0, (byte) 255, (byte) 255};

    private static double xent(float[] logits, int pixel, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 3; k++) {
            max = Math.max(max, logits[pixel * 3 + k]);
        }
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            sum += Math.exp(logits[pixel * 3 + k] - max);
        }
        return Math.log(sum) + max - logits[pixel * 3 + label];
    }

    /**
     * Bound on the float32 error of TensorFlow's cross-entropy {@code log Σ_k exp(z_k − m) − (z_y − m)} of one pixel
     * with {@code C} classes, in any summation order: the subtractions, {@code C} exponentials (counted as one
     * rounding each; Eigen's and oneDNN's are accurate to about an ulp), a sum of {@code C} terms, the logarithm and
     * the last subtraction, at most {@code C + 8} roundings in all, each relative to a term no larger than
     * {@code 1 + log Σ + (m − z_y)} (the sum's terms are ≤ 1, so its absolute error is relative to log's argument).
     */
    private static double xentError(float[] logits, int pixel, int label, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            max = Math.max(max, logits[pixel * classes + k]);
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) {
            sum += Math.exp(logits[pixel * classes + k] - max);
        }
        return gamma(classes + 8, FLOAT32_UNIT_ROUNDOFF) * (1 + Math.log(sum) + max - logits[pixel * classes + label]);
    }

    /** The error of a mean of per-pixel losses: their mean error plus the mean's own two roundings. */
    private static double meanError(double value, double... errors) {
        double sum = 0;
        for (double e : errors) {
            sum += e;
        }
        return sum / errors.length + gamma(2, FLOAT32_UNIT_ROUNDOFF) * Math.abs(value);
    }

    private static double handLoss(float[] logits, byte[] labels) {
        // dataset a: pixels 0,1 (pixel 2 ignored); dataset b: pixel 3 only
        double a = (xent(logits, 0, labels[0]) + xent(logits, 1, labels[1])) / 2;
        double b = xent(logits, 3, labels[3]);
        return (a + b) / 2;
    }

    @Test
    void lossIsTheMeanOfPerDatasetMeansOverLabelledPixels() {
        float[][] result = run(LOGITS, LABELS);
        double a = (xent(LOGITS, 0, 1) + xent(LOGITS, 1, 2)) / 2;
        double b = xent(LOGITS, 3, 0);
        double aError = meanError(a, xentError(LOGITS, 0, 1, 3), xentError(LOGITS, 1, 2, 3));
        double bError = xentError(LOGITS, 3, 0, 3);
        assertEquals(handLoss(LOGITS, LABELS), result[0][0], meanError((a + b) / 2, aError, bError));
        assertEquals(a, result[1][0], aError);
        assertEquals(b, result[1][1], bError);
    }

    @Test
    void gradientMatchesFiniteDifferencesAndIsZeroOnIgnoredPixels() {
        float[] grad = run(LOGITS, LABELS)[2];
        double eps = 1e-3;
        for (int i = 0; i < LOGITS.length; i++) {
            float[] plus = LOGITS.clone();
            float[] minus = LOGITS.clone();
            plus[i] += (float) eps;
            minus[i] -= (float) eps;
            double numeric = (handLoss(plus, LABELS) - handLoss(minus, LABELS)) / (2 * eps);
            // 1e-4 kept: the error is dominated by the pure-Java side, identical on every CPU (z ± 1e-3 is rounded to
            // float32, which shifts the step by up to ulp(z), and the central difference truncates at O(eps²));
            // TensorFlow's float32 softmax − one-hot, the only CPU-dependent part, is a few ulps of values ≤ 1
            assertEquals(numeric, grad[i], 1e-4, "d loss / d logit " + i);
        }
        for (int k = 0; k < 3; k++) {
            assertEquals(0f, grad[2 * 3 + k], 0f, "ignored pixel 2");
            assertEquals(0f, grad[4 * 3 + k], 0f, "ignored pixel 4");
        }
    }

    @Test
    void allIgnoredLabelsGiveZeroLossAndZeroGradient() {
        byte[] ignored = new byte[6];
        java.util.Arrays.fill(ignored, (byte) 255);
        float[][] result = run(LOGITS, ignored);
        assertEquals(0f, result[0][0], 0f);
        for (float g : result[2]) {
            assertEquals(0f, g, 0f);
        }
    }

    /** Returns {mean}, per-dataset losses, d mean / d logits. */
    private static float[][] run(float[] logits, byte[] labels) {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 1, 3, 3)));
            Placeholder<TUint8> y = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(2, 1, 3)));
            SegmentationLoss loss = SegmentationLoss.build(tf, x, y, SLICES, 255);
            @SuppressWarnings("unchecked")
            Operand<TFloat32> grad = (Operand<TFloat32>) (Operand<?>) tf.gradients(loss.mean(), List.of(x)).dy(0);
            try (Session s = new Session(g);
                    TFloat32 xt = TFloat32.tensorOf(Shape.of(2, 1, 3, 3), DataBuffers.of(logits, true, false));
                    TUint8 yt = TUint8.tensorOf(Shape.of(2, 1, 3), DataBuffers.of(labels, true, false));
                    Result r = s.runner().feed(x, xt).feed(y, yt).fetch(loss.mean()).fetch(loss.datasetLosses())
                            .fetch(grad).run()) {
                float[][] out = new float[3][];
                for (int i = 0; i < 3; i++) {
                    TFloat32 t = (TFloat32) r.get(i);
                    out[i] = new float[Math.toIntExact(t.size())];
                    t.asRawTensor().data().asFloats().read(out[i]);
                }
                return out;
            }
        }
    }

    private static final int WIDE_CLASSES = 300;
    private static final int WIDE_IGNORE = 0xFFFF;

    private static float[] wideLogits() {
        float[] logits = new float[6 * WIDE_CLASSES];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i * 0.37) * 3;
        }
        return logits;
    }

    private static double wideXent(float[] logits, int pixel, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < WIDE_CLASSES; k++) {
            max = Math.max(max, logits[pixel * WIDE_CLASSES + k]);
        }
        double sum = 0;
        for (int k = 0; k < WIDE_CLASSES; k++) {
            sum += Math.exp(logits[pixel * WIDE_CLASSES + k] - max);
        }
        return Math.log(sum) + max - logits[pixel * WIDE_CLASSES + label];
    }

    @Test
    void sixteenBitLabelsCountIdsFrom255UpAndIgnore65535() {
        // Naive-taxonomy style: 255 and 299 are classes; 65535 is ignore.
        float[] logits = wideLogits();
        short[] labels = {(short) 256, (short) 299, (short) WIDE_IGNORE, (short) 255, (short) WIDE_IGNORE,
            (short) WIDE_IGNORE};
        float[][] result = runWide(logits, labels);
        double a = (wideXent(logits, 0, 256) + wideXent(logits, 1, 299)) / 2;
        double b = wideXent(logits, 3, 255);
        // neighbouring classes differ in logit by about 1, far outside these bounds (≈ 2e-4 for 300 classes)
        double aError = meanError(a, xentError(logits, 0, 256, WIDE_CLASSES),
                xentError(logits, 1, 299, WIDE_CLASSES));
        double bError = xentError(logits, 3, 255, WIDE_CLASSES);
        assertEquals((a + b) / 2, result[0][0], meanError((a + b) / 2, aError, bError));
        assertEquals(a, result[1][0], aError);
        assertEquals(b, result[1][1], bError);
        for (int pixel : new int[] {2, 4, 5}) {
            for (int k = 0; k < WIDE_CLASSES; k++) {
                assertEquals(0f, result[2][pixel * WIDE_CLASSES + k], 0f, "ignored pixel " + pixel);
            }
        }
    }

    @Test
    void allIgnoredSixteenBitLabelsGiveZeroLossAndZeroGradient() {
        short[] ignored = new short[6];
        java.util.Arrays.fill(ignored, (short) WIDE_IGNORE);
        float[][] result = runWide(wideLogits(), ignored);
        assertEquals(0f, result[0][0], 0f);
        for (float g : result[2]) {
            assertEquals(0f, g, 0f);
        }
    }

    /** As {@link #run} with uint16 labels, {@value #WIDE_CLASSES} classes and ignore 65535. */
    private static float[][] runWide(float[] logits, short[] labels) {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(2, 1, 3, WIDE_CLASSES)));
            Placeholder<TUint16> y = tf.placeholder(TUint16.class, Placeholder.shape(Shape.of(2, 1, 3)));
            SegmentationLoss loss = SegmentationLoss.build(tf, x, y, SLICES, WIDE_IGNORE);
            @SuppressWarnings("unchecked")
            Operand<TFloat32> grad = (Operand<TFloat32>) (Operand<?>) tf.gradients(loss.mean(), List.of(x)).dy(0);
            try (Session s = new Session(g);
                    TFloat32 xt = TFloat32.tensorOf(Shape.of(2, 1, 3, WIDE_CLASSES),
                            DataBuffers.of(logits, true, false));
                    TUint16 yt = TUint16.tensorOf(Shape.of(2, 1, 3), DataBuffers.of(labels, true, false));
                    Result r = s.runner().feed(x, xt).feed(y, yt).fetch(loss.mean()).fetch(loss.datasetLosses())
                            .fetch(grad).run()) {
                float[][] out = new float[3][];
                for (int i = 0; i < 3; i++) {
                    TFloat32 t = (TFloat32) r.get(i);
                    out[i] = new float[Math.toIntExact(t.size())];
                    t.asRawTensor().data().asFloats().read(out[i]);
                }
                return out;
            }
        }
    }
}
