package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Euclidean projection onto the probability simplex. */
class ProjectToSimplexTest {

    @Test
    void pointsOfTheSimplexAreUnchanged() {
        double[] y = {0.2, 0.3, 0.5};
        assertArrayEquals(y, MinNormSolver.projectToSimplex(y), 1e-16);
        assertArrayEquals(new double[] {0, 1, 0}, MinNormSolver.projectToSimplex(new double[] {0, 1, 0}), 0.0);
    }

    @Test
    void aConstantShiftDoesNotChangeTheProjection() {
        assertArrayEquals(new double[] {0.25, 0.75}, MinNormSolver.projectToSimplex(new double[] {10.25, 10.75}), 1e-14);
        assertArrayEquals(new double[] {0.25, 0.75}, MinNormSolver.projectToSimplex(new double[] {-5.75, -5.25}), 1e-14);
    }

    @Test
    void equalEntriesProjectToTheUniformVector() {
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, MinNormSolver.projectToSimplex(new double[3]), 1e-16);
        assertArrayEquals(new double[] {0.5, 0.5}, MinNormSolver.projectToSimplex(new double[] {7, 7}), 1e-16);
    }

    @Test
    void oneDominantEntryProjectsToItsVertex() {
        assertArrayEquals(new double[] {1, 0}, MinNormSolver.projectToSimplex(new double[] {2, 0}), 0.0);
        assertArrayEquals(new double[] {1, 0, 0}, MinNormSolver.projectToSimplex(new double[] {-1, -2, -3}), 0.0);
    }

    @Test
    void smallEntriesAreClippedToZero() {
        assertArrayEquals(new double[] {0.75, 0.25, 0}, MinNormSolver.projectToSimplex(new double[] {1, 0.5, -1}), 1e-15);
    }

    @Test
    void aSingleEntryProjectsToOne() {
        assertArrayEquals(new double[] {1}, MinNormSolver.projectToSimplex(new double[] {-42}), 0.0);
    }

    @Test
    void randomProjectionsSatisfyTheVariationalInequalityAndMatchBisection() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + random.nextInt(12);
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = random.nextGaussian() * Math.pow(10, random.nextInt(4) - 1);
            }
            double[] z = MinNormSolver.projectToSimplex(y);
            Grams.assertOnSimplex(z);
            // z is the projection iff ⟨y − z, w − z⟩ ≤ 0 for every simplex point w; checking the vertices suffices.
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = y[i] - z[i];
            }
            double rz = Grams.dot(r, z);
            for (int i = 0; i < n; i++) {
                assertTrue(r[i] - rz <= 1e-12 * (1 + Math.abs(y[i])), "vertex " + i + " violates optimality");
            }
            assertArrayEquals(Grams.bisectionProjection(y), z, 1e-9);
        }
    }

    @Test
    void invalidInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MinNormSolver.projectToSimplex(null));
        assertThrows(IllegalArgumentException.class, () -> MinNormSolver.projectToSimplex(new double[0]));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> MinNormSolver.projectToSimplex(new double[] {0, Double.NaN}));
        assertTrue(nan.getMessage().contains("entry 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MinNormSolver.projectToSimplex(new double[] {Double.POSITIVE_INFINITY}));
    }
}
