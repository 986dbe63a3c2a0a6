package org.mseg.engine;

/**
 * MSeg's poly learning rate: step {@code i} (0-based, i.e. {@code i} steps already done) trains with
 * {@code baseLr · (1 − i / maxIters)^power}. The first step uses {@code baseLr}; at and beyond {@code maxIters} the
 * rate is 0 (upstream's formula is undefined there).
 *
 * @param baseLr   initial rate
 * @param maxIters total number of steps, positive
 * @param power    exponent (0.9 in MSeg)
 */
public record PolyLrSchedule(double baseLr, long maxIters, double power) {

    /** Validates. */
    public PolyLrSchedule {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("base_lr must be finite and >= 0, was " + baseLr);
        }
        if (maxIters < 1) {
            throw new IllegalArgumentException("max_iters must be positive, was " + maxIters);
        }
    }

    /** The rate of the step that follows {@code completedSteps} completed steps. */
    public double rate(long completedSteps) {
        if (completedSteps >= maxIters) {
            return 0;
        }
        return baseLr * Math.pow(1.0 - (double) Math.max(0, completedSteps) / maxIters, power);
    }
}
