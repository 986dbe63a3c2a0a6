package org.mseg.datasets.metrics;

/**
 * The harmonic mean MSeg uses to summarise the six zero-shot test datasets ({@code h. mean} in
 * {@code collect_results.py}, MSEG.md g.3).
 */
public final class HarmonicMean {
    private HarmonicMean() {
    }

    /**
     * {@code n / Σ 1/x_i}; 0 if any value is 0 (the limit, as {@code scipy.stats.hmean}).
     *
     * @throws IllegalArgumentException if no value is given, or a value is negative or not finite
     */
    public static double of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the harmonic mean of no values is undefined");
        }
        double reciprocalSum = 0;
        boolean zero = false;
        for (double v : values) {
            if (!Double.isFinite(v) || v < 0) {
                throw new IllegalArgumentException("harmonic mean needs finite non-negative values, got " + v);
            }
            if (v == 0) {
                zero = true;
            } else {
                reciprocalSum += 1 / v;
            }
        }
        return zero ? 0 : values.length / reciprocalSum;
    }
}
