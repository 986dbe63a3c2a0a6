package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@link NetworkWalker.Compute} that emits TensorFlow ops (NHWC, float32).
 *
 * <p>PyTorch pads a stride-2 3×3 convolution by one pixel on every side; TensorFlow's {@code SAME} pads only
 * bottom/right when the input size is even (e.g. the 90-pixel branch of a 713 crop), which would shift the sampling
 * grid. Strided convolutions therefore get an explicit symmetric {@code Pad} and {@code VALID} padding
 * ({@code Conv2D}'s {@code EXPLICIT} padding is avoided because its gradient drops the paddings).
 */
final class GraphCompute implements NetworkWalker.Compute<Operand<TFloat32>> {

    /** PyTorch's {@code BatchNorm2d(momentum=0.01)} as TensorFlow's exponential-average factor. */
    static final float BN_MOMENTUM = 0.01f;
    /** PyTorch's default and upstream's BN epsilon. */
    static final float BN_EPSILON = 1e-5f;

    private final Ops tf;
    private final BatchNormMode mode;
    private final List<Op> runningStatUpdates = new ArrayList<>();
    private final Map<String, Shape> blockShapes = new LinkedHashMap<>();
    private final Map<Integer, Operand<TInt32>> paddings = new LinkedHashMap<>();
    private Operand<TFloat32> zero;

    GraphCompute(Ops tf, BatchNormMode mode) {
        this.tf = tf;
        this.mode = mode;
    }

    @Override
    public Operand<TFloat32> conv(Operand<TFloat32> x, Modules.Conv conv) {
        long stride = conv.stride();
        int pad = (conv.kernel() - 1) / 2;
        Operand<TFloat32> in = x;
        String padding;
        if (pad == 0) {
            padding = "VALID";
        } else if (stride == 1) {
            padding = "SAME";
        } else {
            in = tf.pad(x, padding(pad), zero());
            padding = "VALID";
        }
        Operand<TFloat32> y = tf.nn.conv2d(in, conv.weight(), List.of(1L, stride, stride, 1L), padding,
                Conv2d.dataFormat("NHWC"));
        if (conv.bias().isPresent()) {
            y = tf.nn.biasAdd(y, conv.bias().get(), BiasAdd.dataFormat("NHWC"));
        }
        return y;
    }

    private Operand<TInt32> padding(int pad) {
        return paddings.computeIfAbsent(pad,
                p -> tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}));
    }

    private Operand<TFloat32> zero() {
        if (zero == null) {
            zero = tf.constant(0f);
        }
        return zero;
    }

    @Override
    public Operand<TFloat32> batchNorm(Operand<TFloat32> x, Modules.BatchNorm bn) {
        if (mode == BatchNormMode.TRAINING) {
            FusedBatchNorm<TFloat32, TFloat32> f = tf.nn.fusedBatchNorm(x, bn.gamma(), bn.beta(), bn.runningMean(),
                    bn.runningVar(), FusedBatchNorm.isTraining(true), FusedBatchNorm.epsilon(BN_EPSILON),
                    FusedBatchNorm.exponentialAvgFactor(BN_MOMENTUM), FusedBatchNorm.dataFormat("NHWC"));
            // With an averaging factor, batchMean/batchVariance are already the updated running statistics
            // (the variance folded in is the unbiased one, as in PyTorch).
            runningStatUpdates.add(tf.assign(bn.runningMean(), f.batchMean()));
            runningStatUpdates.add(tf.assign(bn.runningVar(), f.batchVariance()));
            return f.y();
        }
        return tf.nn.fusedBatchNorm(x, bn.gamma(), bn.beta(), bn.runningMean(), bn.runningVar(),
                FusedBatchNorm.isTraining(false), FusedBatchNorm.epsilon(BN_EPSILON),
                FusedBatchNorm.dataFormat("NHWC")).y();
    }

    @Override
    public Operand<TFloat32> relu(Operand<TFloat32> x) {
        return tf.nn.relu(x);
    }

    @Override
    public Operand<TFloat32> add(Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.math.add(a, b);
    }

    @Override
    public Operand<TFloat32> resizeHalfPixel(Operand<TFloat32> x, Operand<TFloat32> like) {
        int height = (int) like.shape().get(1);
        int width = (int) like.shape().get(2);
        if (x.shape().get(1) == height && x.shape().get(2) == width) {
            return x;
        }
        return tf.image.resizeBilinear(x, tf.constant(new int[] {height, width}),
                ResizeBilinear.halfPixelCenters(true));
    }

    @Override
    public Operand<TFloat32> concat(List<Operand<TFloat32>> xs) {
        return tf.concat(xs, tf.constant(3));
    }

    @Override
    public Operand<TFloat32> resizeAlignCorners(Operand<TFloat32> x, int height, int width) {
        return tf.image.resizeBilinear(x, tf.constant(new int[] {height, width}), ResizeBilinear.alignCorners(true));
    }

    @Override
    public void block(String name, String kind, Operand<TFloat32> output) {
        blockShapes.put(name, output.shape());
    }

    List<Op> runningStatUpdates() {
        return List.copyOf(runningStatUpdates);
    }

    Map<String, Shape> blockShapes() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(blockShapes));
    }
}
