package org.mseg.engine;

import java.util.ArrayList;
import java.util.List;
import org.mseg.datasets.loader.DatasetSlice;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TIntegral;

/**
 * Pixel-wise cross-entropy with an ignore label, per dataset, as upstream MSeg computes it: every dataset's loss is the
 * mean over its own non-ignored pixels ({@code CrossEntropyLoss(ignore_index=255)} in the process that trains it), and
 * the training loss is the mean of the dataset losses (DDP averages the per-dataset gradients).
 *
 * <p>Ignored pixels are masked <em>before</em> the sparse cross-entropy op (its CPU kernel rejects out-of-range
 * labels): they get label 0 and weight 0, so they add nothing to the loss and nothing to the gradient. A dataset whose
 * pixels are all ignored in a batch contributes loss 0 (PyTorch would give NaN).
 *
 * @param mean           mean of {@link #perDataset()}: the standard training loss (scalar)
 * @param datasetLosses  the per-dataset losses as one vector {@code [D]}, in slice order
 * @param perDataset     the per-dataset losses as scalars, in slice order (each differentiable on its own)
 * @param pixelLoss      cross-entropy per pixel {@code [N, H·W]}, 0 where ignored
 * @param pixelWeight    1 for labelled pixels, 0 for ignored ones {@code [N, H·W]}
 */
public record SegmentationLoss(Operand<TFloat32> mean, Operand<TFloat32> datasetLosses,
        List<Operand<TFloat32>> perDataset, Operand<TFloat32> pixelLoss, Operand<TFloat32> pixelWeight) {

    /** Copies the list. */
    public SegmentationLoss {
        perDataset = List.copyOf(perDataset);
    }

    /**
     * Builds the loss ops.
     *
     * @param tf          where to build
     * @param logits      {@code [N, H, W, K]} float32 logits at label resolution
     * @param labels      {@code [N, H, W]} labels, uint8 (or uint16 for taxonomies of more than 255 classes)
     * @param slices      which batch rows belong to which dataset (contiguous, covering all N rows)
     * @param ignoreLabel label value that carries no loss (255; 65535 for uint16 labels)
     */
    public static SegmentationLoss build(Ops tf, Operand<TFloat32> logits, Operand<? extends TIntegral> labels,
            List<DatasetSlice> slices, int ignoreLabel) {
        int rows = slices.stream().mapToInt(DatasetSlice::count).sum();
        Partial p = partial(tf, logits, labels, slices, 0, rows, ignoreLabel);
        return fromDatasetLosses(tf, p.datasetLosses(tf, p.datasetCount()), slices.size(), p.pixelLoss(),
                p.pixelWeight());
    }

    /** The loss ops over per-dataset losses {@code [D]} already computed (e.g. summed over replicas). */
    static SegmentationLoss fromDatasetLosses(Ops tf, Operand<TFloat32> datasetLosses, int datasets,
            Operand<TFloat32> pixelLoss, Operand<TFloat32> pixelWeight) {
        Operand<TFloat32> mean = tf.math.mean(datasetLosses, tf.constant(0));
        List<Operand<TFloat32>> perDataset = new ArrayList<>();
        for (int d = 0; d < datasets; d++) {
            float[] pick = new float[datasets];
            pick[d] = 1f;
            perDataset.add(tf.sum(tf.math.mul(datasetLosses, tf.constant(pick)), tf.constant(0)));
        }
        return new SegmentationLoss(mean, datasetLosses, perDataset, pixelLoss, pixelWeight);
    }

    /**
     * The loss sums of some rows of the batch (one replica's share): per dataset the summed cross-entropy and the
     * number of labelled pixels, and per pixel the loss and weight of those rows.
     *
     * @param datasetSum   {@code [D]} summed pixel losses of each dataset's rows among these
     * @param datasetCount {@code [D]} labelled pixels of each dataset's rows among these
     * @param pixelLoss    {@code [rowCount, H·W]}
     * @param pixelWeight  {@code [rowCount, H·W]}
     */
    record Partial(Operand<TFloat32> datasetSum, Operand<TFloat32> datasetCount, Operand<TFloat32> pixelLoss,
            Operand<TFloat32> pixelWeight) {

        /** {@code datasetSum / max(count, 1)}: the per-dataset losses, or one replica's share of them. */
        Operand<TFloat32> datasetLosses(Ops tf, Operand<TFloat32> count) {
            return tf.math.div(datasetSum, tf.math.maximum(count, tf.constant(1f)));
        }
    }

    /**
     * The sums of {@link #build} over rows {@code rowOffset .. rowOffset + rowCount - 1} of the batch, whose logits and
     * labels are given.
     */
    static Partial partial(Ops tf, Operand<TFloat32> logits, Operand<? extends TIntegral> labels,
            List<DatasetSlice> slices, int rowOffset, int rowCount, int ignoreLabel) {
        SparseCrossEntropyGradient.ensureRegistered();
        int rows = rowCount;
        int datasets = slices.size();
        long classes = logits.shape().get(3);
        Operand<TInt32> lab = tf.dtypes.cast(labels, TInt32.class);
        Operand<TBool> valid = tf.math.notEqual(lab, tf.constant(ignoreLabel));
        Operand<TInt32> safe = tf.select(valid, lab, tf.zerosLike(lab));
        Operand<TFloat32> weight = tf.reshape(tf.dtypes.cast(valid, TFloat32.class), tf.constant(new int[] {rows, -1}));
        Operand<TFloat32> flatLogits = tf.reshape(logits, tf.constant(new long[] {-1, classes}));
        Operand<TFloat32> xent = tf.nn.sparseSoftmaxCrossEntropyWithLogits(flatLogits,
                tf.reshape(safe, tf.constant(new int[] {-1}))).loss();
        Operand<TFloat32> pixelLoss = tf.math.mul(tf.reshape(xent, tf.constant(new int[] {rows, -1})), weight);
        Operand<TFloat32> imageSum = tf.reshape(tf.sum(pixelLoss, tf.constant(1)), tf.constant(new int[] {1, rows}));
        Operand<TFloat32> imageCount = tf.reshape(tf.sum(weight, tf.constant(1)), tf.constant(new int[] {1, rows}));
        float[][] membership = new float[rows][datasets];
        for (int d = 0; d < datasets; d++) {
            DatasetSlice s = slices.get(d);
            for (int r = Math.max(s.offset(), rowOffset); r < Math.min(s.offset() + s.count(), rowOffset + rows);
                    r++) {
                membership[r - rowOffset][d] = 1f;
            }
        }
        Operand<TFloat32> member = tf.constant(membership);
        Operand<TFloat32> datasetSum = tf.reshape(tf.linalg.matMul(imageSum, member), tf.constant(new int[] {-1}));
        Operand<TFloat32> datasetCount = tf.reshape(tf.linalg.matMul(imageCount, member),
                tf.constant(new int[] {-1}));
        return new Partial(datasetSum, datasetCount, pixelLoss, weight);
    }
}
