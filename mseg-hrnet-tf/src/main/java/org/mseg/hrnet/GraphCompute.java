package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.engine.model.CrossReplica;
import org.mseg.engine.model.SynchronizedBatchNorm;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * {@link NetworkWalker.Compute} that emits TensorFlow ops (NHWC) computing in {@code T}: float32, or bfloat16/float16
 * for mixed precision. The variables are always float32 (the master weights): in a lower precision each convolution
 * casts its kernel and bias at use, so their gradients arrive in float32 through the casts; batch norm runs as
 * {@code FusedBatchNormV3} with {@code T} activations and float32 scale, offset and statistics ({@code U = float}),
 * so the running statistics are updated in float32. {@code ResizeBilinear} always returns float32; its result is cast
 * back to {@code T}, except where float32 is wanted anyway ({@link #toFloat32}: the logits). The stem convolution on
 * the RGB input stays float32 ({@link #MIN_LOW_PRECISION_CHANNELS}). In float32 no cast is emitted at all, so that
 * graph is exactly the plain one.
 *
 * <p>PyTorch pads a stride-2 3×3 convolution by one pixel on every side; TensorFlow's {@code SAME} pads only
 * bottom/right when the input size is even (e.g. the 90-pixel branch of a 713 crop), which would shift the sampling
 * grid. Strided convolutions therefore get an explicit symmetric {@code Pad} and {@code VALID} padding
 * ({@code Conv2D}'s {@code EXPLICIT} padding is avoided because its gradient drops the paddings).
 */
final class GraphCompute<T extends TFloating> implements NetworkWalker.Compute<Operand<T>> {

    /** PyTorch's {@code BatchNorm2d(momentum=0.01)} as TensorFlow's exponential-average factor. */
    static final float BN_MOMENTUM = 0.01f;
    /** PyTorch's default and upstream's BN epsilon. */
    static final float BN_EPSILON = 1e-5f;
    /**
     * Convolutions with fewer input channels (the stem's, on RGB) run in float32 in every precision: oneDNN's
     * bfloat16 convolution with 3 input channels gave different, wrong outputs from run to run on the identical
     * input on the AMX CPU this was built on (up to ±28 where the values are ±0.02), while every wider one was
     * exact and reproducible. It is well under 1% of HRNet-W48's work, and AMP recipes often keep the first layer
     * in float32 anyway.
     */
    static final int MIN_LOW_PRECISION_CHANNELS = 8;

    private final Ops tf;
    private final BatchNormMode mode;
    private final Class<T> type;
    /** The replicas whose crops make up the batch statistics in training (synchronized BN when more than one). */
    private final CrossReplica replicas;
    /** The training BN of several replicas (created at its first use). */
    private SynchronizedBatchNorm syncBatchNorm;
    private final boolean lowPrecision;
    /**
     * The float32 values behind the casts to {@code T} (the input, resize outputs), so that {@link #toFloat32} returns
     * them instead of rounding twice.
     */
    private final Map<Output<?>, Operand<TFloat32>> float32Sources = new LinkedHashMap<>();
    private final List<Op> runningStatUpdates = new ArrayList<>();
    private final Map<String, Shape> blockShapes = new LinkedHashMap<>();
    private final Map<Integer, Operand<TInt32>> paddings = new LinkedHashMap<>();
    private Operand<T> zero;
    private GraphCompute<TFloat32> float32;

    GraphCompute(Ops tf, BatchNormMode mode, Class<T> type) {
        this(tf, mode, type, CrossReplica.NONE);
    }

    GraphCompute(Ops tf, BatchNormMode mode, Class<T> type, CrossReplica replicas) {
        this.tf = tf;
        this.replicas = replicas;
        this.mode = mode;
        this.type = type;
        this.lowPrecision = type != TFloat32.class;
    }

    /** A float32 operand (the input images, a float32 variable) in the compute type; itself in float32. */
    @SuppressWarnings("unchecked")
    Operand<T> fromFloat32(Operand<TFloat32> x) {
        if (!lowPrecision) {
            return (Operand<T>) x;
        }
        Operand<T> y = tf.dtypes.cast(x, type);
        float32Sources.put(y.asOutput(), x);
        return y;
    }

    /** A compute-type operand as float32: itself in float32, else the float32 value it was cast from, if any. */
    @SuppressWarnings("unchecked")
    Operand<TFloat32> toFloat32(Operand<T> x) {
        if (!lowPrecision) {
            return (Operand<TFloat32>) x;
        }
        Operand<TFloat32> source = float32Sources.get(x.asOutput());
        return source != null ? source : tf.dtypes.cast(x, TFloat32.class);
    }

    @Override
    public Operand<T> conv(Operand<T> x, Modules.Conv conv) {
        if (lowPrecision && conv.in() < MIN_LOW_PRECISION_CHANNELS) {
            if (float32 == null) {
                float32 = new GraphCompute<>(tf, mode, TFloat32.class, replicas);
            }
            return fromFloat32(float32.conv(toFloat32(x), conv));
        }
        long stride = conv.stride();
        int pad = (conv.kernel() - 1) / 2;
        Operand<T> in = x;
        String padding;
        if (pad == 0) {
            padding = "VALID";
        } else if (stride == 1) {
            padding = "SAME";
        } else {
            in = tf.pad(x, padding(pad), zero());
            padding = "VALID";
        }
        Operand<T> y = tf.nn.conv2d(in, fromFloat32(conv.weight()), List.of(1L, stride, stride, 1L), padding,
                Conv2d.dataFormat("NHWC"));
        if (conv.bias().isPresent()) {
            y = tf.nn.biasAdd(y, fromFloat32(conv.bias().get()), BiasAdd.dataFormat("NHWC"));
        }
        return y;
    }

    private Operand<TInt32> padding(int pad) {
        return paddings.computeIfAbsent(pad,
                p -> tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}));
    }

    private Operand<T> zero() {
        if (zero == null) {
            zero = fromFloat32(tf.constant(0f));
        }
        return zero;
    }

    @Override
    public Operand<T> batchNorm(Operand<T> x, Modules.BatchNorm bn) {
        if (mode == BatchNormMode.TRAINING && replicas.replicas() > 1) {
            return synchronizedBatchNorm(x, bn);
        }
        if (mode == BatchNormMode.TRAINING) {
            FusedBatchNorm<T, TFloat32> f = tf.nn.fusedBatchNorm(x, bn.gamma(), bn.beta(), bn.runningMean(),
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

    /**
     * Training BN with batch statistics over every replica's crops ({@link SynchronizedBatchNorm}, in float32 for
     * every compute type).
     */
    private Operand<T> synchronizedBatchNorm(Operand<T> x, Modules.BatchNorm bn) {
        if (syncBatchNorm == null) {
            syncBatchNorm = new SynchronizedBatchNorm(tf, replicas, BN_EPSILON, BN_MOMENTUM);
        }
        Operand<TFloat32> xf = lowPrecision ? tf.dtypes.cast(x, TFloat32.class) : toFloat32(x);
        SynchronizedBatchNorm.Result r = syncBatchNorm.apply(xf, bn.gamma(), bn.beta(), bn.runningMean(),
                bn.runningVar());
        runningStatUpdates.addAll(r.updates());
        return lowPrecision ? tf.dtypes.cast(r.y(), type) : fromFloat32(r.y());
    }

    @Override
    public Operand<T> relu(Operand<T> x) {
        return tf.nn.relu(x);
    }

    @Override
    public Operand<T> add(Operand<T> a, Operand<T> b) {
        return tf.math.add(a, b);
    }

    @Override
    public Operand<T> resizeHalfPixel(Operand<T> x, Operand<T> like) {
        int height = (int) like.shape().get(1);
        int width = (int) like.shape().get(2);
        if (x.shape().get(1) == height && x.shape().get(2) == width) {
            return x;
        }
        return fromFloat32(tf.image.resizeBilinear(x, tf.constant(new int[] {height, width}),
                ResizeBilinear.halfPixelCenters(true)));
    }

    @Override
    public Operand<T> concat(List<Operand<T>> xs) {
        return tf.concat(xs, tf.constant(3));
    }

    @Override
    public Operand<T> resizeAlignCorners(Operand<T> x, int height, int width) {
        return fromFloat32(tf.image.resizeBilinear(x, tf.constant(new int[] {height, width}),
                ResizeBilinear.alignCorners(true)));
    }

    @Override
    public void block(String name, String kind, Operand<T> output) {
        blockShapes.put(name, output.shape());
    }

    List<Op> runningStatUpdates() {
        return List.copyOf(runningStatUpdates);
    }

    Map<String, Shape> blockShapes() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(blockShapes));
    }
}
