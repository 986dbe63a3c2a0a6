package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.distance;
import static org.mseg.api.testkit.FloatComparisons.float32SumDisagreement;
import static org.mseg.api.testkit.FloatComparisons.norm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.GraphTrainingStrategy;
import org.mseg.engine.StandardStrategy;
import org.mseg.engine.StepOutcome;
import org.mseg.engine.StepProgram;
import org.mseg.engine.StrategyContext;
import org.mseg.engine.Trainer;
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
    private static final int STEPS = 3;

    /**
     * Relative tolerance τ on each tensor's change over the run, {@code ‖Δ_custom − Δ_standard‖ ≤ τ·‖Δ_standard‖}.
     * The two strategies compute the same update through different float32 graphs (one backward pass of the summed
     * loss vs two per-dataset passes combined with α), so they differ only by rounding. Each reduction of at most
     * {@code n} terms may disagree by {@code 2γ_{n−1}} relative to its terms ({@link
     * org.mseg.api.testkit.FloatComparisons}); in the tiny HRNet the longest is a 3×3 convolution over 64 channels,
     * {@code n = 576}; the backward pass crosses at most 21 convolutions (stem 2, bottleneck 3, three transitions,
     * three stages of a BasicBlock (2) and a fuse (up to 3), head 2), and the errors of the {@value #STEPS} steps add:
     * τ = 3·21·2γ_575 ≈ 4.3e-3. What the test must catch is three orders larger: α doubled changes every
     * gradient-driven tensor's update by ≈ 100 %, a dropped dataset gradient by ≥ 30 %; both are checked below.
     */
    private static final double TAU = STEPS * 21 * float32SumDisagreement(576, 1.0);

    /**
     * A tensor is driven by α when doubling α or dropping a dataset moves its update by more than this fraction of
     * itself. Tensors below it (running variances, whose change comes from the batch statistics, and the bias of the
     * head convolution, which feeds a training-mode batch norm and so has a gradient that is zero up to rounding) carry
     * no α-signal above the float noise; the test holds them to this weaker bound only.
     */
    private static final double ALPHA_DRIVEN = 0.1;

    /** Weighted per-dataset gradients with α fed each step; records the Gram matrices it saw. */
    static final class WeightedGradients implements GraphTrainingStrategy {
        final List<float[]> grams = new ArrayList<>();
        /** Terms of the longest sum behind a Gram entry: the largest variable, then one partial per variable. */
        long gramTerms;
        private final float[] fed;

        /** {@code alpha}: the weights fed every step, one per dataset. */
        WeightedGradients(float... alpha) {
            this.fed = alpha.clone();
        }

        @Override
        public StepProgram build(StrategyContext ctx) {
            Ops tf = ctx.tf();
            int d = ctx.slices().size();
            List<List<Operand<TFloat32>>> perDataset = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                perDataset.add(ctx.gradients(ctx.loss().perDataset().get(i)));
            }
            // Gram matrix from per-variable partial dot products
            long largest = 0;
            for (var v : ctx.variables()) {
                largest = Math.max(largest, v.shape().size());
            }
            gramTerms = largest + ctx.variables().size();
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
                float[] a = fed.clone();
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
        Map<String, float[]> initial = new LinkedHashMap<>();
        Map<String, float[]> standard = train(new StandardStrategy(), null, initial);
        WeightedGradients weighted = new WeightedGradients(0.5f, 0.5f);
        List<StepOutcome> outcomes = new ArrayList<>();
        Map<String, float[]> custom = train(weighted, outcomes, null);
        // negative controls, run through the same strategy code: the tolerance must reject α doubled and a dropped
        // dataset gradient, or the comparison above would prove nothing
        Map<String, float[]> doubled = train(new WeightedGradients(1f, 1f), null, null);
        Map<String, float[]> dropped = train(new WeightedGradients(0.5f, 0f), null, null);

        int alphaDriven = 0;
        double globalChange = 0;
        double globalDeviation = 0;
        double globalDoubled = 0;
        double globalDropped = 0;
        for (String k : standard.keySet()) {
            float[] x0 = initial.get(k);
            float[] x = standard.get(k);
            double change = distance(x0, x);
            // the stored values are rounded to float32 after each step, in both runs
            double storage = 2 * STEPS * FLOAT32_UNIT_ROUNDOFF * norm(x);
            double bound = TAU * change + storage;
            double deviation = distance(x, custom.get(k));
            double doubledDeviation = distance(x, doubled.get(k));
            double droppedDeviation = distance(x, dropped.get(k));
            globalChange += change * change;
            globalDeviation += deviation * deviation;
            globalDoubled += doubledDeviation * doubledDeviation;
            globalDropped += droppedDeviation * droppedDeviation;
            boolean driven = doubledDeviation > ALPHA_DRIVEN * change || droppedDeviation > ALPHA_DRIVEN * change;
            String what = k + ": ‖Δcustom − Δstandard‖ = " + deviation + ", ‖Δstandard‖ = " + change;
            if (driven) {
                alphaDriven++;
                assertTrue(deviation <= bound, what + " exceeds " + bound + " (τ = " + TAU + ")");
            } else {
                assertTrue(deviation <= ALPHA_DRIVEN * change + storage, what + " (not driven by α)");
            }
        }
        assertTrue(alphaDriven > standard.size() / 2, "only " + alphaDriven + " of " + standard.size()
                + " tensors respond to α");
        double globalBound = TAU * Math.sqrt(globalChange);
        assertTrue(Math.sqrt(globalDeviation) <= globalBound, "whole state: deviation " + Math.sqrt(globalDeviation)
                + " exceeds " + globalBound);
        assertTrue(Math.sqrt(globalDoubled) > 10 * globalBound, "α doubled is not told apart: deviation "
                + Math.sqrt(globalDoubled) + ", bound " + globalBound);
        assertTrue(Math.sqrt(globalDropped) > 10 * globalBound, "a dropped dataset gradient is not told apart:"
                + " deviation " + Math.sqrt(globalDropped) + ", bound " + globalBound);

        assertEquals(STEPS, weighted.grams.size());
        float[] g = weighted.grams.get(0);
        assertTrue(g[0] > 0 && g[3] > 0, "squared gradient norms are positive");
        // G01 and G10 are the same exact sum Σ g0·g1; each float32 evaluation is within γ_n·Σ|g0·g1| of it, and
        // Σ|g0·g1| ≤ √(G00·G11) (Cauchy–Schwarz), so they differ by at most 2γ_n·√(G00·G11) in any summation order
        double symmetric = float32SumDisagreement(weighted.gramTerms, Math.sqrt((double) g[0] * g[3]));
        assertEquals(g[1], g[2], symmetric, "Gram matrix is symmetric");
        assertEquals(0.5, outcomes.get(0).extras().get("alpha/alpha"), 0);
    }

    /** Trains {@link #STEPS} steps; {@code initial}, if given, receives the seeded values before the first step. */
    private static Map<String, float[]> train(GraphTrainingStrategy s, List<StepOutcome> outcomes,
            Map<String, float[]> initial) {
        ToyBatches data = new ToyBatches(4, SIZE, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, STEPS, 13).strategy(s, Map.of()).build()) {
            if (initial != null) {
                initial.putAll(t.variableValues());
            }
            for (int i = 0; i < STEPS; i++) {
                StepOutcome o = t.step(data.next()).outcome();
                if (outcomes != null) {
                    outcomes.add(o);
                }
            }
            return t.variableValues();
        }
    }
}
