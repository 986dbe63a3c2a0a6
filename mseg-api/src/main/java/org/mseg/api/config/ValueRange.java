package org.mseg.api.config;

import java.util.Objects;

/**
 * The numbers a configuration key allows, declared with the key in {@link ConfigSchema}. Every range also requires a
 * finite value: YAML's {@code .nan} and {@code .inf} are numbers to SnakeYAML, but no key of MSeg means anything
 * with them. For list-valued keys ({@code scales}, {@code train_gpu}) every element must be in the range.
 *
 * @param min          the lower bound ({@link Double#NEGATIVE_INFINITY} for none)
 * @param minInclusive whether {@code min} itself is allowed
 * @param max          the upper bound ({@link Double#POSITIVE_INFINITY} for none)
 * @param maxInclusive whether {@code max} itself is allowed
 * @param description  what messages say is allowed, e.g. {@code a finite number > 0}
 */
public record ValueRange(double min, boolean minInclusive, double max, boolean maxInclusive, String description) {

    /** Checks the description. */
    public ValueRange {
        Objects.requireNonNull(description, "description");
    }

    /** Any finite number. */
    public static ValueRange finite() {
        return new ValueRange(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY, false, "a finite number");
    }

    /** {@code > 0} and finite. */
    public static ValueRange positive() {
        return new ValueRange(0, false, Double.POSITIVE_INFINITY, false, "a finite number > 0");
    }

    /** {@code >= 0} and finite. */
    public static ValueRange nonNegative() {
        return new ValueRange(0, true, Double.POSITIVE_INFINITY, false, "a finite number >= 0");
    }

    /** {@code [0, 1)}: a fraction that must stay below one (SGD momentum). */
    public static ValueRange fractionBelowOne() {
        return new ValueRange(0, true, 1, false, "a number in [0, 1)");
    }

    /** {@code >= min}. */
    public static ValueRange atLeast(double min) {
        return new ValueRange(min, true, Double.POSITIVE_INFINITY, false, "a number >= " + format(min));
    }

    /** {@code [min, max]}. */
    public static ValueRange between(double min, double max) {
        return new ValueRange(min, true, max, true, "a number in [" + format(min) + ", " + format(max) + "]");
    }

    /** Whether a number is finite and within the bounds. */
    public boolean contains(Number n) {
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            return false;
        }
        boolean aboveMin = minInclusive ? v >= min : v > min;
        boolean belowMax = maxInclusive ? v <= max : v < max;
        return aboveMin && belowMax;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
