package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
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

    private static double handLoss(float[] logits, byte[] labels) {
        // dataset a: pixels 0,1 (pixel 2 ignored); dataset b: pixel 3 only
        double a = (xent(logits, 0, labels[0]) + xent(logits, 1, labels[1])) / 2;
        double b = xent(logits, 3, labels[3]);
        return (a + b) / 2;
    }

    @Test
    void lossIsTheMeanOfPerDatasetMeansOverLabelledPixels() {
        float[][] result = run(LOGITS, LABELS);
        assertEquals(handLoss(LOGITS, LABELS), result[0][0], 1e-5);
        assertEquals((xent(LOGITS, 0, 1) + xent(LOGITS, 1, 2)) / 2, result[1][0], 1e-5);
        assertEquals(xent(LOGITS, 3, 0), result[1][1], 1e-5);
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
        assertEquals((a + b) / 2, result[0][0], 1e-5);
        assertEquals(a, result[1][0], 1e-5);
        assertEquals(b, result[1][1], 1e-5);
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
