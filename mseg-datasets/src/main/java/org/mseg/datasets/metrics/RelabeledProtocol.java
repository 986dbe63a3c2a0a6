package org.mseg.datasets.metrics;

import java.util.Objects;

/**
 * MSeg's relabeled evaluation protocol (MSEG.md g.6, {@code relabeled_eval_utils.py}): a model trained on relabeled
 * data is scored against the <em>unrelabeled</em> ground truth, so that its number is comparable with unrelabeled
 * baselines. Where relabeling changed a pixel, a prediction equal to the relabeled class is rewarded (replaced by
 * the unrelabeled class) and any other prediction is penalised (set to 255, which counts towards the GT class's union
 * but never its intersection). Pixels whose relabeled GT is 255 become ignore.
 */
public final class RelabeledProtocol {
    private static final byte IGNORE = (byte) 255;

    private RelabeledProtocol() {
    }

    /**
     * The label maps to score, both in universal ids.
     *
     * @param prediction the rewarded / penalised prediction
     * @param target     the unrelabeled GT {@code U}, with 255 where the relabeled GT is 255
     */
    public record Result(byte[] prediction, byte[] target) {
        public Result {
            Objects.requireNonNull(prediction, "prediction");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Applies the protocol to one image; the inputs are not modified.
     *
     * @param prediction             the model's prediction, universal ids
     * @param unrelabeledUniversalGt unrelabeled GT mapped to universal ids ({@code U})
     * @param relabeledUniversalGt   relabeled GT mapped to universal ids ({@code R})
     * @return the modified prediction and {@code U}, to feed {@link IouAccumulator#add} (as 8-bit
     *         {@link org.mseg.datasets.LabelBuffer}s)
     * @throws IllegalArgumentException if the lengths differ
     */
    public static Result apply(byte[] prediction, byte[] unrelabeledUniversalGt, byte[] relabeledUniversalGt) {
        int n = prediction.length;
        if (unrelabeledUniversalGt.length != n || relabeledUniversalGt.length != n) {
            throw new IllegalArgumentException("label maps differ in size: prediction " + n + ", unrelabeled GT "
                    + unrelabeledUniversalGt.length + ", relabeled GT " + relabeledUniversalGt.length);
        }
        byte[] pred = prediction.clone();
        byte[] target = unrelabeledUniversalGt.clone();
        for (int i = 0; i < n; i++) {
            byte r = relabeledUniversalGt[i];
            if (r != target[i]) {
                pred[i] = prediction[i] == r ? target[i] : IGNORE;
            }
            if (r == IGNORE) {
                target[i] = IGNORE;
            }
        }
        return new Result(pred, target);
    }
}
