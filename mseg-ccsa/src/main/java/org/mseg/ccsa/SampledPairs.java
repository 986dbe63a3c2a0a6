package org.mseg.ccsa;

import java.util.Arrays;
import java.util.Objects;

/**
 * The pairs {@link PairSampler} drew for one batch: flat indices into the {@code [n, h', w']} embedding grid (index
 * {@code (example·h' + row)·w' + column}) for both sides of each pair, and the pair labels {@code y} (1 = positive,
 * same class; 0 = negative, different class). Positives come first, then negatives.
 *
 * <p>Arrays are copied on the way in and out, so an instance cannot change after construction; equality compares
 * their contents.
 *
 * @param sideA flat grid index of each pair's first location
 * @param sideB flat grid index of each pair's second location
 * @param labels 1 for a positive pair, 0 for a negative pair
 * @param numPositive how many leading pairs are positive
 * @param numNegative how many trailing pairs are negative
 * @param outcome whether the requested counts were reached, and if not why
 * @param draws candidate pairs drawn to obtain these
 */
public record SampledPairs(int[] sideA, int[] sideB, float[] labels, int numPositive, int numNegative,
        Outcome outcome, long draws) {

    /** Why sampling stopped. */
    public enum Outcome {
        /** Exactly the requested numbers of positive and negative pairs were drawn. */
        COMPLETE,
        /**
         * Fewer than two domains of the batch have a non-ignored location, so no cross-domain pair exists; no pairs
         * are returned and nothing was drawn.
         */
        TOO_FEW_DOMAINS,
        /**
         * The draw budget ran out before both counts were reached (e.g. the batch has a single class, so no negative
         * exists, or almost every location is ignored); the pairs found so far are returned.
         */
        DRAW_LIMIT
    }

    /**
     * Checks and copies the arrays.
     *
     * @throws IllegalArgumentException if the arrays differ in length from {@code numPositive + numNegative} or the
     *     labels are not 1 for the first {@code numPositive} pairs and 0 for the rest
     */
    public SampledPairs {
        Objects.requireNonNull(outcome, "outcome");
        int total = numPositive + numNegative;
        if (numPositive < 0 || numNegative < 0 || sideA.length != total || sideB.length != total
                || labels.length != total) {
            throw new IllegalArgumentException("inconsistent pair counts: " + numPositive + " positive, "
                    + numNegative + " negative, arrays of " + sideA.length + "/" + sideB.length + "/"
                    + labels.length);
        }
        for (int i = 0; i < total; i++) {
            if (labels[i] != (i < numPositive ? 1f : 0f)) {
                throw new IllegalArgumentException("pair " + i + " has label " + labels[i]
                        + "; positives (1) must precede negatives (0)");
            }
        }
        sideA = sideA.clone();
        sideB = sideB.clone();
        labels = labels.clone();
    }

    /** An empty result with the given outcome. */
    static SampledPairs none(Outcome outcome, long draws) {
        return new SampledPairs(new int[0], new int[0], new float[0], 0, 0, outcome, draws);
    }

    /** Number of pairs, positive and negative. */
    public int size() {
        return numPositive + numNegative;
    }

    /** Whether the requested numbers were reached ({@link Outcome#COMPLETE}). */
    public boolean complete() {
        return outcome == Outcome.COMPLETE;
    }

    /** A copy of the first side's flat grid indices. */
    @Override
    public int[] sideA() {
        return sideA.clone();
    }

    /** A copy of the second side's flat grid indices. */
    @Override
    public int[] sideB() {
        return sideB.clone();
    }

    /** A copy of the pair labels (1 positive, 0 negative). */
    @Override
    public float[] labels() {
        return labels.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SampledPairs o && numPositive == o.numPositive && numNegative == o.numNegative
                && outcome == o.outcome && draws == o.draws && Arrays.equals(sideA, o.sideA)
                && Arrays.equals(sideB, o.sideB) && Arrays.equals(labels, o.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(numPositive, numNegative, outcome, draws, Arrays.hashCode(sideA), Arrays.hashCode(sideB));
    }

    @Override
    public String toString() {
        return "SampledPairs[" + numPositive + " positive, " + numNegative + " negative, " + outcome + ", " + draws
                + " draws]";
    }
}
