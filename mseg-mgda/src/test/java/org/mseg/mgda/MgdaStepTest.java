package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.float32SumDisagreement;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mseg.api.TrainingException;
import org.mseg.datasets.loader.Batch;
import org.mseg.engine.Trainer;

/**
 * One MGDA step on a tiny HRNet checked against an independent computation: the Gram matrix built in the graph equals
 * the dot products of separately fetched, flattened per-dataset gradients; α is the solver's answer for that matrix;
 * the applied update is PyTorch SGD (momentum 0.9, weight decay 1e-4) on {@code Σ_d w_d g_d},
 * {@code w_d ∝ α_d s_d} summing to 1; a step with
 * non-finite losses changes nothing.
 */
class MgdaStepTest {

    private static final double LR = 0.05;
    private static final double WEIGHT_DECAY = 1e-4;

    /**
     * The longest float32 reduction of the step: the 6 × 17 × 17 pixels of the toy batch (the loss mean and the
     * backward pass of the first convolutions sum over at most that many terms; no convolution sums more than
     * 64·3·3 = 576 inputs).
     */
    private static final long LONGEST_REDUCTION = 6L * ToyTraining.SIZE * ToyTraining.SIZE;

    /**
     * Relative bound on the difference between two float32 computations of the same gradient through the tiny HRNet:
     * each of at most 21 convolutions on a path from the loss to a variable (stem 2, bottleneck 3, three
     * transitions, three stages of a BasicBlock (2) and a fuse (up to 3), head 2) may add {@code 2γ_{n−1}} with
     * {@code n} the longest reduction, so τ = 21·2γ_1733 ≈ 4.3e-3. The update has to be told apart from SGD on α
     * instead of w (l2 normalisation), without weight decay and with a dataset dropped: the test checks below that
     * each of those is rejected by this τ.
     */
    private static final double TAU = 21 * float32SumDisagreement(LONGEST_REDUCTION, 1.0);

    /**
     * {@code last_layer.0} is the head's 1×1 convolution with bias, followed by a training-mode batch norm that
     * subtracts the per-channel mean: the exact gradient of that bias is zero, and what TensorFlow returns is the
     * rounding noise of the batch norm's backward pass, which differs per CPU. Its momentum buffer is therefore
     * {@code wd·v} plus noise of at most {@code 2γ_{n−1}} times the largest gradient magnitude in the network, and
     * that is all the test can require of it.
     */
    private static final String ZERO_GRADIENT_BIAS = "last_layer.0.bias";

    @ParameterizedTest(name = "normalization {0}")
    @ValueSource(strings = {"none", "l2"})
    void gramAlphaAndUpdateMatchAnIndependentComputation(String normalization) {
        ToyTraining.Steps steps = new ToyTraining.Steps();
        MgdaOptions options = new MgdaOptions(MgdaMode.PARAMS, GradientNormalization.fromConfigName(normalization));
        GradientProbe probe = new GradientProbe(new MgdaStrategy(options, steps), false);
        try (Trainer trainer = ToyTraining.trainer(probe, LR, 10)) {
            Map<String, float[]> before = trainer.variableValues();
            Trainer.StepResult result = trainer.step(ToyTraining.batch(0));
            Map<String, float[]> after = trainer.variableValues();
            MgdaStep step = steps.last();

            // Gram matrix: graph vs flattened dot products, entry-wise relative to sqrt(G_ii G_jj)
            double[][] expected = probe.gram();
            double[][] gram = step.gram();
            checkGram(probe, expected, gram);

            // α: exactly the solver's answer on the fetched matrix, and close to it on the independent one
            GradientNormalization n = options.normalization();
            double[] scales = n.scales(gram, step.objectives());
            assertArrayEquals(scales, step.scales(), 0.0);
            double[] alpha = MinNormSolver.solve(GradientNormalization.rescaleGram(gram, scales));
            assertArrayEquals(alpha, step.alpha(), 1e-12);
            double[] independentScales = n.scales(expected, step.objectives());
            double[] independentAlpha = MinNormSolver.solve(
                    GradientNormalization.rescaleGram(expected, independentScales));
            // kept at 1e-3: the two Gram matrices agree within checkGram's bound (γ_14399 ≈ 8.6e-4 of √(G_ii·G_jj));
            // how far that moves α depends on the conditioning of the three gradients, which this test does not
            // bound; the agreement seen is ~1e-8 on AVX-512, AVX2 and Eigen kernels alike
            assertArrayEquals(independentAlpha, step.alpha(), 1e-3);
            assertEquals(1.0, step.alpha()[0] + step.alpha()[1] + step.alpha()[2], 1e-9);
            double[] raw = GradientNormalization.rawGradientWeights(step.alpha(), step.scales());
            double rawSum = raw[0] + raw[1] + raw[2];
            assertArrayEquals(new double[] {raw[0] / rawSum, raw[1] / rawSum, raw[2] / rawSum}, step.weights(), 1e-15);
            if (n == GradientNormalization.NONE) {
                assertArrayEquals(step.alpha(), step.weights(), 1e-15);
            }

            // reported loss and extras
            double weighted = 0;
            for (int d = 0; d < 3; d++) {
                weighted += step.alpha()[d] * step.objectives()[d];
                String name = ToyTraining.SLICES.get(d).dataset();
                assertEquals(step.alpha()[d], result.outcome().extras().get("alpha/" + name), 0.0);
                assertEquals(Math.sqrt(gram[d][d]), result.outcome().extras().get("grad_norm/" + name), 1e-12);
                assertEquals(n != GradientNormalization.NONE, result.outcome().extras().containsKey("weight/" + name));
                assertEquals(step.objectives()[d], result.outcome().datasetLosses().get(name), 1e-6);
            }
            assertEquals(weighted, result.outcome().loss(), 1e-12);

            // update: first step, momentum buffers start at 0, so buf = Σ w_d g_d + wd·v and v' = v − lr·buf
            double[] w = step.weights();
            List<String> names = probe.variableNames;
            double largestGradient = 0;
            for (List<float[]> perVariable : probe.lastGradients) {
                for (float[] g : perVariable) {
                    for (float x : g) {
                        largestGradient = Math.max(largestGradient, Math.abs(x));
                    }
                }
            }
            double noiseFloor = float32SumDisagreement(LONGEST_REDUCTION, largestGradient);
            // negative controls: the same bounds must reject SGD on α instead of w (l2 only: for none, w = α), SGD
            // without weight decay and SGD with the last dataset's gradient dropped
            boolean alphaRejected = false;
            boolean noDecayRejected = false;
            boolean droppedRejected = false;
            double maxError = 0;
            double maxDelta = 0;
            int checked = 0;
            for (int v = 0; v < names.size(); v++) {
                String name = names.get(v);
                float[] v0 = before.get(name);
                float[] v1 = after.get(name);
                float[] buffer = after.get(name.replace('/', '.') + ".momentum_buffer");
                double bufferError = 0;
                double bufferScale = 0;
                double alphaError = 0;
                double noDecayError = 0;
                double droppedError = 0;
                for (int e = 0; e < v0.length; e++) {
                    double g = 0;
                    double ga = 0;
                    for (int d = 0; d < 3; d++) {
                        g += w[d] * probe.lastGradients.get(d).get(v)[e];
                        ga += step.alpha()[d] * probe.lastGradients.get(d).get(v)[e];
                    }
                    double buf = g + WEIGHT_DECAY * v0[e];
                    double delta = -LR * buf;
                    maxDelta = Math.max(maxDelta, Math.abs(delta));
                    maxError = Math.max(maxError, Math.abs((v1[e] - v0[e]) - delta));
                    bufferScale = Math.max(bufferScale, Math.abs(buf));
                    bufferError = Math.max(bufferError, Math.abs(buffer[e] - buf));
                    alphaError = Math.max(alphaError, Math.abs(buffer[e] - (ga + WEIGHT_DECAY * v0[e])));
                    noDecayError = Math.max(noDecayError, Math.abs(buffer[e] - g));
                    droppedError = Math.max(droppedError, Math.abs(buffer[e]
                            - (buf - w[2] * probe.lastGradients.get(2).get(v)[e])));
                }
                if (name.replace('/', '.').equals(ZERO_GRADIENT_BIAS)) {
                    assertTrue(bufferError <= noiseFloor, name + ": momentum buffer differs from wd·v + noise by "
                            + bufferError + ", more than the rounding floor " + noiseFloor);
                    continue;
                }
                // float32 rounding of the two gradient computations, relative to the variable's largest entry,
                // plus the rounding of the stored buffer
                double bound = TAU * bufferScale + FLOAT32_UNIT_ROUNDOFF * bufferScale;
                assertTrue(bufferError <= bound, name + ": momentum buffer differs from Σ w_d g_d + wd·v by "
                        + bufferError + " (largest entry " + bufferScale + ", bound " + bound + ")");
                checked++;
                alphaRejected |= alphaError > bound;
                noDecayRejected |= noDecayError > bound;
                droppedRejected |= droppedError > bound;
            }
            assertEquals(names.size() - 1, checked, "only " + ZERO_GRADIENT_BIAS + " is exempt");
            assertEquals(n != GradientNormalization.NONE, alphaRejected, "SGD on α instead of w is told apart");
            assertTrue(noDecayRejected, "SGD without weight decay is told apart");
            assertTrue(droppedRejected, "SGD without the last dataset's gradient is told apart");
            assertTrue(maxDelta > 1e-4, "the update moved no weight noticeably (max " + maxDelta + ")");
            // v' = v − lr·buf: the buffer's error (above) plus one rounding of v'
            double updateBound = TAU * maxDelta + gamma(2, FLOAT32_UNIT_ROUNDOFF) * largestMagnitude(before);
            assertTrue(maxError <= updateBound, "update differs from SGD on the weighted gradients by " + maxError
                    + " (largest step " + maxDelta + ", bound " + updateBound + ")");
        }
    }

    /**
     * The graph accumulates {@code G_ij} as float32 matrix products of each variable's gradients ({@code |v|} terms),
     * summed in float64 across variables; the probe sums the same products in float64. A float32 sum of {@code n}
     * terms is within {@code γ_{n−1}·Σ|terms|} of the exact sum, and {@code Σ_e |g_i[e]·g_j[e]| ≤ √(G_ii·G_jj)}
     * (Cauchy–Schwarz), so {@code |G_ij − Ĝ_ij| ≤ γ_{n−1}·√(G_ii·G_jj)} with {@code n} the largest variable, plus
     * the float64 rounding. The same bound must reject a Gram matrix that left out the largest variable.
     */
    private static void checkGram(GradientProbe probe, double[][] expected, double[][] gram) {
        int largest = 0;
        List<float[]> first = probe.lastGradients.get(0);
        for (int v = 1; v < first.size(); v++) {
            if (first.get(v).length > first.get(largest).length) {
                largest = v;
            }
        }
        long n = first.get(largest).length;
        double relative = gamma(n - 1, FLOAT32_UNIT_ROUNDOFF) + gamma(first.size(), 0x1p-53);
        boolean omissionRejected = false;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(expected[i][i] > 0, "gradient of dataset " + i + " is zero");
            for (int j = 0; j < expected.length; j++) {
                double scale = Math.sqrt(expected[i][i] * expected[j][j]);
                assertEquals(expected[i][j], gram[i][j], relative * scale, "G[" + i + "][" + j + "]");
                double withoutLargest = expected[i][j];
                float[] a = probe.lastGradients.get(i).get(largest);
                float[] b = probe.lastGradients.get(j).get(largest);
                for (int e = 0; e < a.length; e++) {
                    withoutLargest -= (double) a[e] * b[e];
                }
                omissionRejected |= Math.abs(withoutLargest - gram[i][j]) > relative * scale;
            }
        }
        assertTrue(omissionRejected, "a Gram matrix without the largest variable is told apart");
    }

    private static double largestMagnitude(Map<String, float[]> values) {
        double m = 0;
        for (float[] x : values.values()) {
            for (float v : x) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    @Test
    void repModeSolvesOnTheRepresentationGradients() {
        ToyTraining.Steps steps = new ToyTraining.Steps();
        MgdaOptions options = new MgdaOptions(MgdaMode.REP, GradientNormalization.NONE);
        GradientProbe probe = new GradientProbe(new MgdaStrategy(options, steps), true);
        try (Trainer trainer = ToyTraining.trainer(probe, LR, 10)) {
            Map<String, float[]> before = trainer.variableValues();
            trainer.step(ToyTraining.batch(0));
            Map<String, float[]> after = trainer.variableValues();
            double[][] expected = probe.gram();
            double[][] gram = steps.last().gram();
            checkGram(probe, expected, gram);
            assertArrayEquals(MinNormSolver.solve(gram), steps.last().alpha(), 1e-12);
            String kernel = probe.variableNames.get(0);
            assertTrue(!java.util.Arrays.equals(before.get(kernel), after.get(kernel)), "weights did not change");
        }
    }

    @Test
    void nonFiniteLossesApplyNoUpdateAndStopTheEngine() {
        ToyTraining.Steps steps = new ToyTraining.Steps();
        try (Trainer trainer = ToyTraining.trainer(new MgdaStrategy(MgdaOptions.defaults(), steps), LR, 10)) {
            Batch good = ToyTraining.batch(0);
            float[] images = good.images().clone();
            images[5] = Float.NaN;
            Map<String, float[]> before = trainer.variableValues();
            TrainingException e = assertThrows(TrainingException.class, () -> trainer.step(new Batch(0,
                    good.height(), good.width(), images, good.labels(), good.slices(), Map.of())));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            Map<String, float[]> after = trainer.variableValues();
            for (Map.Entry<String, float[]> v : before.entrySet()) {
                assertArrayEquals(v.getValue(), after.get(v.getKey()), 0f, v.getKey() + " changed");
            }
            assertTrue(steps.seen.isEmpty(), "no α is reported for a step without an update");
        }
    }
}
