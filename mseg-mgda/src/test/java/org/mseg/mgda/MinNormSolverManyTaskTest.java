package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Three or more tasks: the exact minimum, checked against independent methods and the KKT conditions. */
class MinNormSolverManyTaskTest {

    @Test
    void gradientsSurroundingTheOriginCancelWithUniformWeights() {
        double s = Math.sqrt(3) / 2;
        double[][] gram = Grams.of(new double[] {1, 0}, new double[] {-0.5, s}, new double[] {-0.5, -s});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, result.alpha(), 1e-14);
        assertEquals(0.0, result.cost(), 1e-15);
        assertTrue(result.converged());
    }

    @Test
    void orthogonalGradientsAreWeightedByInverseSquaredNorms() {
        double[] norms = {1, 2, 3, 4, 5};
        double[][] gram = new double[5][5];
        double inverseSum = 0;
        for (int t = 0; t < 5; t++) {
            gram[t][t] = norms[t] * norms[t];
            inverseSum += 1 / gram[t][t];
        }
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        for (int t = 0; t < 5; t++) {
            assertEquals(1 / gram[t][t] / inverseSum, result.alpha()[t], 1e-15);
        }
        assertEquals(1 / inverseSum, result.cost(), 1e-15);
    }

    @Test
    void aTaskThatIsNotNeededGetsExactlyZeroWeight() {
        // g2 points away from the others: the minimum uses g0 and g1 only.
        double[][] gram = Grams.of(new double[] {1, 0}, new double[] {0, 1}, new double[] {5, 5});
        double[] alpha = MinNormSolver.solve(gram);
        assertArrayEquals(new double[] {0.5, 0.5, 0.0}, alpha, 1e-15);
    }

    @Test
    void threeTasksMatchADenseGridSearchOverTheSimplex() {
        Random random = new Random(3);
        int steps = 2500;
        for (int trial = 0; trial < 16; trial++) {
            double[][] gram = Grams.random(random, 3, 1 + trial % 3);
            double[][] unit = Grams.scaled(gram, 1 / Grams.maxAbs(gram));
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i <= steps; i++) {
                for (int j = 0; i + j <= steps; j++) {
                    double a = (double) i / steps;
                    double b = (double) j / steps;
                    double c = 1 - a - b;
                    double cost = a * a * unit[0][0] + b * b * unit[1][1] + c * c * unit[2][2]
                            + 2 * (a * b * unit[0][1] + a * c * unit[0][2] + b * c * unit[1][2]);
                    best = Math.min(best, cost);
                }
            }
            MinNormSolver.Result result = MinNormSolver.solve(unit, 1000, 1e-12);
            assertTrue(result.cost() <= best + 1e-12, "solver worse than a grid point in trial " + trial);
            assertEquals(best, result.cost(), 1e-6, "trial " + trial);
        }
    }

    @Test
    void sevenTasksMatchAnIndependentAcceleratedProjectedGradient() {
        Random random = new Random(7);
        for (int trial = 0; trial < 42; trial++) {
            int rank = 1 + trial % 7;
            double[][] gram = Grams.random(random, 7, rank);
            double scale = Grams.maxAbs(gram);
            MinNormSolver.Result result = MinNormSolver.solve(gram, 1000, 1e-12);
            double reference = Grams.cost(gram, Grams.referenceSolve(gram, 15_000));
            assertTrue(result.converged(), "trial " + trial);
            assertTrue(result.cost() <= reference + 1e-12 * scale, "solver worse than reference in trial " + trial);
            assertEquals(reference, result.cost(), 1e-6 * scale, "trial " + trial + " rank " + rank);
            assertEquals(Grams.cost(gram, result.alpha()), result.cost(), 1e-12 * scale);
        }
    }

    @Test
    void kktConditionsHoldOnRandomGramMatricesOfEveryRank() {
        Random random = new Random(20_180);
        for (int trial = 0; trial < 500; trial++) {
            int n = 2 + trial % 9;
            int rank = 1 + random.nextInt(n);
            double magnitude = Math.pow(10, random.nextInt(13) - 6);
            double[][] gram = Grams.scaled(Grams.random(random, n, rank), magnitude);
            MinNormSolver.Result result = MinNormSolver.solve(gram, MinNormSolver.DEFAULT_MAX_ITERATIONS,
                    MinNormSolver.DEFAULT_TOLERANCE);
            String context = "trial " + trial + " n=" + n + " rank=" + rank;
            assertTrue(result.converged(), context);
            Grams.assertKkt(gram, result.alpha(), 1e-8);
            assertEquals(Grams.cost(gram, result.alpha()), result.cost(), 1e-12 * Grams.maxAbs(gram), context);
        }
    }

    @Test
    void manyTasksAreSolvedExactlyToo() {
        Random random = new Random(99);
        for (int trial = 0; trial < 20; trial++) {
            int n = 20 + random.nextInt(30);
            double[][] gram = Grams.random(random, n, 1 + random.nextInt(n + 10));
            MinNormSolver.Result result = MinNormSolver.solve(gram, 10_000, 1e-12);
            assertTrue(result.converged(), "trial " + trial);
            Grams.assertKkt(gram, result.alpha(), 1e-9);
        }
    }

    @Test
    void theIterativePolishAloneReachesTheSameMinimum() {
        Random random = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int n = 3 + trial % 6;
            double[][] gram = Grams.random(random, n, n);
            double[][] unit = Grams.scaled(gram, 1 / Grams.maxAbs(gram));
            double[] alpha = new double[n];
            Arrays.fill(alpha, 1.0 / n);
            int iterations = MinNormSolver.polish(unit, alpha, 50_000, 1e-10);
            assertTrue(iterations < 50_000, "polish hit its cap in trial " + trial);
            Grams.assertKkt(unit, alpha, 1e-8);
            assertEquals(MinNormSolver.solve(unit, 1000, 1e-12).cost(), Grams.cost(unit, alpha), 1e-9);
        }
    }

    @Test
    void theIterationCapIsEnforced() {
        double[][] gram = Grams.random(new Random(1), 7, 7);
        MinNormSolver.Result capped = MinNormSolver.solve(gram, 1, 1e-12);
        assertEquals(1, capped.iterations());
        Grams.assertOnSimplex(capped.alpha());
        MinNormSolver.Result full = MinNormSolver.solve(gram, 1000, 1e-12);
        assertTrue(full.converged());
        assertTrue(full.iterations() > 1);
        assertTrue(full.cost() <= capped.cost());
    }

    @Test
    void aZeroToleranceStillTerminates() {
        double[][] gram = Grams.random(new Random(2), 6, 3);
        MinNormSolver.Result result = MinNormSolver.solve(gram, 500, 0.0);
        assertTrue(result.iterations() <= 500);
        Grams.assertKkt(gram, result.alpha(), 1e-10);
    }

    @Test
    void theConvenienceOverloadUsesTheDefaults() {
        double[][] gram = Grams.random(new Random(4), 5, 4);
        assertArrayEquals(MinNormSolver.solve(gram, MinNormSolver.DEFAULT_MAX_ITERATIONS,
                MinNormSolver.DEFAULT_TOLERANCE).alpha(), MinNormSolver.solve(gram), 0.0);
    }

    @Test
    void weightsAreInvariantToTheGramScale() {
        double[][] gram = Grams.random(new Random(8), 6, 6);
        double[] reference = MinNormSolver.solve(gram);
        for (double factor : new double[] {1e-40, 1e-8, 1e8, 1e40}) {
            assertArrayEquals(reference, MinNormSolver.solve(Grams.scaled(gram, factor)), 1e-9);
        }
    }

    @Test
    void permutingTheTasksPermutesTheWeights() {
        Random random = new Random(6);
        double[][] gram = Grams.random(random, 6, 6);
        int[] permutation = {3, 0, 5, 1, 4, 2};
        double[][] permuted = new double[6][6];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                permuted[i][j] = gram[permutation[i]][permutation[j]];
            }
        }
        double[] alpha = MinNormSolver.solve(gram);
        double[] permutedAlpha = MinNormSolver.solve(permuted);
        for (int i = 0; i < 6; i++) {
            assertEquals(alpha[permutation[i]], permutedAlpha[i], 1e-9);
        }
    }

    @Test
    void theResultIsImmutable() {
        MinNormSolver.Result result = MinNormSolver.solve(Grams.random(new Random(9), 4, 4), 100, 1e-12);
        double[] copy = result.alpha();
        copy[0] = 42;
        assertTrue(result.alpha()[0] != 42);
        assertEquals(result, new MinNormSolver.Result(result.alpha(), result.cost(), result.iterations(),
                result.converged()));
    }
}
