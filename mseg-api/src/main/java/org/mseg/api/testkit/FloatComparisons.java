package org.mseg.api.testkit;

import java.util.Objects;

/**
 * Tolerances for tests that compare two floating-point computations of the same quantity, derived from what is
 * compared instead of tuned on one machine. Every assertion throws {@link AssertionError}, so it works with any test
 * framework.
 *
 * <h2>Why results differ between CPUs</h2>
 * TensorFlow's CPU kernels (oneDNN, or Eigen with {@code TF_ENABLE_ONEDNN_OPTS=0}) pick vector widths, blocking and
 * thread splits per CPU (SSE4.1, AVX2, AVX-512, AMX; Intel or AMD), so a reduction of {@code n} float32 terms is
 * summed in a different order, and sometimes with fused multiply-adds, on another machine. Any order satisfies the
 * classic bound (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §4.2)
 * <pre>  |fl(Σ x_i) − Σ x_i| ≤ γ_{n−1} · Σ |x_i|,   γ_k = k·u / (1 − k·u),   u = 2^−24 for float32,</pre>
 * so two machines may disagree by twice that. The bound is relative to {@code Σ|x_i|}, not to the result: where a sum
 * cancels (a gradient through batch normalisation, an entry of an update that is nearly zero) a single element may
 * differ by a large fraction of itself on another CPU while the tensor as a whole agrees to a few ulps. Element-wise
 * relative tolerances are therefore the wrong measure for tensors computed by TensorFlow: compare them in norm,
 * {@code ‖a − b‖₂ ≤ τ·‖a‖₂}, with τ from the bound above ({@link #assertCloseInNorm}).
 *
 * <h2>What stays exact</h2>
 * Java's own {@code float}/{@code double} arithmetic is strict IEEE 754 with round-to-nearest on every JVM since Java
 * 17 (JEP 306), and HotSpot does not reorder floating-point reductions, so pure-Java computations are bit-identical on
 * every x86-64 CPU. So is rerunning the same TensorFlow graph on the same machine with deterministic threading (a
 * resumed run against an uninterrupted one): the same kernels sum in the same order. Such comparisons need none of
 * this and should stay exact.
 */
public final class FloatComparisons {

    /** Unit roundoff of IEEE binary32, {@code 2^-24}: the largest relative error of one rounded operation. */
    public static final double FLOAT32_UNIT_ROUNDOFF = 0x1p-24;

    /** Unit roundoff of IEEE binary64, {@code 2^-53}. */
    public static final double FLOAT64_UNIT_ROUNDOFF = 0x1p-53;

    private FloatComparisons() {
    }

    /**
     * Higham's {@code γ_k = k·u / (1 − k·u)}: the relative error bound of {@code k} successive roundings.
     *
     * @param k              number of rounded operations, at least 0
     * @param unitRoundoff   {@link #FLOAT32_UNIT_ROUNDOFF} or {@link #FLOAT64_UNIT_ROUNDOFF}
     * @throws IllegalArgumentException if {@code k·u ≥ 1}, where the bound says nothing
     */
    public static double gamma(long k, double unitRoundoff) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be at least 0, got " + k);
        }
        double ku = k * unitRoundoff;
        if (ku >= 1) {
            throw new IllegalArgumentException(k + " roundings of " + unitRoundoff + " exceed the bound's range");
        }
        return ku / (1 - ku);
    }

    /**
     * The largest difference between two float32 computations of a sum of {@code n} terms in any two orders:
     * {@code 2·γ_{n−1}·Σ|x_i|}.
     *
     * @param n               number of terms
     * @param sumOfMagnitudes {@code Σ|x_i|} (an upper bound of it is fine)
     */
    public static double float32SumDisagreement(long n, double sumOfMagnitudes) {
        return 2 * gamma(Math.max(n - 1, 0), FLOAT32_UNIT_ROUNDOFF) * sumOfMagnitudes;
    }

    /** The Euclidean norm, accumulated in double. */
    public static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** {@code ‖a − b‖₂}, accumulated in double. */
    public static double distance(float[] a, float[] b) {
        requireSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /**
     * {@code ‖expected − actual‖₂ / ‖expected‖₂}; 0 if both are zero, infinite if only {@code expected} is.
     */
    public static double relativeDistance(float[] expected, float[] actual) {
        double d = distance(expected, actual);
        if (d == 0) {
            return 0;
        }
        double n = norm(expected);
        return n == 0 ? Double.POSITIVE_INFINITY : d / n;
    }

    /**
     * Asserts {@code ‖expected − actual‖₂ ≤ relativeTolerance·‖expected‖₂}. The message gives both norms, the ratio
     * and the element that differs most.
     *
     * @param relativeTolerance τ, derived by the caller from what is compared (see the class comment)
     * @param what              names the tensor, e.g. the variable
     */
    public static void assertCloseInNorm(float[] expected, float[] actual, double relativeTolerance, String what) {
        double r = relativeDistance(expected, actual);
        if (!(r <= relativeTolerance)) {
            throw new AssertionError(what + ": ‖expected − actual‖ / ‖expected‖ = " + r + " exceeds "
                    + relativeTolerance + " (‖expected‖ = " + norm(expected) + ", ‖expected − actual‖ = "
                    + distance(expected, actual) + "; " + worstElement(expected, actual) + ")");
        }
    }

    /**
     * Asserts {@code |expected − actual| ≤ bound}.
     *
     * @param bound an error bound derived by the caller, e.g. {@link #float32SumDisagreement}
     */
    public static void assertWithin(double expected, double actual, double bound, String what) {
        if (!(Math.abs(expected - actual) <= bound)) {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual + ", difference "
                    + Math.abs(expected - actual) + " exceeds the bound " + bound);
        }
    }

    private static String worstElement(float[] expected, float[] actual) {
        int worst = 0;
        for (int i = 1; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= Math.abs(expected[worst] - actual[worst]))) {
                worst = i;
            }
        }
        return expected.length == 0 ? "no elements"
                : "largest difference at [" + worst + "]: " + expected[worst] + " vs " + actual[worst];
    }

    private static void requireSameLength(float[] a, float[] b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
    }
}
