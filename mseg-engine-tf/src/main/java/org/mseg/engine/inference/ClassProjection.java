package org.mseg.engine.inference;

import java.util.Arrays;
import org.mseg.taxonomy.TaxonomyMapping;

/**
 * Turns a model's logits into probabilities of the evaluation taxonomy: a softmax over the model's classes, then each
 * evaluation class receives the sum of the probabilities of the model classes mapped onto it (upstream's
 * {@code transform_predictions_test}: universal → test dataset, or naive → test dataset). Model classes mapped to
 * nothing are dropped, so the evaluation probabilities of a pixel may sum to less than 1.
 */
public final class ClassProjection {
    private final int sourceClasses;
    private final int targetClasses;
    /** Target class per source class, -1 where dropped; null for the identity. */
    private final int[] target;

    private ClassProjection(int sourceClasses, int targetClasses, int[] target) {
        this.sourceClasses = sourceClasses;
        this.targetClasses = targetClasses;
        this.target = target;
    }

    /** Probabilities in the model's own taxonomy (softmax only). */
    public static ClassProjection identity(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        return new ClassProjection(numClasses, numClasses, null);
    }

    /**
     * The projection of a taxonomy mapping whose source is the model's taxonomy (e.g.
     * {@code TaxonomyConverter.universalToTest("camvid-11")}); sources mapped to the mapping's ignore id are dropped.
     */
    public static ClassProjection of(TaxonomyMapping mapping) {
        int sources = mapping.from().numClasses();
        int[] table = mapping.table();
        int ignore = mapping.ignoreId();
        int[] target = new int[sources];
        for (int s = 0; s < sources; s++) {
            int t = s < table.length ? table[s] : ignore;
            target[s] = t == ignore ? -1 : t;
        }
        return of(target, mapping.to().numClasses());
    }

    /**
     * A projection from an explicit table.
     *
     * @param target        target class per source class, -1 to drop it
     * @param targetClasses number of target classes
     */
    public static ClassProjection of(int[] target, int targetClasses) {
        for (int s = 0; s < target.length; s++) {
            if (target[s] < -1 || target[s] >= targetClasses) {
                throw new IllegalArgumentException("source class " + s + " maps to " + target[s]
                        + ", outside 0.." + (targetClasses - 1));
            }
        }
        return new ClassProjection(target.length, targetClasses, target.clone());
    }

    /** Classes the model produces. */
    public int sourceClasses() {
        return sourceClasses;
    }

    /** Classes of the evaluation taxonomy. */
    public int targetClasses() {
        return targetClasses;
    }

    /** Whether this is the plain softmax. */
    public boolean isIdentity() {
        return target == null;
    }

    /**
     * Projects one pixel's model probabilities ({@code sourceClasses} values from {@code probabilities[offset]}) into
     * {@code out} ({@code targetClasses} values, overwritten).
     */
    public void project(float[] probabilities, int offset, float[] out) {
        if (target == null) {
            System.arraycopy(probabilities, offset, out, 0, sourceClasses);
            return;
        }
        Arrays.fill(out, 0, targetClasses, 0f);
        for (int k = 0; k < sourceClasses; k++) {
            int t = target[k];
            if (t >= 0) {
                out[t] += probabilities[offset + k];
            }
        }
    }

    /** Replaces {@code k} logits from {@code values[offset]} by their softmax (max-subtracted, single precision). */
    public static void softmaxInPlace(float[] values, int offset, int k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + k; i++) {
            max = Math.max(max, values[i]);
        }
        float sum = 0f;
        for (int i = offset; i < offset + k; i++) {
            float e = (float) Math.exp(values[i] - max);
            values[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = offset; i < offset + k; i++) {
            values[i] *= inv;
        }
    }
}
