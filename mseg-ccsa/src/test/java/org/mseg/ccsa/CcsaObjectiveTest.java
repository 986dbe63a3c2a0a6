package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The objective wires sampling, feeding and the loss together on a representation of the HRNet grid. */
class CcsaObjectiveTest {

    private static final int N = 4;
    private static final int CROP = 17;
    private static final int GRID = 5; // (17 − 1) / 4 + 1
    private static final int C = 3;

    /** Full-resolution labels: class by image quadrant, a 255 border, and a per-example shift. */
    private static byte[] cropLabels() {
        byte[] labels = new byte[N * CROP * CROP];
        for (int e = 0; e < N; e++) {
            for (int r = 0; r < CROP; r++) {
                for (int c = 0; c < CROP; c++) {
                    boolean border = r == 0 || c == 0 || r == CROP - 1 || c == CROP - 1;
                    int cls = (r < CROP / 2 ? 0 : 2) + (c < CROP / 2 ? 0 : 1);
                    labels[(e * CROP + r) * CROP + c] = border ? (byte) 255 : (byte) ((cls + e) % 4);
                }
            }
        }
        return labels;
    }

    private static float[] random(int size, long seed) {
        Random random = new Random(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (0.4 * random.nextGaussian());
        }
        return x;
    }

    @Test
    void totalWeighsContrastiveAndCrossEntropyLikeMseg() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> main = CcsaObjective.combine(tf, tf.constant(2f), tf.constant(4f), 0.25);
            Operand<TFloat32> withAux = CcsaObjective.combine(tf, tf.constant(2f), tf.constant(4f), tf.constant(1f),
                    0.25, 0.4);
            try (Session s = new Session(g); Result r = s.runner().fetch(main).fetch(withAux).run()) {
                assertEquals(0.25f * 2 + 0.75f * 4, ((TFloat32) r.get(0)).getFloat(), 1e-6f);
                assertEquals(3.5f + 0.4f * 0.75f * 1, ((TFloat32) r.get(1)).getFloat(), 1e-6f);
            }
        }
    }

    @Test
    void sampledPairsFeedTheLossOnTheRepresentationGrid() {
        int[] domains = {0, 1, 2, 1};
        byte[] labels = cropLabels();
        float[] x = random(N * GRID * GRID * C, 3);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(N, GRID, GRID, C)));
            CcsaObjective objective = CcsaObjective.build(tf, rep, new CcsaOptions(0.25, 20, 1.0, 3));
            assertNotNull(g.operation("ccsa/pair_a"));
            assertNotNull(g.operation("ccsa/pair_b"));
            assertNotNull(g.operation("ccsa/pair_y"));
            assertNotNull(g.operation("ccsa/contrastive_loss"));

            SampledPairs pairs = objective.samplePairs(domains, labels, N, CROP, CROP, 77);
            assertTrue(pairs.complete());
            assertEquals(80, pairs.size());
            byte[] grid = PairSampler.downsampleNearest(labels, N, CROP, CROP, GRID, GRID);
            int[] a = pairs.sideA();
            int[] b = pairs.sideB();
            float[] y = pairs.labels();
            double expected = 0;
            for (int p = 0; p < pairs.size(); p++) {
                assertTrue(grid[a[p]] != (byte) 255 && grid[b[p]] != (byte) 255);
                assertEquals(y[p] == 1, grid[a[p]] == grid[b[p]]);
                double sq = 0;
                for (int c = 0; c < C; c++) {
                    double d = x[a[p] * C + c] - x[b[p] * C + c];
                    sq += d * d;
                }
                double d = Math.sqrt(Math.max(sq, 1e-8));
                expected += y[p] * d * d + (1 - y[p]) * Math.pow(Math.max(0, 1 - d), 2);
            }
            expected /= pairs.size();
            try (Session s = new Session(g);
                    TFloat32 in = TFloat32.tensorOf(rep.shape(), DataBuffers.of(x, true, false));
                    PairFeed feed = objective.feed(pairs);
                    Result r = feed.addTo(s.runner().feed(rep, in)).fetch(objective.contrastiveLoss()).run()) {
                assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-5);
            }
        }
    }

    @Test
    void gridIsTheRepresentationsStaticSize() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, 179, 181, C)));
            CcsaObjective objective = CcsaObjective.build(tf, rep, CcsaOptions.defaults());
            assertEquals(PairSampler.gridSize(713, 4), objective.gridHeight());
            assertEquals(181, objective.gridWidth());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> objective.samplePairs(new int[] {0, 1}, new byte[2 * 713 * 721], 2, 713, 721, 1));
            assertTrue(e.getMessage().contains("4 examples"), e.getMessage());
        }
    }

    @Test
    void representationWithoutStaticGridIsRejected() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(N, Shape.UNKNOWN_SIZE, Shape.UNKNOWN_SIZE, C)));
            assertThrows(IllegalArgumentException.class,
                    () -> CcsaObjective.build(tf, rep, CcsaOptions.defaults()));
        }
    }

    @Test
    void emptyPairSetFeedsAndGivesZeroLoss() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> rep = tf.placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(N, GRID, GRID, C)));
            CcsaObjective objective = CcsaObjective.build(tf, rep, CcsaOptions.defaults());
            SampledPairs none = objective.samplePairs(new int[] {2, 2, 2, 2}, cropLabels(), N, CROP, CROP, 1);
            assertEquals(SampledPairs.Outcome.TOO_FEW_DOMAINS, none.outcome());
            try (Session s = new Session(g);
                    TFloat32 in = TFloat32.tensorOf(rep.shape());
                    PairFeed feed = objective.feed(none);
                    Result r = feed.addTo(s.runner().feed(rep, in)).fetch(objective.contrastiveLoss()).run()) {
                assertEquals(0f, ((TFloat32) r.get(0)).getFloat());
            }
        }
    }

    /** Gradient descent on the embeddings alone drives the contrastive loss down: the gradient points the right way. */
    @Test
    void gradientDescentOnTheEmbeddingReducesTheLoss() {
        int[] domains = {0, 1, 0, 1};
        byte[] labels = cropLabels();
        float[] x = random(N * GRID * GRID * C, 5);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Variable<TFloat32> embedding = tf.withName("embedding").variable(
                    tf.withInitScope().constant(Shape.of(N, GRID, GRID, C), DataBuffers.of(x, true, false)));
            CcsaObjective objective = CcsaObjective.build(tf, embedding, new CcsaOptions(0.25, 30, 1.0, 3));
            Gradients grads = tf.gradients(objective.contrastiveLoss(), List.of(embedding));
            Operand<TFloat32> step = tf.train.applyGradientDescent(embedding, tf.constant(0.5f), grads.<TFloat32>dy(0));
            SampledPairs pairs = objective.samplePairs(domains, labels, N, CROP, CROP, 9);
            try (Session s = new Session(g); PairFeed feed = objective.feed(pairs)) {
                float first = lossAt(s, feed, objective);
                for (int i = 0; i < 40; i++) {
                    try (Result r = feed.addTo(s.runner()).fetch(step).run()) {
                        assertEquals(1, r.size());
                    }
                }
                float last = lossAt(s, feed, objective);
                assertTrue(last < 0.5f * first, "loss " + first + " → " + last);
            }
        }
    }

    private static float lossAt(Session s, PairFeed feed, CcsaObjective objective) {
        try (Result r = feed.addTo(s.runner()).fetch(objective.contrastiveLoss()).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }
}
