package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A strategy written outside the engine, shaped like MGDA: per-dataset gradients, their Gram matrix built in the graph
 * and fetched in a first session run, weights α fed in a second run that applies {@code Σ α_d g_d}. With α uniform it
 * must train exactly like {@code standard}.
 */
class StrategyContractTest {

    private static final int SIZE = 9;
    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(1);

    /** Weighted per-dataset gradients with α fed each step; records the Gram matrices it saw. */
    static final class WeightedGradients implements GraphTrainingStrategy {
        final List<float[]> grams = new ArrayList<>();

        @Override
        public StepProgram build(StrategyContext ctx) {
            Ops tf = ctx.tf();
            int d = ctx.slices().size();
            List<List<Operand<TFloat32>>> perDataset = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                perDataset.add(ctx.gradients(ctx.loss().perDataset().get(i)));
            }
            // Gram matrix from per-variable partial dot products
            List<Operand<TFloat32>> entries = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    List<Operand<TFloat32>> partial = new ArrayList<>();
                    for (int v = 0; v < ctx.variables().size(); v++) {
                        Operand<TFloat32> prod = tf.math.mul(perDataset.get(i).get(v), perDataset.get(j).get(v));
                        partial.add(tf.sum(prod, tf.range(tf.constant(0), tf.rank(prod), tf.constant(1))));
                    }
                    entries.add(tf.math.addN(partial));
                }
            }
            Operand<TFloat32> gram = tf.stack(entries);
            Placeholder<TFloat32> alpha = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(d)));
            List<Operand<TFloat32>> combined = new ArrayList<>();
            for (int v = 0; v < ctx.variables().size(); v++) {
                List<Operand<TFloat32>> terms = new ArrayList<>();
                for (int i = 0; i < d; i++) {
                    Operand<TFloat32> a = tf.gather(alpha, tf.constant(i), tf.constant(0));
                    terms.add(tf.math.mul(a, perDataset.get(i).get(v)));
                }
                combined.add(tf.math.addN(terms));
            }
            Op train = ctx.minimize(combined);
            Operand<TFloat32> weighted = tf.sum(tf.math.mul(alpha, ctx.loss().datasetLosses()), tf.constant(0));
            return step -> {
                float[] g = new float[d * d];
                try (Result r = step.runner().fetch(gram).run()) {
                    ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(g);
                }
                grams.add(g);
                float[] a = new float[d];
                java.util.Arrays.fill(a, 1f / d);
                try (TFloat32 at = TFloat32.vectorOf(a);
                        Result r = step.runner().feed(alpha, at).fetch(weighted).fetch(ctx.loss().datasetLosses())
                                .addTarget(train).run()) {
                    return new StepOutcome(((TFloat32) r.get(0)).getFloat(), step.byDataset((TFloat32) r.get(1)),
                            Map.of("alpha/" + SLICES.get(0).dataset(), (double) a[0]));
                }
            };
        }
    }

    @Test
    void externallyBuiltWeightedStrategyWithUniformAlphaTrainsLikeStandard() {
        Map<String, float[]> standard = train(new StandardStrategy(), null);
        WeightedGradients weighted = new WeightedGradients();
        List<StepOutcome> outcomes = new ArrayList<>();
        Map<String, float[]> custom = train(weighted, outcomes);
        for (String k : standard.keySet()) {
            float[] x = standard.get(k);
            float[] y = custom.get(k);
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-5 + 1e-4 * Math.abs(x[i]), k + "[" + i + "]");
            }
        }
        assertEquals(3, weighted.grams.size());
        float[] g = weighted.grams.get(0);
        assertTrue(g[0] > 0 && g[3] > 0, "squared gradient norms are positive");
        assertEquals(g[1], g[2], 1e-6 * Math.abs(g[1]) + 1e-12, "Gram matrix is symmetric");
        assertEquals(0.5, outcomes.get(0).extras().get("alpha/alpha"), 0);
    }

    private static Map<String, float[]> train(GraphTrainingStrategy s, List<StepOutcome> outcomes) {
        ToyBatches data = new ToyBatches(4, SIZE, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 3, 13).strategy(s, Map.of()).build()) {
            for (int i = 0; i < 3; i++) {
                StepOutcome o = t.step(data.next()).outcome();
                if (outcomes != null) {
                    outcomes.add(o);
                }
            }
            return t.variableValues();
        }
    }
}
