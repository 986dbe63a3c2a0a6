package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.config.Precision;
import org.mseg.engine.model.CrossReplica;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * HRNetV2 (upstream MSeg {@code seg_hrnet.py}) as a TensorFlow Java graph: the variables of one model plus a factory
 * for forward passes over them.
 *
 * <p>Variables are TF1 ref variables ({@code VariableV2}, so {@code Session.save/restore} cover them) named exactly
 * like the PyTorch {@code state_dict} keys without the {@code module.} prefix ({@code conv1.weight},
 * {@code stage4.2.fuse_layers.3.0.1.0.weight}, {@code last_layer.3.bias}, ...). They hold upstream's random
 * initialisation, seeded: conv weights N(0, 0.001), head conv biases U(±1/√fan_in), BN gamma 1 and beta 0, running
 * mean 0 and variance 1. A {@code Session} created with the default {@code autoInit} runs the initializers on its
 * first run; {@link StateDictLoader} overwrites them with a PyTorch checkpoint.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (Graph g = new Graph()) {
 *     Hrnet model = Hrnet.create(Ops.create(g), HrnetSpec.w48(), 194, 42L);
 *     HrnetForward train = model.forward("train", 8, 713, 713, BatchNormMode.TRAINING);
 *     HrnetForward eval = model.forward("eval", 1, 713, 713, BatchNormMode.INFERENCE);
 *     // loss on train.logits(); optimizer over model.trainableVariables(); train.runningStatUpdate() as a target
 * }
 * }</pre>
 *
 * <p>Only one model fits in a graph's root name scope (the variable names would clash); pass an {@code Ops} with a
 * sub-scope to hold a second one.
 */
public final class Hrnet {

    private static final int INPUT_CHANNELS = 3;

    private final Ops tf;
    private final HrnetSpec spec;
    private final int numClasses;
    private final long seed;
    private final Modules.Network network;
    private final Map<String, HrnetParameter> parameters;
    private final Map<String, ParameterFactory.InitSlot> initSlots;
    private final Op initializer;
    private final Set<String> forwardNames = new HashSet<>();

    private Hrnet(Ops tf, HrnetSpec spec, int numClasses, long seed) {
        this.tf = tf;
        this.spec = spec;
        this.numClasses = numClasses;
        this.seed = seed;
        ParameterFactory factory = new ParameterFactory(tf, seed);
        this.network = Architecture.build(factory, spec, numClasses);
        this.parameters = factory.parameters();
        this.initSlots = factory.initSlots();
        List<Op> assigns = new ArrayList<>();
        initSlots.values().forEach(slot -> assigns.add(slot.assign()));
        this.initializer = tf.withInitScope().withControlDependencies(assigns).withName("hrnet.initializer").noOp();
    }

    /**
     * Creates the variables of a model in the graph of {@code tf}.
     *
     * @param tf         where to build (its scope prefixes the variable names, its device places them)
     * @param spec       the variant
     * @param numClasses number of logits (194 for the MSeg universal taxonomy)
     * @param seed       seed of the random initialisation; equal seeds give equal initial weights
     * @throws MsegException if the scope already holds an HRNet (TensorFlow would rename the variables)
     */
    public static Hrnet create(Ops tf, HrnetSpec spec, int numClasses, long seed) {
        Objects.requireNonNull(tf, "tf");
        Objects.requireNonNull(spec, "spec");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
        return new Hrnet(tf, spec, numClasses, seed);
    }

    /** Creates the variables of a model at the root of {@code graph}; see {@link #create(Ops, HrnetSpec, int, long)}. */
    public static Hrnet create(Graph graph, HrnetSpec spec, int numClasses, long seed) {
        return create(Ops.create(graph), spec, numClasses, seed);
    }

    /** The variant. */
    public HrnetSpec spec() {
        return spec;
    }

    /** Number of output classes. */
    public int numClasses() {
        return numClasses;
    }

    /** The initialisation seed. */
    public long seed() {
        return seed;
    }

    /** Every model tensor (trainable and running statistics) in PyTorch {@code state_dict} order. */
    public List<HrnetParameter> parameters() {
        return List.copyOf(parameters.values());
    }

    /** The parameter with this PyTorch key (no {@code module.} prefix). */
    public Optional<HrnetParameter> parameter(String torchKey) {
        return Optional.ofNullable(parameters.get(torchKey));
    }

    /**
     * Every PyTorch {@code state_dict} key (weight, bias, running_mean, running_var; no {@code num_batches_tracked},
     * no {@code module.} prefix) mapped to its variable, in {@code state_dict} order.
     */
    public Map<String, Variable<TFloat32>> variablesByTorchKey() {
        Map<String, Variable<TFloat32>> map = new LinkedHashMap<>();
        parameters.forEach((key, p) -> map.put(key, p.variable()));
        return Collections.unmodifiableMap(map);
    }

    /** The variables the optimizer trains (conv weights and biases, BN gamma and beta), in state_dict order. */
    public List<Variable<TFloat32>> trainableVariables() {
        return parameters.values().stream().filter(HrnetParameter::trainable).map(HrnetParameter::variable).toList();
    }

    /** The BN running means and variances, in state_dict order. */
    public List<Variable<TFloat32>> runningStatVariables() {
        return parameters.values().stream().filter(p -> !p.trainable()).map(HrnetParameter::variable).toList();
    }

    /**
     * A no-op that depends on every variable's initial assignment, to reset the model in a running session. A new
     * session initialises the variables itself: on its first run with {@code autoInit} (the default), or through
     * {@code Session.initialize()}. The random ops are seeded, so that first initialisation is reproducible; running
     * this op later draws new random values (constants such as BN gamma 1 are restored exactly).
     */
    public Op initializer() {
        return initializer;
    }

    /** Number of trainable scalars, summed over the static shapes of {@link #trainableVariables()}. */
    public long trainableParameterCount() {
        long total = 0;
        for (Variable<TFloat32> v : trainableVariables()) {
            total += v.shape().size();
        }
        return total;
    }

    /**
     * Builds a forward pass reading a new float32 placeholder {@code <name>/input} of shape
     * {@code [batchSize, height, width, 3]}.
     *
     * @param name      op-name scope of this pass, unique per model (e.g. {@code train}, {@code eval})
     * @param batchSize batch size, or −1 for any
     * @param mode      batch-norm behaviour
     * @throws InvalidInputSizeException if height or width is not {@code 8k + 1}
     */
    public HrnetForward forward(String name, long batchSize, int height, int width, BatchNormMode mode) {
        checkInputSize(height, width);
        if (batchSize < -1 || batchSize == 0) {
            throw new IllegalArgumentException("batchSize must be positive or -1 (unknown), was " + batchSize);
        }
        Ops scoped = scopeFor(name);
        Placeholder<TFloat32> input = scoped.withName("input").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(batchSize, height, width, INPUT_CHANNELS)));
        return build(name, scoped, input, mode, TFloat32.class, CrossReplica.NONE);
    }

    /**
     * Builds a forward pass over an existing float32 NHWC operand (e.g. the output of an input pipeline) whose
     * static height and width are known.
     *
     * @throws InvalidInputSizeException if height or width is not {@code 8k + 1}
     * @throws IllegalArgumentException  if the operand is not {@code [N, H, W, 3]} with known H and W
     */
    public HrnetForward forward(String name, Operand<TFloat32> input, BatchNormMode mode) {
        return forward(name, input, mode, Precision.FP32);
    }

    /**
     * Builds a forward pass over an existing float32 NHWC operand, computing in the given precision. The variables
     * stay float32 in every precision; {@link Precision#BF16} and {@link Precision#FP16} cast the input and every
     * kernel and bias to the lower precision at use, and run batch norm with float32 scale, offset and statistics.
     * The logits and the representation are float32 in every precision.
     *
     * @throws InvalidInputSizeException if height or width is not {@code 8k + 1}
     * @throws IllegalArgumentException  if the operand is not {@code [N, H, W, 3]} with known H and W
     * @throws ConfigException           for {@link Precision#FP16_PURE}, which needs float16 variables
     */
    public HrnetForward forward(String name, Operand<TFloat32> input, BatchNormMode mode, Precision precision) {
        return forward(name, input, mode, precision, CrossReplica.NONE);
    }

    /**
     * {@link #forward(String, Operand, BatchNormMode, Precision)} for one replica's share of a step split over several
     * devices: in {@link BatchNormMode#TRAINING} every BN layer computes its batch mean and variance over all
     * replicas' crops ({@code replicas.sum} of the local sums, then of the squared deviations), as PyTorch's
     * {@code SyncBatchNorm} does, and updates the running statistics with them (unbiased variance over all crops).
     * With {@link CrossReplica#NONE} this is the fused single-device pass.
     */
    public HrnetForward forward(String name, Operand<TFloat32> input, BatchNormMode mode, Precision precision,
            CrossReplica replicas) {
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(replicas, "replicas");
        Class<? extends TFloating> type = computeType(precision);
        Shape shape = input.shape();
        if (shape.isUnknown() || shape.numDimensions() != 4 || shape.get(1) < 0 || shape.get(2) < 0
                || shape.get(3) != INPUT_CHANNELS) {
            throw new IllegalArgumentException(
                    "HRNet input must be NHWC [N, H, W, 3] with known H and W, was " + shape);
        }
        checkInputSize(shape.get(1), shape.get(2));
        return build(name, scopeFor(name), input, mode, type, replicas);
    }

    /**
     * The TensorFlow type the layers compute in for a precision: float32, bfloat16 or float16.
     *
     * @throws ConfigException for {@link Precision#FP16_PURE}: pure float16 needs float16 variables, which this
     *                         model (float32 variables, float32 checkpoints and PyTorch import) does not have
     */
    public static Class<? extends TFloating> computeType(Precision precision) {
        return switch (precision) {
            case FP32 -> TFloat32.class;
            case BF16 -> TBfloat16.class;
            case FP16 -> TFloat16.class;
            case FP16_PURE -> throw new ConfigException("TRAIN.precision fp16-pure (opt_level O3) is not available:"
                    + " HRNet keeps float32 master weights, and FusedBatchNormV3 needs float32 scale and statistics;"
                    + " use precision: fp16 (opt_level O1/O2, float16 compute with float32 weights) or bf16");
        };
    }

    private Ops scopeFor(String name) {
        Objects.requireNonNull(name, "name");
        if (!Scope.isValidOpName(name)) {
            throw new IllegalArgumentException("forward name '" + name + "' is not a valid TensorFlow op name");
        }
        if (!forwardNames.add(name)) {
            throw new IllegalArgumentException("this model already has a forward pass named '" + name + "'");
        }
        return tf.withSubScope(name);
    }

    private <T extends TFloating> HrnetForward build(String name, Ops scoped, Operand<TFloat32> input,
            BatchNormMode mode, Class<T> type, CrossReplica replicas) {
        Objects.requireNonNull(mode, "mode");
        int height = (int) input.shape().get(1);
        int width = (int) input.shape().get(2);
        GraphCompute<T> compute = new GraphCompute<>(scoped, mode, type, replicas);
        NetworkWalker.Outputs<Operand<T>> out = NetworkWalker.run(network, compute.fromFloat32(input), height, width,
                compute);
        Operand<TFloat32> logits = scoped.withName("logits").identity(compute.toFloat32(out.logits()));
        Operand<TFloat32> representation = scoped.withName("representation")
                .identity(compute.toFloat32(out.representation()));
        List<Op> updates = compute.runningStatUpdates();
        Optional<Op> grouped = updates.isEmpty() ? Optional.empty()
                : Optional.of(scoped.withControlDependencies(updates).withName("running_stat_update").noOp());
        return new HrnetForward(name, mode, input, logits, representation, updates, grouped, compute.blockShapes());
    }

    /**
     * The layer table of this model for an input of {@code height × width} (computed from the definition; nothing is
     * built or run): one row per stem layer, Bottleneck, transition, branch, fuse layer and head layer, with output
     * shapes and trainable parameters. The parameters of all rows add up to {@link #trainableParameterCount()}.
     *
     * @throws InvalidInputSizeException if height or width is not {@code 8k + 1}
     */
    public List<LayerRow> summary(int height, int width) {
        checkInputSize(height, width);
        return SummaryCompute.rows(network, parameters.values(), height, width);
    }

    /**
     * Checks that HRNet accepts an input of {@code height × width}: both {@code 8k + 1}.
     *
     * @throws InvalidInputSizeException naming the size and the nearest valid sizes
     */
    public static void checkInputSize(long height, long width) {
        if (!InvalidInputSizeException.isValidSize(height) || !InvalidInputSizeException.isValidSize(width)) {
            throw new InvalidInputSizeException(height, width);
        }
    }

    /** How each variable is initialised, for {@link StateDictLoader}. */
    Map<String, ParameterFactory.InitSlot> initSlots() {
        return initSlots;
    }
}
