package org.mseg.datasets.metrics;

import java.util.Objects;

/**
 * A {@code K×K} confusion matrix of pixel counts: row = ground-truth class, column = predicted class. Pixels whose
 * target is 255 (ignore) or {@code >= K}, and pixels whose prediction is {@code >= K} (e.g. the relabeled protocol's
 * 255 penalty), are not counted.
 *
 * <p>Thread-safe in the same way as {@link IouAccumulator}: per-call counts are folded in under this object's lock.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final long[] counts;

    /**
     * @param numClasses number of classes {@code K}, 1..255
     * @throws IllegalArgumentException if {@code numClasses} is outside 1..255
     */
    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1 || numClasses > 255) {
            throw new IllegalArgumentException("8-bit label maps allow 1..255 classes (255 is ignore), got "
                    + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[numClasses * numClasses];
    }

    /** The number of classes {@code K}. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Adds one label-map pair (uint8 ids, same length).
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public void add(byte[] prediction, byte[] target) {
        Objects.requireNonNull(prediction, "prediction");
        Objects.requireNonNull(target, "target");
        if (prediction.length != target.length) {
            throw new IllegalArgumentException("prediction has " + prediction.length + " pixels but target has "
                    + target.length);
        }
        add(prediction, target, 0, prediction.length);
    }

    /**
     * Adds {@code length} pixels starting at {@code offset} in both arrays.
     *
     * @throws IndexOutOfBoundsException if the range does not fit either array
     */
    public void add(byte[] prediction, byte[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, prediction.length);
        Objects.checkFromIndexSize(offset, length, target.length);
        int[] local = new int[256 * 256];
        for (int i = offset, end = offset + length; i < end; i++) {
            local[(target[i] & 0xff) << 8 | (prediction[i] & 0xff)]++;
        }
        synchronized (this) {
            for (int t = 0; t < numClasses; t++) {
                for (int p = 0; p < numClasses; p++) {
                    counts[t * numClasses + p] += local[t << 8 | p];
                }
            }
        }
    }

    /**
     * Adds another matrix's counts.
     *
     * @throws IllegalArgumentException if the class counts differ
     */
    public void merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge " + other.numClasses + " classes into " + numClasses);
        }
        long[] c;
        synchronized (other) {
            c = other.counts.clone();
        }
        synchronized (this) {
            for (int i = 0; i < c.length; i++) {
                counts[i] += c[i];
            }
        }
    }

    /** Pixels of ground-truth class {@code target} predicted as {@code predicted}. */
    public synchronized long count(int target, int predicted) {
        return counts[Objects.checkIndex(target, numClasses) * numClasses + Objects.checkIndex(predicted, numClasses)];
    }

    /** The counts as a new {@code [target][predicted]} array. */
    public synchronized long[][] counts() {
        long[][] m = new long[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            System.arraycopy(counts, t * numClasses, m[t], 0, numClasses);
        }
        return m;
    }

    /** Per-class ground-truth pixel counts (row sums). */
    public synchronized long[] targetTotals() {
        long[] s = new long[numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                s[t] += counts[t * numClasses + p];
            }
        }
        return s;
    }

    /** Per-class predicted pixel counts (column sums). */
    public synchronized long[] predictedTotals() {
        long[] s = new long[numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                s[p] += counts[t * numClasses + p];
            }
        }
        return s;
    }

    /**
     * Row-normalised matrix: {@code [t][p] = count(t, p) / Σ_p count(t, p)}, i.e. the fraction of class {@code t}'s
     * pixels predicted as {@code p}; a row without pixels is all zeros.
     */
    public double[][] rowNormalized() {
        long[][] m = counts();
        double[][] n = new double[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            long sum = 0;
            for (long c : m[t]) {
                sum += c;
            }
            if (sum == 0) {
                continue;
            }
            for (int p = 0; p < numClasses; p++) {
                n[t][p] = (double) m[t][p] / sum;
            }
        }
        return n;
    }
}
