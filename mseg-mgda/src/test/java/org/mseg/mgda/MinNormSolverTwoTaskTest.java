package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** One and two tasks: the exact closed form, including both boundaries (true vertices, not MSeg's 0.999/0.001). */
class MinNormSolverTwoTaskTest {

    @Test
    void singleTaskGetsAllTheWeight() {
        MinNormSolver.Result result = MinNormSolver.solve(new double[][] {{4.0}}, 10, 1e-12);
        assertArrayEquals(new double[] {1.0}, result.alpha());
        assertEquals(4.0, result.cost());
        assertTrue(result.converged());
    }

    @Test
    void orthogonalGradientsAreWeightedByInverseSquaredNorms() {
        double[][] gram = Grams.of(new double[] {3, 0}, new double[] {0, 4});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        // α ∝ (1/9, 1/16) = (16/25, 9/25); min norm² = 1 / (1/9 + 1/16) = 144/25
        assertArrayEquals(new double[] {16.0 / 25, 9.0 / 25}, result.alpha(), 1e-15);
        assertEquals(144.0 / 25, result.cost(), 1e-13);
        assertTrue(result.converged());
        assertEquals(0, result.iterations());
    }

    @Test
    void colinearGradientsInTheSameDirectionPickTheShorterOneExactly() {
        double[][] gram = Grams.of(new double[] {1, 1}, new double[] {3, 3});
        assertArrayEquals(new double[] {1.0, 0.0}, MinNormSolver.solve(gram), 0.0);
        double[][] swapped = Grams.of(new double[] {3, 3}, new double[] {1, 1});
        assertArrayEquals(new double[] {0.0, 1.0}, MinNormSolver.solve(swapped), 0.0);
    }

    @Test
    void oppositeGradientsCancelToZeroCost() {
        double[][] gram = Grams.of(new double[] {2, 0}, new double[] {-1, 0});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3}, result.alpha(), 1e-15);
        assertEquals(0.0, result.cost(), 1e-15);
    }

    @Test
    void firstBoundaryG01AtLeastG00GivesTheTrueVertexOneZero() {
        // MSeg returns (0.999, 0.001) here; the minimum is the vertex itself.
        double[][] equality = Grams.of(new double[] {1, 0}, new double[] {1, 1}); // G01 = G00 = 1
        assertArrayEquals(new double[] {1.0, 0.0}, MinNormSolver.solve(equality), 0.0);
        double[][] strict = Grams.of(new double[] {1, 0}, new double[] {2, 1}); // G01 = 2 > G00 = 1
        MinNormSolver.Result result = MinNormSolver.solve(strict, 100, 1e-12);
        assertArrayEquals(new double[] {1.0, 0.0}, result.alpha(), 0.0);
        assertEquals(1.0, result.cost(), 0.0);
    }

    @Test
    void secondBoundaryG01AtLeastG11GivesTheTrueVertexZeroOne() {
        double[][] equality = Grams.of(new double[] {1, 1}, new double[] {1, 0}); // G01 = G11 = 1
        assertArrayEquals(new double[] {0.0, 1.0}, MinNormSolver.solve(equality), 0.0);
        double[][] strict = Grams.of(new double[] {2, 1}, new double[] {1, 0});
        assertArrayEquals(new double[] {0.0, 1.0}, MinNormSolver.solve(strict), 0.0);
    }

    @Test
    void interiorSolutionMatchesTheClosedForm() {
        double[][] gram = {{5.0, 1.0}, {1.0, 2.0}};
        double gamma = (2.0 - 1.0) / (5.0 + 2.0 - 2.0 * 1.0);
        assertArrayEquals(new double[] {gamma, 1 - gamma}, MinNormSolver.solve(gram), 1e-15);
    }

    @Test
    void equalGradientsShareTheWeightEqually() {
        // The objective is flat along the segment; we define the answer as the uniform vector.
        double[][] gram = Grams.of(new double[] {1, 2, 3}, new double[] {1, 2, 3});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, result.alpha(), 0.0);
        assertEquals(14.0, result.cost(), 1e-12);
    }

    @Test
    void equalNormsInDifferentDirectionsAreWeightedEqually() {
        double[][] gram = Grams.of(new double[] {1, 0}, new double[] {0.6, 0.8});
        assertArrayEquals(new double[] {0.5, 0.5}, MinNormSolver.solve(gram), 1e-15);
    }

    @Test
    void twoZeroGradientsGiveTheUniformVector() {
        assertArrayEquals(new double[] {0.5, 0.5}, MinNormSolver.solve(new double[2][2]), 0.0);
    }

    @Test
    void aZeroGradientTakesAllTheWeight() {
        double[][] gram = Grams.of(new double[] {1, 2}, new double[] {0, 0});
        MinNormSolver.Result result = MinNormSolver.solve(gram, 100, 1e-12);
        assertArrayEquals(new double[] {0.0, 1.0}, result.alpha(), 0.0);
        assertEquals(0.0, result.cost(), 0.0);
    }

    @Test
    void closedFormIsInvariantToTheGramScale() {
        double[][] gram = {{5.0, 1.0}, {1.0, 2.0}};
        double[] reference = MinNormSolver.solve(gram);
        for (double factor : new double[] {1e-30, 1e-6, 1e6, 1e30}) {
            assertArrayEquals(reference, MinNormSolver.solve(Grams.scaled(gram, factor)), 1e-15);
        }
    }
}
