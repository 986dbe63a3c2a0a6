package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

/** Test fixtures: Gram matrices from explicit or random gradients, and checks independent of the solver. */
final class Grams {

    private Grams() {}

    /** {@code G[i][j] = ⟨g_i, g_j⟩} for explicit gradient vectors. */
    static double[][] of(double[]... gradients) {
        int n = gradients.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] = dot(gradients[i], gradients[j]);
            }
        }
        return g;
    }

    /** Gradients as the columns of a random Gaussian {@code rank × n} matrix A; returns {@code AᵀA}. */
    static double[][] random(Random random, int n, int rank) {
        double[][] columns = new double[n][rank];
        for (double[] column : columns) {
            for (int k = 0; k < rank; k++) {
                column[k] = random.nextGaussian();
            }
        }
        return of(columns);
    }

    static double[][] scaled(double[][] g, double factor) {
        double[][] s = new double[g.length][];
        for (int i = 0; i < g.length; i++) {
            s[i] = Arrays.stream(g[i]).map(v -> v * factor).toArray();
        }
        return s;
    }

    static double maxAbs(double[][] g) {
        return Arrays.stream(g).flatMapToDouble(Arrays::stream).map(Math::abs).max().orElse(0.0);
    }

    static double dot(double[] a, double[] b) {
        double s = 0.0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] times(double[][] g, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = dot(g[i], x);
        }
        return y;
    }

    /** {@code αᵀGα}. */
    static double cost(double[][] g, double[] alpha) {
        return dot(alpha, times(g, alpha));
    }

    static void assertOnSimplex(double[] alpha) {
        double sum = 0.0;
        for (double a : alpha) {
            assertTrue(Double.isFinite(a) && a >= 0.0, () -> "negative or non-finite weight in " + Arrays.toString(alpha));
            sum += a;
        }
        assertEquals(1.0, sum, 1e-12, () -> "weights do not sum to 1: " + Arrays.toString(alpha));
    }

    /**
     * KKT conditions of min αᵀGα on the simplex, with {@code tol} relative to max |G_ij|: α feasible,
     * {@code (Gα)_t ≥ αᵀGα − tol} for every task, with equality (±tol) where {@code α_t > tol}.
     */
    static void assertKkt(double[][] g, double[] alpha, double relativeTolerance) {
        assertOnSimplex(alpha);
        double scale = Math.max(maxAbs(g), Double.MIN_NORMAL);
        double tol = relativeTolerance * scale;
        double[] ga = times(g, alpha);
        double lambda = dot(alpha, ga);
        for (int t = 0; t < alpha.length; t++) {
            int task = t;
            assertTrue(ga[t] >= lambda - tol, () -> "task " + task + " could still lower the norm: (Gα)_t = " + ga[task]
                    + " < αᵀGα = " + lambda + " for α = " + Arrays.toString(alpha));
            if (alpha[t] > relativeTolerance) {
                assertEquals(lambda, ga[t], tol, () -> "support task " + task + " is not balanced, α = "
                        + Arrays.toString(alpha));
            }
        }
    }

    /**
     * Independent reference: accelerated projected gradient (FISTA with restarts) from the uniform point, with its
     * own bisection-based simplex projection. Returns the weights.
     */
    static double[] referenceSolve(double[][] g, int iterations) {
        int n = g.length;
        double frobenius = Math.sqrt(Arrays.stream(g).flatMapToDouble(Arrays::stream).map(v -> v * v).sum());
        double lipschitz = 2.0 * Math.max(frobenius, 1e-300);
        double[] x = new double[n];
        Arrays.fill(x, 1.0 / n);
        double[] y = x.clone();
        double t = 1.0;
        double previousCost = cost(g, x);
        for (int it = 0; it < iterations; it++) {
            double[] grad = times(g, y);
            double[] step = new double[n];
            for (int i = 0; i < n; i++) {
                step[i] = y[i] - 2.0 * grad[i] / lipschitz;
            }
            double[] next = bisectionProjection(step);
            double nextCost = cost(g, next);
            double tNext = (1.0 + Math.sqrt(1.0 + 4.0 * t * t)) / 2.0;
            if (nextCost > previousCost) { // adaptive restart keeps it monotone
                tNext = 1.0;
                y = x.clone();
                t = 1.0;
                continue;
            }
            for (int i = 0; i < n; i++) {
                y[i] = next[i] + (t - 1.0) / tNext * (next[i] - x[i]);
            }
            x = next;
            t = tNext;
            previousCost = nextCost;
        }
        return x;
    }

    /** Projection onto the simplex by bisection on τ in Σ max(v − τ, 0) = 1. */
    static double[] bisectionProjection(double[] v) {
        double lo = Arrays.stream(v).min().orElseThrow() - 1.0;
        double hi = Arrays.stream(v).max().orElseThrow();
        for (int i = 0; i < 100; i++) {
            double mid = 0.5 * (lo + hi);
            double s = 0.0;
            for (double value : v) {
                s += Math.max(value - mid, 0.0);
            }
            if (s > 1.0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double tau = 0.5 * (lo + hi);
        double[] z = new double[v.length];
        double sum = 0.0;
        for (int i = 0; i < v.length; i++) {
            z[i] = Math.max(v[i] - tau, 0.0);
            sum += z[i];
        }
        for (int i = 0; i < v.length; i++) {
            z[i] /= sum;
        }
        return z;
    }
}
