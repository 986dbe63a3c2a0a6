package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The contrastive loss {@code mean(y·d² + (1 − y)·max(0, m − d)²)}, {@code d = sqrt(max(‖a − b‖², 1e-8))}, on
 * hand-computed cases, and its gradient against central finite differences.
 */
class ContrastiveLossTest {

    /** Loss, distances and per-pair terms of one evaluation. */
    private record Evaluation(float loss, float[] distances, float[] perPair) {
    }

    /** Two-dimensional embeddings on a 1×1×k grid: row i of {@code points} is location i. */
    private static Evaluation evaluate(float[][] points, int[] a, int[] b, float[] y, float margin) {
        int k = points.length;
        int c = points[0].length;
        float[] flat = new float[k * c];
        for (int i = 0; i < k; i++) {
            System.arraycopy(points[i], 0, flat, i * c, c);
        }
        return evaluate(flat, Shape.of(1, 1, k, c), a, b, y, margin);
    }

    private static Evaluation evaluate(float[] representation, Shape shape, int[] a, int[] b, float[] y,
            float margin) {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            ContrastiveLoss loss = ContrastiveLoss.create(tf, rep, tf.constant(a), tf.constant(b), tf.constant(y),
                    margin);
            try (Session s = new Session(g);
                    TFloat32 in = tensor(shape, representation);
                    Result r = s.runner().feed(rep, in).fetch(loss.loss()).fetch(loss.distances())
                            .fetch(loss.perPair()).run()) {
                return new Evaluation(((TFloat32) r.get(0)).getFloat(), read((TFloat32) r.get(1)),
                        read((TFloat32) r.get(2)));
            }
        }
    }

    private static TFloat32 tensor(Shape shape, float[] values) {
        return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
    }

    private static float[] read(TFloat32 t) {
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }

    @Test
    void positivePairCostsTheSquaredDistance() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {3, 4}}, new int[] {0}, new int[] {1}, new float[] {1}, 1f);
        assertEquals(5f, e.distances()[0], 1e-6f);
        assertEquals(25f, e.loss(), 1e-5f);
    }

    @Test
    void negativePairInsideTheMarginCostsTheSquaredShortfall() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {0.6f, 0}}, new int[] {0}, new int[] {1}, new float[] {0},
                1f);
        assertEquals(0.6f, e.distances()[0], 1e-6f);
        assertEquals(0.16f, e.loss(), 1e-6f);
    }

    @Test
    void negativePairExactlyAtTheMarginCostsNothing() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {1, 0}}, new int[] {0}, new int[] {1}, new float[] {0}, 1f);
        assertEquals(1f, e.distances()[0]);
        assertEquals(0f, e.loss());
    }

    @Test
    void negativePairBeyondTheMarginCostsNothing() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {0, 2}}, new int[] {0}, new int[] {1}, new float[] {0}, 1f);
        assertEquals(2f, e.distances()[0], 1e-6f);
        assertEquals(0f, e.loss());
    }

    @Test
    void identicalEmbeddingsSitOnTheDistanceFloor() {
        float[][] points = {{0.5f, -2f}, {0.5f, -2f}};
        Evaluation positive = evaluate(points, new int[] {0}, new int[] {1}, new float[] {1}, 1f);
        assertEquals(1e-4f, positive.distances()[0], 1e-9f);
        assertEquals(1e-8f, positive.loss(), 1e-12f);
        Evaluation negative = evaluate(points, new int[] {0}, new int[] {1}, new float[] {0}, 1f);
        assertEquals((1 - 1e-4) * (1 - 1e-4), negative.loss(), 1e-6);
    }

    @Test
    void lossIsTheMeanOverPairsWithoutAHalfFactor() {
        float[][] points = {{0, 0}, {3, 4}, {0.6f, 0}, {0, 2}, {0, 0.5f}};
        // pos d=5 → 25; neg d=0.6 → 0.16; neg d=2 → 0; pos d=0.5 → 0.25; neg d=0.5 → 0.25
        int[] a = {0, 0, 0, 0, 0};
        int[] b = {1, 2, 3, 4, 4};
        float[] y = {1, 0, 0, 1, 0};
        Evaluation e = evaluate(points, a, b, y, 1f);
        assertEquals((25 + 0.16 + 0 + 0.25 + 0.25) / 5, e.loss(), 1e-5);
        assertEquals(0.16f, e.perPair()[1], 1e-6f);
    }

    @Test
    void marginIsConfigurable() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {1.5f, 0}}, new int[] {0}, new int[] {1}, new float[] {0},
                2f);
        assertEquals(0.25f, e.loss(), 1e-6f);
    }

    @Test
    void indicesAddressTheFlattenedBatchGrid() {
        // [2, 2, 2, 1]: location (example 1, row 1, column 0) is flat index (1·2 + 1)·2 + 0 = 6
        float[] rep = {0, 0, 0, 0, 0, 0, 7, 0};
        Evaluation e = evaluate(rep, Shape.of(2, 2, 2, 1), new int[] {0}, new int[] {6}, new float[] {1}, 1f);
        assertEquals(7f, e.distances()[0], 1e-6f);
        assertEquals(49f, e.loss(), 1e-4f);
    }

    @Test
    void noPairsGiveZeroLossNotNaN() {
        Evaluation e = evaluate(new float[][] {{0, 0}, {1, 1}}, new int[0], new int[0], new float[0], 1f);
        assertEquals(0f, e.loss());
        assertEquals(0, e.distances().length);
    }

    @Test
    void unknownChannelCountIsReadAtRunTime() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.unknown()));
            ContrastiveLoss loss = ContrastiveLoss.create(tf, rep, tf.constant(new int[] {0}),
                    tf.constant(new int[] {1}), tf.constant(new float[] {1}), 1f);
            try (Session s = new Session(g);
                    TFloat32 in = tensor(Shape.of(1, 1, 2, 2), new float[] {0, 0, 3, 4});
                    Result r = s.runner().feed(rep, in).fetch(loss.loss()).run()) {
                assertEquals(25f, ((TFloat32) r.get(0)).getFloat(), 1e-5f);
            }
        }
    }

    @Test
    void rejectsARepresentationThatIsNotNhwc() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> flat = tf.constant(new float[][] {{0, 0}, {1, 1}});
            Operand<TInt32> i = tf.constant(new int[] {0});
            Operand<TFloat32> y = tf.constant(new float[] {1});
            assertThrows(IllegalArgumentException.class, () -> ContrastiveLoss.create(tf, flat, i, i, y, 1f));
        }
    }

    /**
     * Analytic gradient (through {@code GatherV2}, with locations shared by several pairs and both sides) against
     * central differences of the same float32 graph; the data keep every pair away from the kinks at {@code d = m}
     * and at the floor.
     */
    @Test
    void gradientMatchesFiniteDifferences() {
        Shape shape = Shape.of(3, 2, 3, 4);
        int size = (int) shape.size();
        float[] x = new float[size];
        Random random = new Random(11);
        for (int i = 0; i < size; i++) {
            x[i] = (float) (0.35 * random.nextGaussian());
        }
        int[] a = {0, 1, 2, 7, 7, 11, 3, 5, 4};
        int[] b = {6, 8, 10, 0, 10, 4, 11, 8, 9};
        float[] y = {1, 1, 0, 0, 0, 1, 0, 0, 0};
        float margin = 1f;
        int channels = 4;
        int negativesInsideMargin = 0;
        for (int p = 0; p < a.length; p++) {
            double sq = 0;
            for (int c = 0; c < channels; c++) {
                double diff = x[a[p] * channels + c] - x[b[p] * channels + c];
                sq += diff * diff;
            }
            double d = Math.sqrt(sq);
            // positives are smooth above the floor; negatives also have a kink at d = m
            assertTrue(d > 0.05 && (y[p] == 1 || Math.abs(d - margin) > 0.05),
                    "pair " + p + " too close to a kink: d=" + d);
            if (y[p] == 0 && d < margin) {
                negativesInsideMargin++;
            }
        }
        assertTrue(negativesInsideMargin >= 2, "the data must exercise the hinge, got " + negativesInsideMargin);

        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            ContrastiveLoss loss = ContrastiveLoss.create(tf, rep, tf.constant(a), tf.constant(b), tf.constant(y),
                    margin);
            Output<?>[] grads = g.addGradients(loss.loss().asOutput(), new Output<?>[] {rep.asOutput()});
            try (Session s = new Session(g)) {
                float[] analytic;
                try (TFloat32 in = tensor(shape, x);
                        Result r = s.runner().feed(rep, in).fetch(grads[0]).run()) {
                    analytic = read((TFloat32) r.get(0));
                }
                double eps = 5e-3;
                double worst = 0;
                int nonZero = 0;
                for (int i = 0; i < size; i++) {
                    float[] plus = x.clone();
                    float[] minus = x.clone();
                    plus[i] += (float) eps;
                    minus[i] -= (float) eps;
                    double numeric = (lossAt(s, rep, loss, shape, plus) - lossAt(s, rep, loss, shape, minus))
                            / (plus[i] - minus[i]);
                    double error = Math.abs(numeric - analytic[i]);
                    worst = Math.max(worst, error / (1e-2 + Math.abs(numeric)));
                    if (Math.abs(analytic[i]) > 1e-3) {
                        nonZero++;
                    }
                    assertEquals(numeric, analytic[i], 2e-3 + 1e-2 * Math.abs(numeric), "d loss / d x[" + i + "]");
                }
                // pairs use locations 0..11 (examples 0 and 1); example 2 (locations 12..17) is in no pair
                assertTrue(nonZero >= 8, "gradient reaches the paired rows, got " + nonZero + " non-zero entries");
                for (int i = 12 * channels; i < size; i++) {
                    assertEquals(0f, analytic[i], "unpaired location gets no gradient, index " + i);
                }
                assertTrue(worst < 0.05, "worst relative error " + worst);
            }
        }
    }

    @Test
    void gradientOnTheFloorIsFiniteAndZero() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Shape shape = Shape.of(1, 1, 2, 3);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            ContrastiveLoss loss = ContrastiveLoss.create(tf, rep, tf.constant(new int[] {0, 0}),
                    tf.constant(new int[] {1, 1}), tf.constant(new float[] {1, 0}), 1f);
            Output<?>[] grads = g.addGradients(loss.loss().asOutput(), new Output<?>[] {rep.asOutput()});
            try (Session s = new Session(g);
                    TFloat32 in = tensor(shape, new float[] {1, 2, 3, 1, 2, 3});
                    Result r = s.runner().feed(rep, in).fetch(grads[0]).run()) {
                for (float v : read((TFloat32) r.get(0))) {
                    assertFalse(Float.isNaN(v) || Float.isInfinite(v));
                    assertEquals(0f, v);
                }
            }
        }
    }

    private static double lossAt(Session s, Placeholder<TFloat32> rep, ContrastiveLoss loss, Shape shape,
            float[] values) {
        try (TFloat32 in = tensor(shape, values); Result r = s.runner().feed(rep, in).fetch(loss.loss()).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    @Test
    void lossMatchesAJavaReferenceOnRandomPairs() {
        Shape shape = Shape.of(3, 4, 5, 6);
        int size = (int) shape.size();
        Random random = new Random(5);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (0.3 * random.nextGaussian());
        }
        int pairs = 64;
        int[] a = new int[pairs];
        int[] b = new int[pairs];
        float[] y = new float[pairs];
        double expected = 0;
        for (int p = 0; p < pairs; p++) {
            a[p] = random.nextInt(60);
            b[p] = random.nextInt(60);
            y[p] = random.nextBoolean() ? 1 : 0;
            double sq = 0;
            for (int c = 0; c < 6; c++) {
                double diff = x[a[p] * 6 + c] - x[b[p] * 6 + c];
                sq += diff * diff;
            }
            double d = Math.sqrt(Math.max(sq, 1e-8));
            expected += y[p] * d * d + (1 - y[p]) * Math.pow(Math.max(0, 1 - d), 2);
        }
        expected /= pairs;
        assertEquals(expected, evaluate(x, shape, a, b, y, 1f).loss(), 1e-5);
    }
}
