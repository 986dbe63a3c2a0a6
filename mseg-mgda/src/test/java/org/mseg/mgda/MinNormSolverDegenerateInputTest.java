package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Degenerate inputs give a valid simplex point (never NaN); invalid inputs fail with a message naming the problem. */
class MinNormSolverDegenerateInputTest {

    @Test
    void allZeroGradientsGiveTheUniformVector() {
        for (int n = 1; n <= 6; n++) {
            MinNormSolver.Result result = MinNormSolver.solve(new double[n][n], 100, 1e-12);
            for (double a : result.alpha()) {
                assertEquals(1.0 / n, a, 0.0);
            }
            assertEquals(0.0, result.cost());
            assertTrue(result.converged());
        }
    }

    @Test
    void duplicatedTasksShareTheirWeightEqually() {
        double[][] gram = Grams.of(new double[] {1, 0}, new double[] {1, 0}, new double[] {0, 1});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {0.25, 0.25, 0.5}, result.alpha(), 1e-15);
        assertEquals(0.5, result.cost(), 1e-15);
    }

    @Test
    void duplicatedColumnsOfRandomGradientsGetEqualWeightsAndSatisfyKkt() {
        Random random = new Random(17);
        for (int trial = 0; trial < 100; trial++) {
            int distinct = 2 + random.nextInt(5);
            int rank = 1 + random.nextInt(distinct + 1);
            double[][] base = new double[distinct][rank];
            for (double[] g : base) {
                for (int k = 0; k < rank; k++) {
                    g[k] = random.nextGaussian();
                }
            }
            double[][] gradients = new double[distinct + 2][];
            System.arraycopy(base, 0, gradients, 0, distinct);
            gradients[distinct] = base[0];
            gradients[distinct + 1] = base[1];
            double[][] gram = Grams.of(gradients);
            double[] alpha = MinNormSolver.solve(gram);
            Grams.assertKkt(gram, alpha, 1e-8);
            assertEquals(alpha[0], alpha[distinct], 1e-12, "trial " + trial);
            assertEquals(alpha[1], alpha[distinct + 1], 1e-12, "trial " + trial);
        }
    }

    @Test
    void identicalGradientsGiveTheUniformVector() {
        double[] g = {0.3, -1.2, 2.0};
        double[][] gram = Grams.of(g, g, g, g);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, MinNormSolver.solve(gram), 0.0);
    }

    @Test
    void aZeroGradientAmongOthersTakesAllTheWeight() {
        double[][] gram = Grams.of(new double[] {1, 2}, new double[] {0, 0}, new double[] {-3, 1});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, result.alpha(), 0.0);
        assertEquals(0.0, result.cost());
    }

    @Test
    void twoZeroGradientsAmongOthersShareTheWeight() {
        double[][] gram = Grams.of(new double[] {0, 0}, new double[] {1, 2}, new double[] {0, 0});
        assertArrayEquals(new double[] {0.5, 0, 0.5}, MinNormSolver.solve(gram), 0.0);
    }

    @Test
    void rankOneGradientsOfOneSignPickTheShortest() {
        double[] v = {1, -2, 2};
        double[][] gram = Grams.of(times(v, 3), times(v, 0.5), times(v, 2), times(v, 7));
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {0, 1, 0, 0}, result.alpha(), 0.0);
        assertEquals(0.25 * 9, result.cost(), 1e-14);
    }

    @Test
    void rankOneGradientsOfBothSignsCancel() {
        double[] v = {1, -2, 2};
        double[][] gram = Grams.of(times(v, 3), times(v, -1), times(v, 2), times(v, -4));
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertEquals(0.0, result.cost(), 1e-13);
        Grams.assertKkt(gram, result.alpha(), 1e-10);
    }

    @Test
    void tinyNegativeEigenvaluesFromRoundingAreTolerated() {
        Random random = new Random(23);
        for (int trial = 0; trial < 200; trial++) {
            int n = 3 + random.nextInt(8);
            int rank = 1 + random.nextInt(n - 1);
            double[][] gram = Grams.random(random, n, rank);
            double scale = Grams.maxAbs(gram);
            // Symmetric noise at 1e-13 relative: the exact matrix is singular, so this makes it indefinite.
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double noise = 1e-13 * scale * random.nextGaussian();
                    gram[i][j] += noise;
                    if (i != j) {
                        gram[j][i] += noise;
                    }
                }
            }
            MinNormSolver.Result result = MinNormSolver.solve(gram, 10_000, 1e-10);
            Grams.assertKkt(gram, result.alpha(), 1e-8);
            assertTrue(Double.isFinite(result.cost()));
        }
    }

    @Test
    void nearlyDuplicatedTasksAreSolvedAccurately() {
        Random random = new Random(29);
        for (int trial = 0; trial < 100; trial++) {
            int n = 4 + random.nextInt(4);
            double[][] gradients = new double[n][5];
            for (double[] g : gradients) {
                for (int k = 0; k < 5; k++) {
                    g[k] = random.nextGaussian();
                }
            }
            for (int k = 0; k < 5; k++) {
                gradients[n - 1][k] = gradients[0][k] + 1e-9 * random.nextGaussian();
            }
            double[][] gram = Grams.of(gradients);
            double[] alpha = MinNormSolver.solve(gram);
            Grams.assertKkt(gram, alpha, 1e-8);
        }
    }

    @Test
    void slightAsymmetryFromFloatReductionIsAccepted() {
        double[][] gram = Grams.of(new double[] {1, 0.5}, new double[] {0.2, 1}, new double[] {-1, 0.3});
        gram[0][1] *= 1 + 1e-9;
        Grams.assertOnSimplex(MinNormSolver.solve(gram));
    }

    @Test
    void anIndefiniteMatrixStillGivesASimplexPoint() {
        assertArrayEquals(new double[] {1, 0}, MinNormSolver.solve(new double[][] {{1, 2}, {2, 1}}), 0.0);
        double[][] indefinite = {{1, 3, -2}, {3, 1, 0}, {-2, 0, 2}};
        MinNormSolver.Result result = MinNormSolver.solve(indefinite, 1000, 1e-12);
        Grams.assertOnSimplex(result.alpha());
        assertTrue(Double.isFinite(result.cost()));
    }

    @Test
    void invalidGramMatricesAreRejectedWithAMessageNamingTheProblem() {
        assertRejected(() -> MinNormSolver.solve(null), "null");
        assertRejected(() -> MinNormSolver.solve(new double[0][0]), "empty");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, 0}, {0}}), "not square");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, 0, 0}, {0, 1, 0}}), "not square");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, Double.NaN}, {0, 1}}), "[0][1]");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, 0}, {0, Double.POSITIVE_INFINITY}}), "[1][1]");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, 0.5}, {0.2, 1}}), "not symmetric");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{-1, 0}, {0, 1}}), "negative");
        assertRejected(() -> MinNormSolver.solve(new double[][] {{1, 0}, null}), "row 1");
    }

    @Test
    void invalidOptionsAreRejected() {
        double[][] gram = {{1, 0}, {0, 1}};
        assertRejected(() -> MinNormSolver.solve(gram, 0, 1e-10), "maxIterations");
        assertRejected(() -> MinNormSolver.solve(gram, 10, -1), "tolerance");
        assertRejected(() -> MinNormSolver.solve(gram, 10, Double.NaN), "tolerance");
    }

    private static void assertRejected(Executable call, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' should mention " + messagePart);
    }

    private static double[] times(double[] v, double factor) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] * factor;
        }
        return r;
    }
}
