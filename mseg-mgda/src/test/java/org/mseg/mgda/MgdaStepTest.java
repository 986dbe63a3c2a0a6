package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mseg.api.TrainingException;
import org.mseg.hrnet.engine.StepBatch;
import org.mseg.hrnet.engine.Trainer;

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
            for (int i = 0; i < 3; i++) {
                assertTrue(expected[i][i] > 0, "gradient of dataset " + i + " is zero");
                for (int j = 0; j < 3; j++) {
                    double scale = Math.sqrt(expected[i][i] * expected[j][j]);
                    assertEquals(expected[i][j], gram[i][j], 1e-4 * scale, "G[" + i + "][" + j + "]");
                }
            }

            // α: exactly the solver's answer on the fetched matrix, and close to it on the independent one
            GradientNormalization n = options.normalization();
            double[] scales = n.scales(gram, step.objectives());
            assertArrayEquals(scales, step.scales(), 0.0);
            double[] alpha = MinNormSolver.solve(GradientNormalization.rescaleGram(gram, scales));
            assertArrayEquals(alpha, step.alpha(), 1e-12);
            double[] independentScales = n.scales(expected, step.objectives());
            double[] independentAlpha = MinNormSolver.solve(
                    GradientNormalization.rescaleGram(expected, independentScales));
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
            double maxError = 0;
            double maxDelta = 0;
            List<String> names = probe.variableNames;
            for (int v = 0; v < names.size(); v++) {
                String name = names.get(v);
                float[] v0 = before.get(name);
                float[] v1 = after.get(name);
                float[] buffer = after.get(name.replace('/', '.') + ".momentum_buffer");
                double bufferError = 0;
                double bufferScale = 0;
                for (int e = 0; e < v0.length; e++) {
                    double g = 0;
                    for (int d = 0; d < 3; d++) {
                        g += w[d] * probe.lastGradients.get(d).get(v)[e];
                    }
                    double buf = g + WEIGHT_DECAY * v0[e];
                    double delta = -LR * buf;
                    maxDelta = Math.max(maxDelta, Math.abs(delta));
                    maxError = Math.max(maxError, Math.abs((v1[e] - v0[e]) - delta));
                    bufferScale = Math.max(bufferScale, Math.abs(buf));
                    bufferError = Math.max(bufferError, Math.abs(buffer[e] - buf));
                }
                // float32 rounding of the two gradient computations, relative to the variable's largest entry
                assertTrue(bufferError <= 1e-3 * bufferScale, name + ": momentum buffer differs from Σ w_d g_d + wd·v"
                        + " by " + bufferError + " (largest entry " + bufferScale + ")");
            }
            assertTrue(maxDelta > 1e-4, "the update moved no weight noticeably (max " + maxDelta + ")");
            assertTrue(maxError < 1e-3 * maxDelta, "update differs from SGD on the weighted gradients by " + maxError
                    + " (largest step " + maxDelta + ")");
        }
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
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double scale = Math.sqrt(expected[i][i] * expected[j][j]);
                    assertEquals(expected[i][j], gram[i][j], 1e-4 * scale, "G[" + i + "][" + j + "]");
                }
            }
            assertArrayEquals(MinNormSolver.solve(gram), steps.last().alpha(), 1e-12);
            String kernel = probe.variableNames.get(0);
            assertTrue(!java.util.Arrays.equals(before.get(kernel), after.get(kernel)), "weights did not change");
        }
    }

    @Test
    void nonFiniteLossesApplyNoUpdateAndStopTheEngine() {
        ToyTraining.Steps steps = new ToyTraining.Steps();
        try (Trainer trainer = ToyTraining.trainer(new MgdaStrategy(MgdaOptions.defaults(), steps), LR, 10)) {
            StepBatch good = ToyTraining.batch(0);
            float[] images = good.images().clone();
            images[5] = Float.NaN;
            Map<String, float[]> before = trainer.variableValues();
            TrainingException e = assertThrows(TrainingException.class, () -> trainer.step(new StepBatch(0,
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
