package org.mseg.examples.fcn;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mseg.api.config.Precision;
import org.mseg.engine.model.CrossReplica;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.ModelOutputs;
import org.mseg.engine.model.ParameterGroup;
import org.mseg.engine.model.SynchronizedBatchNorm;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.types.TFloat32;

/**
 * The engine's view of an {@code example-fcn} network. All variables are created at once, in the graph's root scope,
 * with flat dotted names ({@code conv1.weight}, {@code bn1.gamma}, {@code bn1.beta}, {@code bn1.running_mean},
 * {@code bn1.running_var}, ..., {@code classifier.weight}, {@code classifier.bias}) that the checkpoint format restores
 * by; every random initialiser gets the backend's seed and a {@code seed2} of its own (never 0), so the initial values
 * depend only on the seed and the spec. Forward passes only add ops.
 */
final class FcnGraphModel implements GraphModel {

    /** The smallest input side: two stride-2 layers leave at least 2×2 features. */
    static final int MIN_SIZE = 8;

    /** Learning-rate multiplier of the classifier, as MSeg's PSPNet trains its new head. */
    static final float HEAD_LR_MULTIPLIER = 10f;

    private static final float BN_EPSILON = 1e-5f;
    /** PyTorch's BN momentum 0.1: running = 0.9·running + 0.1·batch. */
    private static final float BN_MOMENTUM = 0.1f;
    private static final float CLASSIFIER_STD = 0.01f;

    /** One 3×3 layer's variables. */
    private record ConvBn(FcnSpec.Layer layer, Variable<TFloat32> weight, Variable<TFloat32> gamma,
            Variable<TFloat32> beta, Variable<TFloat32> runningMean, Variable<TFloat32> runningVar) {
    }

    private final Ops tf;
    private final int numClasses;
    private final List<ConvBn> layers = new ArrayList<>();
    private final Variable<TFloat32> classifierWeight;
    private final Variable<TFloat32> classifierBias;
    private final List<Variable<TFloat32>> all = new ArrayList<>();
    private final Ops init;
    private final long seed;
    private long randomOps;

    FcnGraphModel(Ops tf, FcnSpec spec, int numClasses, long seed) {
        this.tf = tf;
        this.init = tf.withInitScope();
        this.numClasses = numClasses;
        this.seed = seed;
        for (FcnSpec.Layer l : spec.layers()) {
            int i = l.index();
            // He initialisation for a conv followed by ReLU: N(0, 2 / fan_in)
            float std = (float) Math.sqrt(2.0 / (9.0 * l.in()));
            layers.add(new ConvBn(l,
                    variable("conv" + i + ".weight", Shape.of(3, 3, l.in(), l.out()), normal(Shape.of(3, 3, l.in(),
                            l.out()), std)),
                    variable("bn" + i + ".gamma", Shape.of(l.out()), filled(l.out(), 1f)),
                    variable("bn" + i + ".beta", Shape.of(l.out()), filled(l.out(), 0f)),
                    variable("bn" + i + ".running_mean", Shape.of(l.out()), filled(l.out(), 0f)),
                    variable("bn" + i + ".running_var", Shape.of(l.out()), filled(l.out(), 1f))));
        }
        Shape head = Shape.of(1, 1, spec.featureChannels(), numClasses);
        this.classifierWeight = variable("classifier.weight", head, normal(head, CLASSIFIER_STD));
        this.classifierBias = variable("classifier.bias", Shape.of(numClasses), filled(numClasses, 0f));
    }

    private Operand<TFloat32> normal(Shape shape, float std) {
        return init.math.mul(init.random.randomStandardNormal(init.constant(shape.asArray()), TFloat32.class,
                RandomStandardNormal.seed(seed), RandomStandardNormal.seed2(++randomOps)), init.constant(std));
    }

    private Operand<TFloat32> filled(int n, float value) {
        return init.fill(init.constant(new long[] {n}), init.constant(value));
    }

    private Variable<TFloat32> variable(String name, Shape shape, Operand<TFloat32> initialValue) {
        Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
        if (!v.op().name().equals(name)) {
            throw new IllegalStateException("variable " + name + " was created as '" + v.op().name() + "': the graph"
                    + " already holds an " + FcnModelProvider.NAME + " model");
        }
        init.withName(name + ".init").assign(v, initialValue);
        all.add(v);
        return v;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public List<ParameterGroup> parameterGroups() {
        List<Variable<TFloat32>> backbone = new ArrayList<>();
        for (ConvBn l : layers) {
            backbone.add(l.weight());
            backbone.add(l.gamma());
            backbone.add(l.beta());
        }
        return List.of(new ParameterGroup("backbone", backbone, 1f),
                new ParameterGroup("head", List.of(classifierWeight, classifierBias), HEAD_LR_MULTIPLIER));
    }

    @Override
    public List<Variable<TFloat32>> allVariables() {
        return List.copyOf(all);
    }

    @Override
    public ModelOutputs forward(String name, Operand<TFloat32> input, boolean training) {
        return forward(name, input, training, Precision.FP32, CrossReplica.NONE);
    }

    /** Trains on several devices too: BN statistics over every device's crops ({@link SynchronizedBatchNorm}). */
    @Override
    public ModelOutputs forward(String name, Operand<TFloat32> input, boolean training, Precision precision,
            CrossReplica replicas) {
        if (precision != Precision.FP32) {
            return GraphModel.super.forward(name, input, training, precision);
        }
        Shape shape = input.shape();
        if (shape.numDimensions() != 4 || shape.get(1) < MIN_SIZE || shape.get(2) < MIN_SIZE || shape.get(3) != 3) {
            throw new IllegalArgumentException(FcnModelProvider.NAME + " reads float32 NHWC images with a static"
                    + " height and width of at least " + MIN_SIZE + " and 3 channels, got " + shape);
        }
        Ops f = tf.withSubScope(name);
        SynchronizedBatchNorm sync = replicas.replicas() > 1
                ? new SynchronizedBatchNorm(f, replicas, BN_EPSILON, BN_MOMENTUM) : null;
        List<Op> updates = new ArrayList<>();
        Operand<TFloat32> x = input;
        for (ConvBn l : layers) {
            long s = l.layer().stride();
            x = f.nn.conv2d(x, l.weight(), List.of(1L, s, s, 1L), "SAME", Conv2d.dataFormat("NHWC"));
            if (training && sync != null) {
                SynchronizedBatchNorm.Result bn = sync.apply(x, l.gamma(), l.beta(), l.runningMean(), l.runningVar());
                updates.addAll(bn.updates());
                x = bn.y();
            } else if (training) {
                FusedBatchNorm<TFloat32, TFloat32> bn = f.nn.fusedBatchNorm(x, l.gamma(), l.beta(), l.runningMean(),
                        l.runningVar(), FusedBatchNorm.isTraining(true), FusedBatchNorm.epsilon(BN_EPSILON),
                        FusedBatchNorm.exponentialAvgFactor(BN_MOMENTUM), FusedBatchNorm.dataFormat("NHWC"));
                // with an averaging factor, batchMean/batchVariance are the updated running statistics
                updates.add(f.assign(l.runningMean(), bn.batchMean()));
                updates.add(f.assign(l.runningVar(), bn.batchVariance()));
                x = bn.y();
            } else {
                x = f.nn.fusedBatchNorm(x, l.gamma(), l.beta(), l.runningMean(), l.runningVar(),
                        FusedBatchNorm.isTraining(false), FusedBatchNorm.epsilon(BN_EPSILON),
                        FusedBatchNorm.dataFormat("NHWC")).y();
            }
            x = f.nn.relu(x);
        }
        Operand<TFloat32> features = x;
        Operand<TFloat32> low = f.nn.biasAdd(f.nn.conv2d(features, classifierWeight, List.of(1L, 1L, 1L, 1L),
                "VALID", Conv2d.dataFormat("NHWC")), classifierBias, BiasAdd.dataFormat("NHWC"));
        Operand<TFloat32> logits = f.image.resizeBilinear(low,
                f.constant(new int[] {(int) shape.get(1), (int) shape.get(2)}), ResizeBilinear.halfPixelCenters(true));
        Optional<Op> statistics = training
                ? Optional.of(f.withControlDependencies(updates).withName("statistics_update").noOp())
                : Optional.empty();
        return new ModelOutputs(input, logits, Optional.empty(), features, statistics);
    }
}
