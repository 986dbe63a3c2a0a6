package org.mseg.datasets.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The result of scoring a dataset (MSEG.md g.4). Arrays are copied on the way in and out.
 *
 * @param iou      per-class IoU {@code inter / (union + 1e-10)}, for all K classes (excluded ones too)
 * @param accuracy per-class accuracy {@code inter / (target + 1e-10)}, for all K classes
 * @param mIoU     mean IoU over the non-excluded classes
 * @param mAcc     mean accuracy over the non-excluded classes
 * @param allAcc   pixel accuracy {@code Σ inter / (Σ target + 1e-10)} over all classes
 * @param excluded class ids left out of the means, sorted
 */
public record SegmentationMetrics(double[] iou, double[] accuracy, double mIoU, double mAcc, double allAcc,
        Set<Integer> excluded) {

    public SegmentationMetrics {
        Objects.requireNonNull(iou, "iou");
        Objects.requireNonNull(accuracy, "accuracy");
        if (iou.length != accuracy.length) {
            throw new IllegalArgumentException("iou has " + iou.length + " classes but accuracy " + accuracy.length);
        }
        iou = iou.clone();
        accuracy = accuracy.clone();
        excluded = Collections.unmodifiableSortedSet(new TreeSet<>(excluded));
    }

    /** Per-class IoU (a copy). */
    @Override
    public double[] iou() {
        return iou.clone();
    }

    /** Per-class accuracy (a copy). */
    @Override
    public double[] accuracy() {
        return accuracy.clone();
    }

    /** Number of classes K. */
    public int numClasses() {
        return iou.length;
    }

    /** IoU of one class. */
    public double iou(int classId) {
        return iou[classId];
    }

    /** Accuracy of one class. */
    public double accuracy(int classId) {
        return accuracy[classId];
    }

    /** The class ids that count towards the means, ascending. */
    public List<Integer> includedClasses() {
        List<Integer> ids = new ArrayList<>();
        for (int k = 0; k < iou.length; k++) {
            if (!excluded.contains(k)) {
                ids.add(k);
            }
        }
        return List.copyOf(ids);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentationMetrics m && Arrays.equals(iou, m.iou) && Arrays.equals(accuracy, m.accuracy)
                && Double.compare(mIoU, m.mIoU) == 0 && Double.compare(mAcc, m.mAcc) == 0
                && Double.compare(allAcc, m.allAcc) == 0 && excluded.equals(m.excluded);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(iou), Arrays.hashCode(accuracy), mIoU, mAcc, allAcc, excluded);
    }

    @Override
    public String toString() {
        return "SegmentationMetrics[mIoU=" + mIoU + ", mAcc=" + mAcc + ", allAcc=" + allAcc + ", classes="
                + iou.length + ", excluded=" + excluded + "]";
    }
}
