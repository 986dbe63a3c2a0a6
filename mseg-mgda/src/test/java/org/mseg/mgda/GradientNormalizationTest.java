package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream's gradient_normalizers as per-task scales on the Gram matrix. */
class GradientNormalizationTest {

    private static final double[] G0 = {3, 4};   // norm 5
    private static final double[] G1 = {0, -2};  // norm 2
    private static final double[][] GRAM = Grams.of(G0, G1);
    private static final double[] LOSSES = {0.5, 4.0};

    @Test
    void configNamesAreUpstreams() {
        assertEquals(List.of("none", "l2", "loss", "loss+"), GradientNormalization.configNames());
        assertSame(GradientNormalization.NONE, GradientNormalization.fromConfigName("none"));
        assertSame(GradientNormalization.L2, GradientNormalization.fromConfigName("l2"));
        assertSame(GradientNormalization.LOSS, GradientNormalization.fromConfigName("loss"));
        assertSame(GradientNormalization.LOSS_PLUS, GradientNormalization.fromConfigName("loss+"));
    }

    @Test
    void msegRunsWithoutNormalization() {
        assertSame(GradientNormalization.NONE, GradientNormalization.DEFAULT);
    }

    @Test
    void anUnknownNameFailsListingTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.fromConfigName("l1"));
        assertTrue(e.getMessage().contains("'l1'"), e.getMessage());
        assertTrue(e.getMessage().contains("none, l2, loss, loss+"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.fromConfigName(null));
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.fromConfigName("LOSS_PLUS"));
    }

    @Test
    void noneLeavesEveryTaskUnscaled() {
        assertArrayEquals(new double[] {1, 1}, GradientNormalization.NONE.scales(GRAM, LOSSES), 0.0);
    }

    @Test
    void l2DividesByTheGradientNorm() {
        assertArrayEquals(new double[] {1 / 5.0, 1 / 2.0}, GradientNormalization.L2.scales(GRAM, LOSSES), 1e-16);
    }

    @Test
    void lossDividesByTheLoss() {
        assertArrayEquals(new double[] {2.0, 0.25}, GradientNormalization.LOSS.scales(GRAM, LOSSES), 0.0);
    }

    @Test
    void lossPlusDividesByLossTimesNorm() {
        assertArrayEquals(new double[] {1 / 2.5, 1 / 8.0}, GradientNormalization.LOSS_PLUS.scales(GRAM, LOSSES), 1e-16);
    }

    @Test
    void l2RescaledGramHoldsCosineSimilarities() {
        double[] s = GradientNormalization.L2.scales(GRAM, LOSSES);
        double[][] rescaled = GradientNormalization.rescaleGram(GRAM, s);
        assertEquals(1.0, rescaled[0][0], 1e-15);
        assertEquals(1.0, rescaled[1][1], 1e-15);
        assertEquals(-8.0 / 10.0, rescaled[0][1], 1e-15);
        assertEquals(rescaled[0][1], rescaled[1][0], 0.0);
    }

    @Test
    void rescaledGramIsTheGramOfTheRescaledGradients() {
        double[] s = GradientNormalization.LOSS_PLUS.scales(GRAM, LOSSES);
        double[][] expected = Grams.of(times(G0, s[0]), times(G1, s[1]));
        double[][] rescaled = GradientNormalization.rescaleGram(GRAM, s);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(expected[i], rescaled[i], 1e-15);
        }
    }

    @Test
    void rawGradientWeightsCombineTheRawGradientsLikeAlphaCombinesTheRescaledOnes() {
        double[] s = GradientNormalization.L2.scales(GRAM, LOSSES);
        double[] alpha = MinNormSolver.solve(GradientNormalization.rescaleGram(GRAM, s));
        double[] w = GradientNormalization.rawGradientWeights(alpha, s);
        double[] fromRaw = {w[0] * G0[0] + w[1] * G1[0], w[0] * G0[1] + w[1] * G1[1]};
        double[] u0 = times(G0, s[0]);
        double[] u1 = times(G1, s[1]);
        double[] fromRescaled = {alpha[0] * u0[0] + alpha[1] * u1[0], alpha[0] * u0[1] + alpha[1] * u1[1]};
        assertArrayEquals(fromRescaled, fromRaw, 1e-15);
        // With unit vectors at equal angle to the bisector the min-norm weights are equal.
        assertArrayEquals(new double[] {0.5, 0.5}, alpha, 1e-15);
    }

    @Test
    void aZeroGradientOrZeroLossLeavesItsTaskUnscaled() {
        double[][] gram = Grams.of(new double[] {0, 0}, new double[] {0, 2});
        double[] losses = {1.0, 0.0};
        assertArrayEquals(new double[] {1, 0.5}, GradientNormalization.L2.scales(gram, losses), 0.0);
        assertArrayEquals(new double[] {1, 1}, GradientNormalization.LOSS.scales(gram, losses), 0.0);
        assertArrayEquals(new double[] {1, 1}, GradientNormalization.LOSS_PLUS.scales(gram, losses), 0.0);
        double[][] roundingNegative = {{-1e-20, 0}, {0, 4}};
        assertArrayEquals(new double[] {1, 0.5}, GradientNormalization.L2.scales(roundingNegative, losses), 0.0);
    }

    @Test
    void aLossTooSmallToInvertLeavesItsTaskUnscaled() {
        assertArrayEquals(new double[] {1, 0.25},
                GradientNormalization.LOSS.scales(GRAM, new double[] {Double.MIN_VALUE, 4.0}), 0.0);
    }

    @Test
    void lossesAreOnlyValidatedWhereTheyAreUsed() {
        double[] bad = {Double.NaN, -1};
        assertArrayEquals(new double[] {1, 1}, GradientNormalization.NONE.scales(GRAM, bad), 0.0);
        assertArrayEquals(new double[] {0.2, 0.5}, GradientNormalization.L2.scales(GRAM, bad), 1e-16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.LOSS.scales(GRAM, bad));
        assertTrue(e.getMessage().contains("task 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.LOSS_PLUS.scales(GRAM, new double[] {1, -1}));
    }

    @Test
    void mismatchedLengthsAndInvalidScalesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.NONE.scales(GRAM, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.NONE.scales(GRAM, null));
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.rescaleGram(GRAM, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> GradientNormalization.rescaleGram(GRAM, new double[] {1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.rawGradientWeights(new double[] {1}, new double[] {1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.L2.scales(new double[][] {{1, 2}, {3, 4}}, LOSSES));
    }

    @Test
    void anOverflowingRescaleIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientNormalization.rescaleGram(new double[][] {{1e300, 0}, {0, 1}}, new double[] {1e10, 1}));
        assertTrue(e.getMessage().contains("[0][0]"), e.getMessage());
    }

    private static double[] times(double[] v, double factor) {
        return new double[] {v[0] * factor, v[1] * factor};
    }
}
