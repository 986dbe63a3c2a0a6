package org.mseg.datasets.metrics;

import java.util.Objects;
import java.util.Set;
import org.mseg.datasets.LabelBuffer;

/**
 * Dataset-level intersection / union / target / prediction histograms over {@code K} classes, exactly as MSeg's
 * {@code intersectionAndUnion} + {@code SegmentationAverageMeter} (MSEG.md g.4): per pixel, the prediction is set to
 * 255 where the target is 255 (ignore), the intersection is the prediction where it equals the target, and values
 * {@code >= K} fall outside the bins. Counts are summed over every added image; {@link #compute()} turns them into
 * IoU / accuracy once, at the end.
 *
 * <p>As upstream, only a target of 255 voids the pixel's prediction: a target id in {@code K..254} is counted in no
 * bin, but the prediction at that pixel still counts towards its class's union.
 *
 * <p><b>Difference from upstream:</b> {@code np.histogram(x, bins=arange(K+1))} closes its last bin, so a label equal
 * to exactly {@code K} is counted as class {@code K-1} there. Here every value {@code >= K} is ignored, which is what
 * upstream intends (255 is the only such value for MSeg's taxonomies).
 *
 * <p>Thread-safe: {@code add} counts into per-call histograms without locking and folds them into the totals under
 * this object's lock, so several loader threads may feed one accumulator.
 */
public final class IouAccumulator {
    private static final int IGNORE = 255;
    /** The ignore id of 16-bit label maps, for taxonomies of more than 255 classes. */
    private static final int WIDE_IGNORE = 0xFFFF;

    private final int numClasses;
    private final long[] intersection;
    private final long[] predicted;
    private final long[] target;

    /**
     * @param numClasses number of evaluation classes {@code K}: 1..255 for 8-bit label maps (255 means ignore), up
     *                   to 65535 for 16-bit ones (65535 means ignore)
     * @throws IllegalArgumentException if {@code numClasses} is outside 1..65535
     */
    public IouAccumulator(int numClasses) {
        if (numClasses < 1 || numClasses > WIDE_IGNORE) {
            throw new IllegalArgumentException("label maps allow 1..255 classes (8-bit, 255 is ignore) or up to 65535"
                    + " (16-bit, 65535 is ignore), got " + numClasses);
        }
        this.numClasses = numClasses;
        this.intersection = new long[numClasses];
        this.predicted = new long[numClasses];
        this.target = new long[numClasses];
    }

    /**
     * An accumulator holding these counts (e.g. summed over the processes of a cluster): per class, the pixels where
     * prediction and target agree, the pixels predicted as it, and its target pixels.
     *
     * @throws IllegalArgumentException if the arrays differ in length or hold a negative count
     */
    public static IouAccumulator of(long[] intersection, long[] predicted, long[] target) {
        if (intersection.length != predicted.length || predicted.length != target.length) {
            throw new IllegalArgumentException("count arrays of " + intersection.length + ", " + predicted.length
                    + " and " + target.length + " classes");
        }
        IouAccumulator acc = new IouAccumulator(intersection.length);
        for (int k = 0; k < intersection.length; k++) {
            if (intersection[k] < 0 || predicted[k] < 0 || target[k] < 0) {
                throw new IllegalArgumentException("negative count for class " + k);
            }
            acc.intersection[k] = intersection[k];
            acc.predicted[k] = predicted[k];
            acc.target[k] = target[k];
        }
        return acc;
    }

    /** The number of classes {@code K}. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Adds one label-map pair: ids of one width, any layout, same length. 8-bit maps (255 = ignore) need {@code K}
     * of at most 255; 16-bit maps (65535 = ignore) serve taxonomies of more than 255 classes.
     *
     * @throws IllegalArgumentException if the lengths or the widths differ
     * @throws IllegalStateException    if the maps are 8-bit and {@code K} is above 255
     */
    public void add(LabelBuffer prediction, LabelBuffer target) {
        Objects.requireNonNull(prediction, "prediction");
        Objects.requireNonNull(target, "target");
        if (prediction.length() != target.length()) {
            throw new IllegalArgumentException("prediction has " + prediction.length() + " pixels but target has "
                    + target.length());
        }
        add(prediction, target, 0, prediction.length());
    }

    /**
     * Adds {@code length} pixels starting at {@code offset} in both maps (e.g. one image of a batch buffer). Ids at or
     * above {@code K} other than ignore are counted in no class.
     *
     * @throws IllegalArgumentException  if the widths differ
     * @throws IllegalStateException     if the maps are 8-bit and {@code K} is above 255
     * @throws IndexOutOfBoundsException if the range does not fit either map
     */
    public void add(LabelBuffer prediction, LabelBuffer target, int offset, int length) {
        if (prediction.bits() != target.bits()) {
            throw new IllegalArgumentException("prediction has " + prediction.bits() + "-bit ids but target has "
                    + target.bits() + "-bit ones");
        }
        Objects.checkFromIndexSize(offset, length, prediction.length());
        Objects.checkFromIndexSize(offset, length, target.length());
        if (target instanceof LabelBuffer.Shorts t) {
            add16(((LabelBuffer.Shorts) prediction).ids(), t.ids(), offset, length);
        } else {
            add8(((LabelBuffer.Bytes) prediction).ids(), ((LabelBuffer.Bytes) target).ids(), offset, length);
        }
    }

    private void add8(byte[] prediction, byte[] target, int offset, int length) {
        if (numClasses > IGNORE) {
            throw new IllegalStateException(numClasses + " classes do not fit 8-bit label maps; add 16-bit ones");
        }
        // Histograms over all 256 byte values: no branch on K in the hot loop, one fold at the end.
        int[] inter = new int[256];
        int[] pred = new int[256];
        int[] tgt = new int[256];
        for (int i = offset, end = offset + length; i < end; i++) {
            int t = target[i] & 0xff;
            if (t == IGNORE) {
                continue; // upstream sets the prediction to 255 here: counted in no bin
            }
            int p = prediction[i] & 0xff;
            tgt[t]++;
            pred[p]++;
            if (p == t) {
                inter[p]++;
            }
        }
        fold(inter, pred, tgt);
    }

    private void add16(short[] prediction, short[] target, int offset, int length) {
        int[] inter = new int[numClasses];
        int[] pred = new int[numClasses];
        int[] tgt = new int[numClasses];
        for (int i = offset, end = offset + length; i < end; i++) {
            int t = target[i] & 0xffff;
            if (t == WIDE_IGNORE) {
                continue;
            }
            int p = prediction[i] & 0xffff;
            if (t < numClasses) {
                tgt[t]++;
            }
            if (p < numClasses) {
                pred[p]++;
                if (p == t) {
                    inter[p]++;
                }
            }
        }
        fold(inter, pred, tgt);
    }

    /** Adds one image's histograms (at least {@code K} bins each) to the totals. */
    private synchronized void fold(int[] inter, int[] pred, int[] tgt) {
        for (int k = 0; k < numClasses; k++) {
            intersection[k] += inter[k];
            predicted[k] += pred[k];
            target[k] += tgt[k];
        }
    }

    /**
     * Adds another accumulator's counts (e.g. from another worker).
     *
     * @throws IllegalArgumentException if the class counts differ
     */
    public void merge(IouAccumulator other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge " + other.numClasses + " classes into " + numClasses);
        }
        long[] i;
        long[] p;
        long[] t;
        synchronized (other) {
            i = other.intersection.clone();
            p = other.predicted.clone();
            t = other.target.clone();
        }
        synchronized (this) {
            for (int k = 0; k < numClasses; k++) {
                intersection[k] += i[k];
                predicted[k] += p[k];
                target[k] += t[k];
            }
        }
    }

    /** Metrics over all {@code K} classes; a class absent from both target and prediction has IoU 0 (upstream). */
    public SegmentationMetrics compute() {
        return compute(Set.of());
    }

    /**
     * Metrics with MSeg's {@code excluded_ids} rule: per-class values are kept for every class, but the excluded ones
     * are left out of {@code mIoU} and {@code mAcc}; {@code allAcc} always sums over all classes.
     *
     * @param excludedIds class ids to leave out of the means (e.g. {@code TaxonomyConverter.excludedUniversalIds})
     * @throws IllegalArgumentException if an id is not a class, or every class is excluded
     */
    public SegmentationMetrics compute(Set<Integer> excludedIds) {
        for (int id : excludedIds) {
            if (id < 0 || id >= numClasses) {
                throw new IllegalArgumentException("excluded id " + id + " is not a class id 0.." + (numClasses - 1));
            }
        }
        if (excludedIds.size() >= numClasses) {
            throw new IllegalArgumentException("all " + numClasses + " classes are excluded; nothing to average");
        }
        long[] i = intersection();
        long[] u = union();
        long[] t = target();
        double[] iou = new double[numClasses];
        double[] acc = new double[numClasses];
        double iouSum = 0;
        double accSum = 0;
        long interTotal = 0;
        long targetTotal = 0;
        for (int k = 0; k < numClasses; k++) {
            iou[k] = i[k] / (u[k] + 1e-10);
            acc[k] = i[k] / (t[k] + 1e-10);
            interTotal += i[k];
            targetTotal += t[k];
            if (!excludedIds.contains(k)) {
                iouSum += iou[k];
                accSum += acc[k];
            }
        }
        int counted = numClasses - excludedIds.size();
        return new SegmentationMetrics(iou, acc, iouSum / counted, accSum / counted,
                interTotal / (targetTotal + 1e-10), excludedIds);
    }

    /** Per-class intersection counts (a copy). */
    public synchronized long[] intersection() {
        return intersection.clone();
    }

    /** Per-class union counts {@code predicted + target - intersection} (a copy). */
    public synchronized long[] union() {
        long[] u = new long[numClasses];
        for (int k = 0; k < numClasses; k++) {
            u[k] = predicted[k] + target[k] - intersection[k];
        }
        return u;
    }

    /** Per-class target (ground-truth) pixel counts, ignore pixels excluded (a copy). */
    public synchronized long[] target() {
        return target.clone();
    }

    /** Per-class predicted pixel counts over non-ignored target pixels (a copy). */
    public synchronized long[] predicted() {
        return predicted.clone();
    }
}
