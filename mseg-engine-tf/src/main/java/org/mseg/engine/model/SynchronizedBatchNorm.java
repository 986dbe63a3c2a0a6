package org.mseg.engine.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Training-mode BatchNorm over every replica's crops (PyTorch's {@code SyncBatchNorm}), for models that implement
 * {@link GraphModel#forward(String, Operand, boolean, org.mseg.api.config.Precision, CrossReplica)}: the batch mean
 * from the all-reduced sums, the biased variance from the all-reduced sums of squared deviations (two passes, in
 * float32), and the running statistics updated as {@code FusedBatchNormV3} with an exponential-average factor does
 * (unbiased variance over all crops). Every replica computes identical statistics and identical updates. Use one
 * instance per forward pass: it all-reduces each distinct pixel count once.
 */
public final class SynchronizedBatchNorm {

    private final Ops tf;
    private final CrossReplica replicas;
    private final float epsilon;
    private final float momentum;
    private final Map<Long, Operand<TFloat32>> counts = new HashMap<>();

    /**
     * @param momentum the weight of the batch statistics in the running ones (PyTorch's {@code momentum}, 0.1 by
     *                 default; MSeg's HRNet uses 0.01)
     */
    public SynchronizedBatchNorm(Ops tf, CrossReplica replicas, float epsilon, float momentum) {
        this.tf = tf;
        this.replicas = replicas;
        this.epsilon = epsilon;
        this.momentum = momentum;
    }

    /**
     * The normalised output and the two running-statistics assignments of one layer.
     *
     * @param y       float32 NHWC, like the input
     * @param updates assignments of the running mean and variance (run them with the training update)
     */
    public record Result(Operand<TFloat32> y, List<Op> updates) {
    }

    /** Normalises float32 NHWC {@code x} with the step-wide statistics of each channel. */
    public Result apply(Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta,
            Operand<TFloat32> runningMean, Operand<TFloat32> runningVar) {
        Operand<TInt32> axes = tf.constant(new int[] {0, 1, 2});
        Shape shape = x.shape();
        long local = shape.get(0) * shape.get(1) * shape.get(2);
        Operand<TFloat32> count = counts.computeIfAbsent(local, n -> replicas.sum(tf.constant((float) (long) n)));
        Operand<TFloat32> mean = tf.math.div(replicas.sum(tf.sum(x, axes)), count);
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.div(replicas.sum(tf.sum(tf.math.square(centered), axes)), count);
        Operand<TFloat32> scale = tf.math.mul(gamma, tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon))));
        Operand<TFloat32> y = tf.math.add(tf.math.mul(centered, scale), beta);
        Operand<TFloat32> keep = tf.constant(1f - momentum);
        Operand<TFloat32> rate = tf.constant(momentum);
        Operand<TFloat32> unbiased = tf.math.mul(variance,
                tf.math.div(count, tf.math.maximum(tf.math.sub(count, tf.constant(1f)), tf.constant(1f))));
        Op meanUpdate = tf.assign(runningMean, tf.math.add(tf.math.mul(runningMean, keep), tf.math.mul(mean, rate)));
        Op varUpdate = tf.assign(runningVar, tf.math.add(tf.math.mul(runningVar, keep), tf.math.mul(unbiased, rate)));
        return new Result(y, List.of(meanUpdate, varUpdate));
    }
}
