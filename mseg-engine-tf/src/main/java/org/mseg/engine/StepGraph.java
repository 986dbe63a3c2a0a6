package org.mseg.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.model.CrossReplica;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.ModelOutputs;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TIntegral;

/**
 * The graph of one training step on the devices of a {@link DevicePlan}, as the {@link Trainer} runs it: the model's
 * variables, the images and labels placeholders, the training forward pass, the per-dataset losses, the optimizer and
 * its buffers, the loss scaler, the strategy's ops and program, and the inference passes. It is built once, before any
 * session exists, in this order (the strategy contract, {@link GraphTrainingStrategy}, relies on it).
 *
 * <p>The plan fixes where the step's ops go. With one device the model's variables and the whole step go there (or to
 * TensorFlow's default placement). With several, the variables and the strategy's ops stay on the first device and
 * {@link Towers} builds one tower per device over its share of the batch; the strategy then sees the whole batch's
 * losses and outputs, and {@link StrategyContext#gradients} differentiates through every tower and sums.
 */
final class StepGraph {

    private final DevicePlan devices;
    private final ReplicaLayout layout;
    /** The rows of every step fed to this process, {@code {first, count}}. */
    private final int[] fedRows;
    private final GraphModel model;
    private final List<DatasetSlice> slices;
    private final Placeholder<TFloat32> images;
    private final Placeholder<? extends TIntegral> labels;
    /** 8 or 16: labels are uint16 for taxonomies of more than 255 classes (an ignore label above 255). */
    private final int labelBits;
    private final SgdMomentum optimizer;
    private final Precision precision;
    private final Optional<DynamicLossScale> lossScale;
    private final Map<Long, EvalPass> evalPasses = new LinkedHashMap<>();
    private final StepProgram program;
    /** The replicas over several devices; empty for one device. */
    private final Optional<Towers> towers;
    /** Start-up checks, the broadcast of task 0's variables and the final barrier of a cluster; empty otherwise. */
    private final Optional<ClusterSync> clusterSync;

    /** What the step is built from: the {@link Trainer.Builder}'s settings. */
    record Settings(ReplicaLayout layout, List<DatasetSlice> slices, int cropHeight, int cropWidth,
            java.util.function.Function<Ops, GraphModel> modelFactory, Precision precision, int ignoreLabel,
            float auxWeight, float momentum, float weightDecay, List<int[]> evalSizes,
            GraphTrainingStrategy strategy, Map<String, Object> strategyOptions, float initialLossScale,
            int lossScaleGrowthInterval) {
    }

    /** An inference pass for one input size. */
    record EvalPass(Operand<TFloat32> input, Operand<? extends TIntegral> prediction) {
    }

    private StepGraph(Graph g, Settings b) {
        this.layout = b.layout();
        this.devices = layout.local();
        this.slices = List.copyOf(b.slices());
        this.precision = b.precision();
        LowPrecisionKernels.require(precision, "Trainer.Builder.precision"); // before any graph is built
        int rows = slices.stream().mapToInt(DatasetSlice::count).sum();
        this.fedRows = layout.fedRows(rows);
        Ops tf = placed(Ops.create(g), layout);
        this.model = b.modelFactory().apply(tf);
        this.lossScale = precision == Precision.FP16
                ? Optional.of(new DynamicLossScale(tf, b.initialLossScale(), b.lossScaleGrowthInterval()))
                : Optional.empty();
        this.images = tf.withName("images").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(fedRows[1], b.cropHeight(), b.cropWidth(), 3)));
        this.labelBits = LabelBuffer.bitsFor(b.ignoreLabel());
        this.labels = tf.withName("labels").placeholder(labelType(),
                Placeholder.shape(Shape.of(fedRows[1], b.cropHeight(), b.cropWidth())));
        ModelOutputs forward;
        SegmentationLoss loss;
        Optional<SegmentationLoss> aux;
        if (layout.totalReplicas() == 1) {
            this.towers = Optional.empty();
            forward = model.forward("train", images, true, precision, CrossReplica.NONE);
            loss = SegmentationLoss.build(tf, forward.logits(), labels, slices, b.ignoreLabel());
            aux = forward.auxLogits().map(a -> SegmentationLoss.build(tf, a, labels, slices, b.ignoreLabel()));
        } else {
            Towers t = new Towers(g, tf, layout, model, images, labels, slices, precision, b.ignoreLabel());
            this.towers = Optional.of(t);
            forward = t.forward();
            loss = t.loss();
            aux = t.auxLoss();
        }
        Operand<TFloat32> objectives = aux.isEmpty() ? loss.datasetLosses()
                : tf.math.add(loss.datasetLosses(),
                        tf.math.mul(aux.get().datasetLosses(), tf.constant(b.auxWeight())));
        this.optimizer = new SgdMomentum(tf, model.parameterGroups(), b.momentum(), b.weightDecay());
        for (int[] size : b.evalSizes()) {
            evalPass(tf, size[0], size[1]);
        }
        Context context = new Context(tf, forward, loss, aux, objectives, b);
        this.program = Objects.requireNonNull(b.strategy().build(context), "strategy returned no program");
        // last: it covers every variable the step created, the strategy's included
        this.clusterSync = layout.distributed() ? Optional.of(new ClusterSync(g, tf, layout)) : Optional.empty();
    }

    /** Builds the step's graph into {@code g}; the caller closes {@code g} if this throws. */
    static StepGraph build(Graph g, Settings b) {
        return new StepGraph(g, b);
    }

    /** The ops of the step's own parts (variables, optimizer, strategy): on the plan's first device, if it names one. */
    private static Ops placed(Ops tf, ReplicaLayout layout) {
        DevicePlan plan = layout.local();
        return plan.devices().isEmpty() ? tf : Placement.on(tf, plan.devices().get(0), layout.placementTask());
    }

    DevicePlan devices() {
        return devices;
    }

    /** The replicas' machinery; empty on one device. */
    Optional<Towers> towers() {
        return towers;
    }

    /** The rows of every step fed to this process, {@code {first, count}}. */
    int[] fedRows() {
        return fedRows.clone();
    }

    /** Where the replicas are. */
    ReplicaLayout layout() {
        return layout;
    }

    /** The cluster's start-up checks, broadcast and barrier; empty in one process. */
    Optional<ClusterSync> clusterSync() {
        return clusterSync;
    }

    GraphModel model() {
        return model;
    }

    List<DatasetSlice> slices() {
        return slices;
    }

    Placeholder<TFloat32> images() {
        return images;
    }

    Placeholder<? extends TIntegral> labels() {
        return labels;
    }

    int labelBits() {
        return labelBits;
    }

    SgdMomentum optimizer() {
        return optimizer;
    }

    Precision precision() {
        return precision;
    }

    Optional<DynamicLossScale> lossScale() {
        return lossScale;
    }

    StepProgram program() {
        return program;
    }

    /** The inference pass for a size, if it was declared. */
    Optional<EvalPass> evalPass(int height, int width) {
        return Optional.ofNullable(evalPasses.get(key(height, width)));
    }

    /** The inference sizes declared, as {@code HxW}. */
    List<String> evalSizes() {
        List<String> out = new ArrayList<>();
        evalPasses.keySet().forEach(k -> out.add((k >> 32) + "x" + (k & 0xffffffffL)));
        return out;
    }

    private Class<? extends TIntegral> labelType() {
        return labelBits == 16 ? TUint16.class : TUint8.class;
    }

    private static long key(int height, int width) {
        return ((long) height << 32) | width;
    }

    private void evalPass(Ops tf, int height, int width) {
        long k = key(height, width);
        if (evalPasses.containsKey(k)) {
            return;
        }
        String name = "eval_" + height + "x" + width;
        Placeholder<TFloat32> in = tf.withName(name + "_images").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, height, width, 3)));
        ModelOutputs out = model.forward(name, in, false, precision);
        Operand<? extends TIntegral> prediction = tf.dtypes.cast(tf.math.argMax(out.logits(), tf.constant(3)),
                labelType());
        evalPasses.put(k, new EvalPass(in, prediction));
    }

    private final class Context implements StrategyContext {
        private final Ops tf;
        private final ModelOutputs forward;
        private final SegmentationLoss loss;
        private final Optional<SegmentationLoss> aux;
        private final Operand<TFloat32> objectives;
        private final Settings b;
        private boolean minimized;

        Context(Ops tf, ModelOutputs forward, SegmentationLoss loss, Optional<SegmentationLoss> aux,
                Operand<TFloat32> objectives, Settings b) {
            this.tf = tf;
            this.forward = forward;
            this.loss = loss;
            this.aux = aux;
            this.objectives = objectives;
            this.b = b;
        }

        @Override
        public Ops tf() {
            return tf;
        }

        @Override
        public List<DatasetSlice> slices() {
            return slices;
        }

        @Override
        public GraphModel model() {
            return model;
        }

        @Override
        public Placeholder<TFloat32> images() {
            return images;
        }

        @Override
        public Placeholder<? extends TIntegral> labels() {
            return labels;
        }

        @Override
        public ModelOutputs forward() {
            return forward;
        }

        @Override
        public SegmentationLoss loss() {
            return loss;
        }

        @Override
        public Optional<SegmentationLoss> auxLoss() {
            return aux;
        }

        @Override
        public float auxWeight() {
            return b.auxWeight();
        }

        @Override
        public Operand<TFloat32> datasetObjectives() {
            return objectives;
        }

        @Override
        public List<Variable<TFloat32>> variables() {
            return optimizer.variables();
        }

        @Override
        public Precision precision() {
            return precision;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Operand<TFloat32>> gradients(Operand<TFloat32> objective) {
            List<Variable<TFloat32>> vars = optimizer.variables();
            Operand<TFloat32> scaled = lossScale.isPresent() ? lossScale.get().scaled(objective) : objective;
            List<Operand<TFloat32>> raw = new ArrayList<>();
            if (towers.isPresent()) {
                raw.addAll(towers.get().gradients(scaled, vars));
            } else {
                var grads = tf.gradients(scaled, vars);
                for (int i = 0; i < vars.size(); i++) {
                    raw.add((Operand<TFloat32>) (Operand<?>) grads.dy(i));
                }
            }
            List<Operand<TFloat32>> out = new ArrayList<>();
            for (int i = 0; i < vars.size(); i++) {
                Operand<TFloat32> g = raw.get(i);
                if (g.asOutput().isClosed()) {
                    out.add(tf.zerosLike(vars.get(i)));
                } else {
                    out.add(lossScale.isPresent() ? lossScale.get().unscaled(g) : g);
                }
            }
            return out;
        }

        @Override
        public Op minimize(List<? extends Operand<TFloat32>> gradients) {
            if (minimized) {
                throw new IllegalStateException("minimize was already built; a step applies one update");
            }
            minimized = true;
            List<Op> also = new ArrayList<>();
            forward.statisticsUpdate().ifPresent(also::add);
            if (lossScale.isEmpty()) {
                return optimizer.apply(gradients, also);
            }
            Operand<TBool> finite = lossScale.get().allFinite(gradients);
            also.addAll(lossScale.get().update(finite));
            return optimizer.apply(gradients, also, finite);
        }

        @Override
        public int replicas() {
            return layout.totalReplicas();
        }

        @Override
        public Map<String, Object> options() {
            return b.strategyOptions();
        }
    }
}
