package org.mseg.engine;

import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.VariableStateDict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.mseg.api.TrainingException;
import org.mseg.api.config.Precision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The training state of one run, apart from the loop that drives it: the graph (model, loss, optimizer, strategy
 * ops), the session holding the variable values, and the number of completed steps. {@link #step(Batch)} trains
 * on one batch; {@link #predict} runs the model in inference mode; {@link #session()} is what checkpoints save and
 * restore.
 *
 * <p>Precision ({@link Builder#precision}): the variables, the loss, the gradients and the SGD update are float32 in
 * every precision; {@link Precision#BF16} and {@link Precision#FP16} run the model's layers (training and inference
 * passes) in bfloat16 or float16. {@link Precision#FP16} adds {@link DynamicLossScale dynamic loss scaling}: a step
 * whose gradients overflow applies no update, halves the scale and does not count as a non-finite loss.
 *
 * <p>Not thread-safe. Close it to free the native graph and session.
 */
public final class Trainer implements AutoCloseable {

    /**
     * Below this loss scale a float16 run stops: its loss or gradients are not finite even almost unscaled, which is
     * divergence, not overflow.
     */
    public static final float MIN_LOSS_SCALE = 1f;

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** What {@code bench train} measured for float16 against float32 on a 2-core CPU (see the README). */
    private static final String FP16_CPU_SLOWDOWN = "2.3x (tiny HRNet, 33x33) to 10.8x (tiny, 129x129) the fp32"
            + " step time, and HRNet-W48 did not finish one fp16 step at 33x33 within 7 minutes";

    private final Graph graph;
    private final Session session;
    /** This process's part in a cluster (server, watchdog); null in one process. */
    private final ClusterTask task;
    /** The step's graph: model, placeholders, losses, optimizer, strategy program, inference passes. */
    private final StepGraph stepGraph;
    private final int cropHeight;
    private final int cropWidth;
    private final PolyLrSchedule schedule;
    private int skippedSteps;
    private long iteration;
    private boolean failed;

    private Trainer(Builder b) {
        this.schedule = Objects.requireNonNull(b.schedule, "schedule");
        this.cropHeight = b.cropHeight;
        this.cropWidth = b.cropWidth;
        ReplicaLayout layout = b.cluster == null ? ReplicaLayout.of(b.devices, b.gradientType)
                : ReplicaLayout.cluster(b.devices, b.cluster.taskIndex(), b.cluster.size(), b.peerTimeoutSeconds,
                        b.gradientType, b.strategy.readsWholeBatch());
        ConfigProto config = sessionConfig(b, layout.local());
        // the server first: a task's devices and thread pools are the server's, and it must listen before peers call
        this.task = b.cluster == null ? null : ClusterTask.start(b.cluster, config, b.peerTimeoutSeconds);
        Graph g = new Graph();
        try {
            this.stepGraph = StepGraph.build(g, new StepGraph.Settings(layout, b.slices, b.cropHeight,
                    b.cropWidth, Objects.requireNonNull(b.model, "model"), b.precision, b.ignoreLabel, b.auxWeight,
                    b.momentum, b.weightDecay, List.copyOf(b.evalSizes), b.strategy, b.strategyOptions,
                    b.initialLossScale, b.lossScaleGrowthInterval));
            this.graph = g;
        } catch (RuntimeException | Error e) {
            g.close();
            closeTask();
            throw e;
        }
        Session s;
        try {
            s = task != null ? task.openSession(g, config) : new Session(g, config);
        } catch (RuntimeException | Error e) {
            g.close();
            closeTask();
            throw e;
        }
        this.session = s;
        try {
            // run the initializers now, so that a restore or weight import afterwards is not undone by autoInit
            s.initialize();
            b.initializer.accept(this);
            if (task != null) {
                task.join(s, stepGraph.clusterSync().orElseThrow(), stepGraph.layout().localReplicas(), iteration,
                        fingerprint(b.clusterCheck));
            }
            skippedSteps = stepGraph.lossScale().map(l -> l.read(s).skippedSteps()).orElse(0);
        } catch (RuntimeException | Error e) {
            s.close();
            g.close();
            closeTask();
            throw e;
        }
    }

    /** The devices the step runs on. */
    public DevicePlan devices() {
        return stepGraph.devices();
    }

    /** 48 bits of a hash of what every task must agree on. */
    private long fingerprint(String setupCheck) {
        StringBuilder text = new StringBuilder();
        text.append(stepGraph.slices()).append('|').append(cropHeight).append('x').append(cropWidth).append('|')
                .append(stepGraph.precision()).append('|').append(schedule).append('|').append(setupCheck)
                .append("|allreduce ").append(stepGraph.layout().gradientType());
        for (Variable<TFloat32> v : stepGraph.model().allVariables()) {
            text.append('|').append(v.op().name()).append(v.shape());
        }
        text.append('|').append(stepGraph.optimizer().slots().size());
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long f = 0;
            for (int i = 0; i < 6; i++) {
                f = (f << 8) | (d[i] & 0xff);
            }
            return f;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The element-wise sum of {@code values} over every task of the cluster (each passes a vector of the same length;
     * integers below 2^53 stay exact); a copy of {@code values} in one process.
     */
    public double[] sumAcrossTasks(double[] values) {
        return task == null ? values.clone() : task.sum(session, stepGraph.clusterSync().orElseThrow(), values);
    }

    /** The cluster this trainer is a task of; empty in one process. */
    public Optional<ClusterSpec> cluster() {
        return Optional.ofNullable(task).map(ClusterTask::cluster);
    }

    /**
     * In a cluster, waits until every task has finished training, then a moment more, so that no task exits while
     * another still reads the last step's tensors from it; nothing in one process.
     *
     * @throws TrainingException naming the tasks that are gone, if one died
     */
    public void leaveCluster() {
        if (task != null) {
            task.leave(session, stepGraph.clusterSync().orElseThrow());
        }
    }

    private void closeTask() {
        if (task != null) {
            task.close();
        }
    }

    private static ConfigProto sessionConfig(Builder b, DevicePlan devices) {
        ConfigProto.Builder c = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(b.intraOpThreads)
                .setInterOpParallelismThreads(b.interOpThreads);
        int cpus = devices.cpuDeviceCount();
        boolean gpu = devices.usesGpu();
        if (cpus > 1) {
            // virtual CPU devices sharing the process's thread pools: the CPU form of data parallelism (and its tests)
            c.putDeviceCount("CPU", cpus);
        }
        if (gpu) {
            // TensorFlow otherwise reserves almost all memory of every visible GPU at the first run
            c.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        }
        if (!b.graphOptimizer) {
            // Grappler costs seconds on the first run of a large graph and did not speed up the steps
            c.setGraphOptions(GraphOptions.newBuilder()
                    .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)));
        }
        return c.build();
    }

    private static void warnIfSlow(Precision precision) {
        if (precision == Precision.FP16) {
            LOG.warn("TRAIN.precision fp16: TensorFlow runs float16 convolutions on reference kernels on CPU;"
                    + " 'mseg-cli bench train --precision fp32,fp16' measured {} on a 2-core CPU. fp16 is meant for"
                    + " GPUs; on CPU use precision: bf16 (mixed precision without loss scaling, 1.6-1.8x as fast as"
                    + " fp32 for HRNet-W48 on quiet AVX-512 CPUs; it needs AVX-512)",
                    FP16_CPU_SLOWDOWN);
        }
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Steps completed (including those restored from a checkpoint). */
    public long iteration() {
        return iteration;
    }

    /**
     * Sets the number of completed steps after {@code session()} was restored from a checkpoint, so that the learning
     * rate schedule continues where it stopped.
     */
    public void resumeAt(long completedSteps) {
        if (completedSteps < 0 || completedSteps > schedule.maxIters()) {
            throw new IllegalArgumentException("completed steps must be within 0.." + schedule.maxIters() + ", was "
                    + completedSteps);
        }
        this.iteration = completedSteps;
        this.failed = false;
    }

    /** The learning-rate schedule. */
    public PolyLrSchedule schedule() {
        return schedule;
    }

    /** The batch layout every step must follow. */
    public List<DatasetSlice> slices() {
        return stepGraph.slices();
    }

    /**
     * The first row of every step's batch that this trainer is fed: 0, except in a cluster, where each process is fed
     * only its replicas' rows unless its strategy reads the whole batch ({@link GraphTrainingStrategy#readsWholeBatch}).
     */
    public int firstFedRow() {
        return stepGraph.fedRows()[0];
    }

    /** How many rows of every step's batch this trainer is fed, from {@link #firstFedRow()} on. */
    public int fedRows() {
        return stepGraph.fedRows()[1];
    }

    /** Crops per step. */
    public int batchSize() {
        return stepGraph.slices().stream().mapToInt(DatasetSlice::count).sum();
    }

    /** The model. */
    public GraphModel model() {
        return stepGraph.model();
    }

    /** The optimizer (its variables and momentum buffers). */
    public SgdMomentum optimizer() {
        return stepGraph.optimizer();
    }

    /** The precision the model computes in. */
    public Precision precision() {
        return stepGraph.precision();
    }

    /** The dynamic loss scaler of a {@link Precision#FP16} trainer; empty otherwise. */
    public Optional<DynamicLossScale> lossScaling() {
        return stepGraph.lossScale();
    }

    /** The loss scaler's current state (scale, finite steps in a row, skipped steps); empty unless fp16. */
    public Optional<DynamicLossScale.State> lossScaleState() {
        return stepGraph.lossScale().map(l -> l.read(session));
    }

    /** The session holding every variable; checkpoints save and restore it. */
    public Session session() {
        return session;
    }

    /** The graph. */
    public Graph graph() {
        return graph;
    }

    /**
     * Trains on one batch.
     *
     * @throws IllegalArgumentException if the batch does not have the crop size and slice layout of this trainer
     * @throws TrainingException        if the loss is not finite (the step's update is unusable; the trainer refuses
     *                                  further steps until {@link #resumeAt} after a restore), or if training is
     *                                  already complete. In fp16 a step that the loss scaler skipped (its update was
     *                                  not applied) does not count as a non-finite loss unless the scale fell below
     *                                  {@link #MIN_LOSS_SCALE}
     */
    public StepResult step(Batch batch) {
        if (failed) {
            throw new TrainingException("training stopped at a non-finite loss; restore a checkpoint first");
        }
        if (iteration >= schedule.maxIters()) {
            throw new TrainingException("training is complete: " + iteration + " of max_iters " + schedule.maxIters()
                    + " steps are done");
        }
        List<DatasetSlice> slices = stepGraph.slices();
        int labelBits = stepGraph.labelBits();
        if (batch.height() != cropHeight || batch.width() != cropWidth || !batch.slices().equals(slices)) {
            throw new IllegalArgumentException("batch " + batch.index() + " has crops " + batch.height() + "x"
                    + batch.width() + " and slices " + batch.slices() + "; this trainer was built for "
                    + cropHeight + "x" + cropWidth + " and " + slices);
        }
        if (batch.firstRow() != firstFedRow() || batch.rowCount() != fedRows()) {
            throw new IllegalArgumentException("batch " + batch.index() + " holds rows " + batch.firstRow() + ".."
                    + (batch.firstRow() + batch.rowCount() - 1) + "; this trainer is fed rows " + firstFedRow() + ".."
                    + (firstFedRow() + fedRows() - 1) + " of every step (load them with"
                    + " MultiDatasetLoader.Builder.rows(firstFedRow(), fedRows()))");
        }
        if (batch.labels().bits() != labelBits) {
            throw new IllegalArgumentException("batch " + batch.index() + " has " + batch.labels().bits()
                    + "-bit labels but this trainer was built for " + labelBits + "-bit labels"
                    + " (ignore label " + (labelBits == 16 ? "above" : "at most") + " 255); a taxonomy of more than"
                    + " 255 classes needs 16-bit labels and ignore label 65535");
        }
        double lr = schedule.rate(iteration);
        int n = batch.rowCount();
        StepOutcome outcome;
        Shape labelShape = Shape.of(n, cropHeight, cropWidth);
        try (TFloat32 img = TFloat32.tensorOf(Shape.of(n, cropHeight, cropWidth, 3),
                        DataBuffers.of(batch.images(), true, false));
                TType lab = labelTensor(labelShape, batch.labels());
                TFloat32 rate = TFloat32.scalarOf((float) lr)) {
            long done = iteration;
            StepContext context = new StepContext() {
                @Override
                public long iteration() {
                    return done;
                }

                @Override
                public Batch batch() {
                    return batch;
                }

                @Override
                public double learningRate() {
                    return lr;
                }

                @Override
                public Session session() {
                    return session;
                }

                @Override
                public Session.Runner runner() {
                    return session.runner().feed(stepGraph.images(), img).feed(stepGraph.labels(), lab)
                            .feed(stepGraph.optimizer().learningRate(), rate);
                }
            };
            if (task == null) {
                outcome = stepGraph.program().run(context);
            } else {
                try {
                    outcome = task.run("training step " + (iteration + 1), () -> stepGraph.program().run(context));
                } catch (TrainingException e) {
                    failed = true; // a lost peer aborts TensorFlow's collectives for good
                    throw e;
                }
            }
        }
        boolean skipped = false;
        if (stepGraph.lossScale().isPresent()) {
            DynamicLossScale.State state = stepGraph.lossScale().get().read(session);
            skipped = state.skippedSteps() > skippedSteps;
            skippedSteps = state.skippedSteps();
            Map<String, Double> extras = new LinkedHashMap<>(outcome.extras());
            extras.put("loss_scale", (double) state.scale());
            extras.put("skipped_steps", (double) state.skippedSteps());
            outcome = new StepOutcome(outcome.loss(), outcome.datasetLosses(), extras);
            if (skipped && state.scale() < MIN_LOSS_SCALE) {
                failed = true;
                throw new TrainingException("gradients stayed non-finite until the fp16 loss scale fell to "
                        + state.scale() + " at step " + (iteration + 1) + " (loss " + outcome.loss()
                        + ", learning rate " + lr + "): the run diverged. Lower TRAIN.base_lr, check the input data,"
                        + " or train with precision: bf16 or fp32; then resume from the last checkpoint");
            }
            if (skipped) {
                LOG.debug("step {}: non-finite fp16 gradients, update skipped, loss scale now {}", iteration + 1,
                        state.scale());
            }
        }
        if (!skipped && !Double.isFinite(outcome.loss())) {
            failed = true;
            throw new TrainingException("loss became " + outcome.loss() + " at step " + (iteration + 1)
                    + " (learning rate " + lr + "; dataset losses " + outcome.datasetLosses()
                    + "); the weights of this step are not saved. Lower TRAIN.base_lr or check the input data,"
                    + " then resume from the last checkpoint");
        }
        iteration++;
        return new StepResult(iteration, lr, outcome);
    }

    /** The labels as a read-only tensor over the batch's array (not copied), uint8 or uint16 by their width. */
    private static TType labelTensor(Shape shape, LabelBuffer labels) {
        if (labels instanceof LabelBuffer.Shorts wide) {
            return TUint16.tensorOf(shape, DataBuffers.of(wide.ids(), true, false));
        }
        return TUint8.tensorOf(shape, DataBuffers.of(((LabelBuffer.Bytes) labels).ids(), true, false));
    }

    /**
     * Predicts class ids (argmax of the logits) with BN in inference mode.
     *
     * @param images NHWC RGB normalised, {@code n·height·width·3} floats
     * @param n      number of images
     * @return {@code n·height·width} class ids in this trainer's label width: 8-bit, or 16-bit for a taxonomy of
     *         more than 255 classes (an ignore label above 255)
     * @throws IllegalArgumentException if the size was not declared with {@link Builder#evalSize}
     */
    public LabelBuffer predict(float[] images, int n, int height, int width) {
        StepGraph.EvalPass pass = stepGraph.evalPass(height, width).orElse(null);
        if (pass == null) {
            throw new IllegalArgumentException("no inference pass for " + height + "x" + width + "; declare it with"
                    + " Trainer.Builder.evalSize (declared: " + evalSizes() + ")");
        }
        LabelBuffer out = LabelBuffer.allocate(stepGraph.labelBits(), n * height * width);
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(n, height, width, 3), DataBuffers.of(images, true, false));
                Result r = session.runner().feed(pass.input(), in).fetch(pass.prediction()).run()) {
            if (out instanceof LabelBuffer.Shorts wide) {
                r.get(0).asRawTensor().data().asShorts().read(wide.ids());
            } else {
                ((TUint8) r.get(0)).asRawTensor().data().read(((LabelBuffer.Bytes) out).ids());
            }
        }
        return out;
    }

    /**
     * Seconds the all-reduce of one step's gradients takes on its own, averaged over {@code runs} (for
     * {@code bench train}: the share of a step spent exchanging gradients, had nothing overlapped it); 0 on one device.
     */
    public double timeGradientAllReduce(int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be positive, was " + runs);
        }
        return stepGraph.towers().map(t -> t.timeGradientAllReduce(session, stepGraph.optimizer().variables(), runs))
                .orElse(0.0);
    }

    /** The inference sizes declared, as {@code HxW}. */
    public List<String> evalSizes() {
        return stepGraph.evalSizes();
    }

    /**
     * The values of every model variable and momentum buffer by op name (for tests and diagnostics; copies the
     * weights into the Java heap).
     */
    public Map<String, float[]> variableValues() {
        List<Variable<TFloat32>> all = new ArrayList<>(stepGraph.model().allVariables());
        all.addAll(stepGraph.optimizer().slots());
        return VariableStateDict.values(session, all);
    }

    @Override
    public void close() {
        closeTask();
        try {
            session.close();
        } finally {
            graph.close();
        }
    }

    /** The result of one {@link #step}. */
    public record StepResult(long iteration, double learningRate, StepOutcome outcome) {
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private Function<Ops, GraphModel> model;
        private List<DatasetSlice> slices = List.of();
        private int cropHeight;
        private int cropWidth;
        private GraphTrainingStrategy strategy = new StandardStrategy();
        private Map<String, Object> strategyOptions = Map.of();
        private PolyLrSchedule schedule;
        private float momentum = 0.9f;
        private float weightDecay = 1e-4f;
        private float auxWeight = 0.4f;
        private int ignoreLabel = 255;
        private final List<int[]> evalSizes = new ArrayList<>();
        private int intraOpThreads;
        private int interOpThreads;
        private boolean graphOptimizer;
        private Consumer<Trainer> initializer = t -> { };
        private DevicePlan devices = DevicePlan.single();
        private Precision precision = Precision.FP32;
        private ClusterSpec cluster;
        private float peerTimeoutSeconds;
        private String clusterCheck = "";
        private String gradientType = "fp32";
        private float initialLossScale = DynamicLossScale.DEFAULT_INITIAL_SCALE;
        private int lossScaleGrowthInterval = DynamicLossScale.DEFAULT_GROWTH_INTERVAL;

        private Builder() {
        }

        /**
         * Makes this trainer one task of a TensorFlow cluster (default: none, one process): it starts this process's
         * {@link TaskServer}, its towers take their share of every step's rows among the replicas of all tasks, and
         * the first session checks with the other tasks that they match, then takes task 0's variables. Every task
         * feeds the whole batch of each step.
         *
         * @param timeoutSeconds how long a collective waits for the other tasks before the step fails, naming the
         *                       tasks that are gone ({@code TRAIN.peer_timeout})
         * @param setupCheck     what else every task must agree on (e.g. the loader's seed), compared by hash
         */
        public Builder cluster(ClusterSpec cluster, float timeoutSeconds, String setupCheck) {
            if (!(timeoutSeconds > 0)) {
                throw new IllegalArgumentException("the peer timeout must be positive, was " + timeoutSeconds);
            }
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            this.peerTimeoutSeconds = timeoutSeconds;
            this.clusterCheck = Objects.requireNonNull(setupCheck, "setupCheck");
            return this;
        }

        /**
         * The type the replicas' gradients are summed in ({@code TRAIN.allreduce_precision}): {@code fp32} (default,
         * exact), or {@code bf16} / {@code fp16}, which halve the bytes every all-reduce moves at the cost of
         * rounding each replica's gradient (bf16 keeps float32's range with 8 bits of mantissa; fp16 keeps 11 bits
         * but overflows above 65504). Only several replicas read it.
         */
        public Builder allReducePrecision(String type) {
            if (!ReplicaLayout.GRADIENT_TYPES.contains(type)) {
                throw new IllegalArgumentException("all-reduce precision must be one of " + ReplicaLayout.GRADIENT_TYPES
                        + ", was " + type);
            }
            this.gradientType = type;
            return this;
        }

        /** The devices the step runs on (default {@link DevicePlan#single()}). */
        public Builder devices(DevicePlan plan) {
            this.devices = Objects.requireNonNull(plan, "plan");
            return this;
        }

        /**
         * Creates the model's variables in the given (root-scope) ops, e.g.
         * {@code tf -> GraphModels.build(provider, spec, tf, seed)}.
         */
        public Builder model(Function<Ops, GraphModel> factory) {
            this.model = Objects.requireNonNull(factory);
            return this;
        }

        /** The batch layout of every step. */
        public Builder slices(List<DatasetSlice> slices) {
            this.slices = List.copyOf(slices);
            return this;
        }

        /** The crop size of every step ({@code 8k + 1} for HRNet). */
        public Builder crop(int height, int width) {
            this.cropHeight = height;
            this.cropWidth = width;
            return this;
        }

        /** The strategy (default {@link StandardStrategy}) and its options. */
        public Builder strategy(GraphTrainingStrategy strategy, Map<String, Object> options) {
            this.strategy = Objects.requireNonNull(strategy);
            this.strategyOptions = Map.copyOf(options);
            return this;
        }

        /** The learning-rate schedule (it also fixes max_iters). */
        public Builder schedule(PolyLrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** SGD momentum (default 0.9) and weight decay (default 1e-4). */
        public Builder sgd(float momentum, float weightDecay) {
            this.momentum = momentum;
            this.weightDecay = weightDecay;
            return this;
        }

        /** Weight of an auxiliary head's loss (default 0.4; unused by HRNet). */
        public Builder auxWeight(float auxWeight) {
            this.auxWeight = auxWeight;
            return this;
        }

        /**
         * The label that carries no loss (default 255). Above 255 (65535, {@code TaxonomyMapping.WIDE_IGNORE_ID}),
         * labels are fed as uint16, for taxonomies of more than 255 classes such as the naive one.
         */
        public Builder ignoreLabel(int ignoreLabel) {
            this.ignoreLabel = ignoreLabel;
            return this;
        }

        /** Adds an inference pass for {@link Trainer#predict} at this input size. */
        public Builder evalSize(int height, int width) {
            this.evalSizes.add(new int[] {height, width});
            return this;
        }

        /**
         * The precision the model computes in (default {@link Precision#FP32}); {@link Precision#FP16_PURE} is
         * refused when the graph is built.
         */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision);
            return this;
        }

        /**
         * Dynamic loss scaling of {@link Precision#FP16}: the first scale (default 2^16) and the finite steps in a row
         * after which it doubles (default 2000). Ignored in other precisions.
         */
        public Builder lossScaling(float initialScale, int growthInterval) {
            this.initialLossScale = initialScale;
            this.lossScaleGrowthInterval = growthInterval;
            return this;
        }

        /** TensorFlow thread pools (0 = TensorFlow's choice, the default). */
        public Builder threads(int intraOp, int interOp) {
            this.intraOpThreads = intraOp;
            this.interOpThreads = interOp;
            return this;
        }

        /** Whether Grappler optimises the graph (default off: seconds of start-up, no measured gain). */
        public Builder graphOptimizer(boolean enabled) {
            this.graphOptimizer = enabled;
            return this;
        }

        /**
         * Runs after the variables are initialised and before the first step, e.g. to import pretrained weights or
         * restore a checkpoint.
         */
        public Builder initializer(Consumer<Trainer> initializer) {
            this.initializer = Objects.requireNonNull(initializer);
            return this;
        }

        /** Builds the graph and the session. */
        public Trainer build() {
            Objects.requireNonNull(model, "model");
            if (slices.isEmpty()) {
                throw new IllegalArgumentException("no dataset slices");
            }
            if (cropHeight < 1 || cropWidth < 1) {
                throw new IllegalArgumentException("crop size not set");
            }
            warnIfSlow(precision);
            return new Trainer(this);
        }
    }
}
