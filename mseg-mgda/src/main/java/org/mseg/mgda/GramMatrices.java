package org.mseg.mgda;

import java.util.Locale;

/** Validation and small dense helpers for Gram matrices, shared by the solver and the normalisations. */
final class GramMatrices {

    /**
     * Largest accepted asymmetry |G[i][j] − G[j][i]| and negative diagonal, relative to max |G|. Generous enough for
     * Gram matrices reduced in float32 (≈66M-element dot products), tight enough to catch a matrix that is not a
     * Gram matrix at all.
     */
    static final double RELATIVE_INPUT_TOLERANCE = 1e-6;

    private GramMatrices() {}

    /**
     * Checks that {@code gram} is a non-empty, square, finite, symmetric (up to {@link #RELATIVE_INPUT_TOLERANCE})
     * matrix with a non-negative diagonal, and returns its symmetric part {@code (G + Gᵀ)/2} as a fresh copy.
     *
     * @throws IllegalArgumentException naming the offending row or entry
     */
    static double[][] validatedSymmetricCopy(double[][] gram) {
        if (gram == null) {
            throw new IllegalArgumentException("Gram matrix is null");
        }
        int n = gram.length;
        if (n == 0) {
            throw new IllegalArgumentException("Gram matrix is empty: it needs one row per task (at least one task)");
        }
        double maxAbs = 0.0;
        for (int i = 0; i < n; i++) {
            double[] row = gram[i];
            if (row == null) {
                throw new IllegalArgumentException("Gram matrix row " + i + " is null");
            }
            if (row.length != n) {
                throw new IllegalArgumentException("Gram matrix is not square: row " + i + " has " + row.length
                        + " entries but there are " + n + " rows");
            }
            for (int j = 0; j < n; j++) {
                double v = row[j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("Gram matrix entry [" + i + "][" + j + "] is " + v
                            + "; all entries must be finite (a NaN/infinite loss or gradient upstream?)");
                }
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        double allowed = RELATIVE_INPUT_TOLERANCE * maxAbs;
        double[][] sym = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (gram[i][i] < -allowed) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "Gram matrix diagonal entry [%d][%d] = %s is negative; a Gram matrix holds squared gradient"
                                + " norms on its diagonal", i, i, gram[i][i]));
            }
            sym[i][i] = gram[i][i];
            for (int j = i + 1; j < n; j++) {
                double a = gram[i][j];
                double b = gram[j][i];
                if (Math.abs(a - b) > allowed) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "Gram matrix is not symmetric: entry [%d][%d] = %s but [%d][%d] = %s (difference %.3g"
                                    + " exceeds %.1g relative to the largest entry %s)",
                            i, j, a, j, i, b, Math.abs(a - b), RELATIVE_INPUT_TOLERANCE, maxAbs));
                }
                double s = 0.5 * a + 0.5 * b;
                sym[i][j] = s;
                sym[j][i] = s;
            }
        }
        return sym;
    }

    /** Largest absolute entry; 0 for the zero matrix. */
    static double maxAbs(double[][] m) {
        double max = 0.0;
        for (double[] row : m) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /** {@code m · x} for a square {@code m}. */
    static double[] multiply(double[][] m, double[] x) {
        int n = x.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            double[] row = m[i];
            for (int j = 0; j < n; j++) {
                s += row[j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    /** Euclidean dot product. */
    static double dot(double[] a, double[] b) {
        double s = 0.0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
