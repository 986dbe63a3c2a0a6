package org.mseg.mgda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.TensorFlowStrategy;
import org.mseg.engine.StepContext;
import org.mseg.engine.StepOutcome;
import org.mseg.engine.StepProgram;
import org.mseg.engine.StrategyContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * {@code --strategy mgda}: MSeg's MGDA baseline on the TensorFlow engine. Every dataset of the batch is a task.
 *
 * <p>Each step runs the session twice:
 * <ol>
 *   <li>Forward pass (BN statistics over the whole batch, as the engine builds it), the per-dataset training losses
 *       {@code L_d} ({@link StrategyContext#datasetObjectives()}) and their gradients {@code g_d}, and, in the graph,
 *       the Gram matrix {@code G_ij = Σ_v ⟨g_i[v], g_j[v]⟩}: for every variable {@code v} the {@code D} flattened
 *       gradients are stacked into a {@code [D, |v|]} matrix {@code X_v} and {@code X_v X_vᵀ} is accumulated (in
 *       float64 across variables), so no model-sized vector is ever concatenated. {@code G} and {@code L} are fetched
 *       together. In {@code rep} mode (MGDA-UB) {@code g_d} is the gradient w.r.t. the representation
 *       ({@code forward().representation()}), a single {@code [D, N·h·w·C]} product.</li>
 *   <li>In Java: scales {@code s} ({@link GradientNormalization}), {@code α = MinNormSolver.solve(G')} on the rescaled
 *       Gram matrix, weights {@code w_d = α_d·s_d / Σ_e α_e·s_e} (the min-norm direction of the rescaled gradients,
 *       with weights summing to 1 so the learning rate keeps its meaning; {@code w = α} for {@code none}). The
 *       weights are fed to a placeholder and the engine's update is applied to {@code Σ_d w_d g_d} (SGD with momentum
 *       and weight decay, BN running statistics), as upstream overwrites every parameter gradient with
 *       {@code Σ α_d g_d} before {@code optimizer.step()}.</li>
 * </ol>
 *
 * <p>Cost of the second run. By linearity {@code Σ_d w_d g_d = ∇θ Σ_d w_d L_d}, so the second run recomputes the
 * forward pass and <em>one</em> backward pass of the weighted loss (not {@code D} of them), and needs no memory beyond
 * the first run's. The alternative, storing every {@code g_d} in non-trainable variables during the first run and
 * combining those in the second, was measured on the tiny HRNet (3 datasets × 2 crops, 2 CPU cores): ×3.68 the
 * {@code standard} step time against ×3.00 for recomputing at 33×33 (×2.39 against ×2.23 at 17×17), 30 s more graph
 * construction, {@code D} model-sized variables in device memory and in every checkpoint, and the forward pass still
 * runs in the second session run (the engine's update includes the BN running-statistics update). So it was dropped.
 *
 * <p>The logged loss is {@code Σ_d α_d L_d}; the extras are {@code alpha/<dataset>} (the min-norm weights) and
 * {@code grad_norm/<dataset>} ({@code ‖g_d‖}, what upstream prints as "Gradient norms"), plus {@code weight/<dataset>}
 * ({@code w_d}) when a normalisation is active. A step whose losses or Gram matrix are not finite applies no update
 * and reports a NaN loss, which stops the engine.
 *
 * <p>Precision: fp32, and bf16 in {@code params} mode (the gradients of the float32 master weights are float32);
 * fp16 is refused (per-dataset gradients are read between two session runs, which dynamic loss scaling cannot
 * skip).
 */
public final class MgdaStrategy implements TensorFlowStrategy {

    /** The strategy's name. */
    public static final String NAME = "mgda";

    private static final Logger LOG = LoggerFactory.getLogger(MgdaStrategy.class);

    private final MgdaOptions options;
    private final Consumer<MgdaStep> observer;

    /** A strategy with the given options. */
    public MgdaStrategy(MgdaOptions options) {
        this(options, step -> { });
    }

    /**
     * A strategy that also reports every solved step (for tests, diagnostics and plots of {@code α} over time).
     *
     * @param observer called on the training thread after each step's update was applied
     */
    public MgdaStrategy(MgdaOptions options, Consumer<MgdaStep> observer) {
        this.options = Objects.requireNonNull(options, "options");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** The options. */
    public MgdaOptions options() {
        return options;
    }

    @Override
    public String name() {
        return NAME;
    }


    @Override
    public StepProgram build(StrategyContext context) {
        Ops tf = context.tf();
        List<DatasetSlice> slices = context.slices();
        int datasets = slices.size();
        checkPrecision(context.precision());
        if (options.mode() == MgdaMode.REP && context.replicas() > 1) {
            throw new ConfigException("TRAIN.mgda_mode: rep differentiates the losses w.r.t. the representation of"
                    + " one forward pass, which training on " + context.replicas() + " devices splits into towers; use"
                    + " mgda_mode: params (MSeg's setting, reduced over all devices) or train on one device"
                    + " (devices: cpu)");
        }
        if (datasets < 2) {
            LOG.warn("MGDA with a single dataset ({}): α is always 1, the extra gradient work is wasted",
                    slices.get(0).dataset());
        }
        Operand<TFloat32> objectives = context.datasetObjectives();
        List<Operand<TFloat32>> perDataset = new ArrayList<>();
        for (int d = 0; d < datasets; d++) {
            float[] pick = new float[datasets];
            pick[d] = 1f;
            perDataset.add(tf.sum(tf.math.mul(objectives, tf.constant(pick)), tf.constant(0)));
        }

        List<List<Operand<TFloat32>>> taskGradients = new ArrayList<>();
        if (options.mode() == MgdaMode.PARAMS) {
            for (Operand<TFloat32> loss : perDataset) {
                taskGradients.add(context.gradients(loss));
            }
        } else {
            Operand<TFloat32> representation = tappedTensor(context.forward().representation());
            for (Operand<TFloat32> loss : perDataset) {
                Operand<TFloat32> g;
                try {
                    @SuppressWarnings("unchecked")
                    Operand<TFloat32> dz = (Operand<TFloat32>) (Operand<?>) tf.gradients(loss,
                            List.of(representation)).dy(0);
                    g = dz;
                } catch (RuntimeException e) {
                    throw new ConfigException(noPathToRepresentation(representation) + " (" + e.getMessage() + ")",
                            e);
                }
                if (g.asOutput().isClosed()) {
                    throw new ConfigException(noPathToRepresentation(representation));
                }
                taskGradients.add(List.of(g));
            }
        }
        Operand<TFloat64> gram = gram(tf, taskGradients);

        Placeholder<TFloat32> weights = tf.withName("mgda_weights").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(datasets)));
        Operand<TFloat32> weighted = tf.sum(tf.math.mul(objectives, weights), tf.constant(0));
        Op train = context.minimize(context.gradients(weighted));
        LOG.info("MGDA: {} datasets, mode {}, normalization {}", datasets, options.mode().configName(),
                options.normalization().configName());
        List<String> names = slices.stream().map(DatasetSlice::dataset).toList();
        return new Program(options.normalization(), names, gram, objectives, context.loss().datasetLosses(), weights,
                train, observer);
    }

    /**
     * MGDA reads every dataset's gradients between two session runs, which dynamic loss scaling does not fit: an
     * overflowing step would stop the run instead of being skipped. Representation gradients of a bfloat16 model are
     * bfloat16 tensors behind a cast, so {@code rep} mode needs float32.
     */
    private void checkPrecision(Precision precision) {
        if (precision == Precision.FP16) {
            throw new ConfigException("TRAIN.precision fp16 (opt_level O1/O2) does not work with --strategy mgda: its"
                    + " min-norm weights come from per-dataset gradients read between two session runs, which dynamic"
                    + " loss scaling cannot skip; use precision: bf16 (mgda_mode: params) or fp32");
        }
        if (precision != Precision.FP32 && options.mode() == MgdaMode.REP) {
            throw new ConfigException("TRAIN.mgda_mode: rep needs precision: fp32 (the representation gradients of a "
                    + precision.configName() + " model are low-precision tensors); use mgda_mode: params with "
                    + precision.configName() + ", or precision: fp32");
        }
    }

    private static String noPathToRepresentation(Operand<TFloat32> representation) {
        return "TRAIN.mgda_mode: rep needs the losses to depend on the model's representation ("
                + representation.op().name() + "), but TensorFlow found no gradient path to it; use mgda_mode: params";
    }

    /**
     * The tensor an {@code Identity} tap reads (following chains of them), else the operand itself. HRNet's
     * {@code representation} is such a tap beside the classifier, not on the path to the logits, so TensorFlow finds
     * no gradient w.r.t. the tap itself; the gradient w.r.t. the tapped tensor is the one MGDA-UB needs, and for an
     * identity on the path it is the same.
     */
    @SuppressWarnings("unchecked")
    static Operand<TFloat32> tappedTensor(Operand<TFloat32> operand) {
        Operand<TFloat32> current = operand;
        while (current.op() instanceof GraphOperation op && op.type().equals("Identity") && op.numInputs() == 1) {
            current = (Operand<TFloat32>) (Operand<?>) op.input(0);
        }
        return current;
    }

    /**
     * {@code Σ_v X_v X_vᵀ} with {@code X_v} the {@code [D, |v|]} stack of the flattened per-task gradients of part
     * {@code v}; float32 products, float64 sum over parts.
     */
    static Operand<TFloat64> gram(Ops tf, List<List<Operand<TFloat32>>> taskGradients) {
        int parts = taskGradients.get(0).size();
        List<Operand<TFloat64>> partial = new ArrayList<>();
        for (int v = 0; v < parts; v++) {
            List<Operand<TFloat32>> rows = new ArrayList<>();
            for (List<Operand<TFloat32>> g : taskGradients) {
                rows.add(tf.reshape(g.get(v), tf.constant(new int[] {-1})));
            }
            Operand<TFloat32> x = tf.stack(rows);
            partial.add(tf.dtypes.cast(tf.linalg.matMul(x, x, MatMul.transposeB(true)), TFloat64.class));
        }
        return partial.size() == 1 ? partial.get(0) : tf.math.addN(partial);
    }

    /** The per-step program: fetch the Gram matrix and losses, solve, apply the weighted update. */
    private static final class Program implements StepProgram {
        private final GradientNormalization normalization;
        private final List<String> datasets;
        private final Operand<TFloat64> gram;
        private final Operand<TFloat32> objectives;
        private final Operand<TFloat32> datasetLosses;
        private final Placeholder<TFloat32> weights;
        private final Op train;
        private final Consumer<MgdaStep> observer;
        private boolean warned;

        Program(GradientNormalization normalization, List<String> datasets, Operand<TFloat64> gram,
                Operand<TFloat32> objectives, Operand<TFloat32> datasetLosses, Placeholder<TFloat32> weights,
                Op train, Consumer<MgdaStep> observer) {
            this.normalization = normalization;
            this.datasets = datasets;
            this.gram = gram;
            this.objectives = objectives;
            this.datasetLosses = datasetLosses;
            this.weights = weights;
            this.train = train;
            this.observer = observer;
        }

        @Override
        public StepOutcome run(StepContext step) {
            int n = datasets.size();
            double[][] g = new double[n][n];
            double[] losses = new double[n];
            Map<String, Double> byDataset;
            // for models without an auxiliary head the objectives are the dataset losses: fetch that output once
            boolean sameOutput = objectives.asOutput().equals(datasetLosses.asOutput());
            var runner = step.runner().fetch(gram).fetch(objectives);
            if (!sameOutput) {
                runner.fetch(datasetLosses);
            }
            try (Result r = runner.run()) {
                double[] flat = new double[n * n];
                ((TFloat64) r.get(0)).asRawTensor().data().asDoubles().read(flat);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        g[i][j] = 0.5 * flat[i * n + j] + 0.5 * flat[j * n + i];
                    }
                }
                float[] l = new float[n];
                ((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(l);
                for (int d = 0; d < n; d++) {
                    losses[d] = l[d];
                }
                byDataset = step.byDataset((TFloat32) r.get(sameOutput ? 1 : 2));
            }
            if (!allFinite(losses) || !allFinite(g)) {
                // no usable direction: skip the update; the NaN loss makes the engine stop and name this step
                return new StepOutcome(Double.NaN, byDataset, Map.of());
            }
            double[] scales = normalization.scales(g, losses);
            MinNormSolver.Result solved = MinNormSolver.solve(GradientNormalization.rescaleGram(g, scales),
                    MinNormSolver.DEFAULT_MAX_ITERATIONS, MinNormSolver.DEFAULT_TOLERANCE);
            if (!solved.converged() && !warned) {
                LOG.warn("MGDA step {}: the min-norm solver stopped before its tolerance after {} iterations; using"
                        + " its best point (further occurrences are not logged)", step.iteration() + 1,
                        solved.iterations());
                warned = true;
            }
            double[] alpha = solved.alpha();
            double[] w = updateWeights(alpha, scales);
            float[] wf = new float[n];
            for (int d = 0; d < n; d++) {
                wf[d] = (float) w[d];
            }
            try (TFloat32 fed = TFloat32.vectorOf(wf)) {
                // the update is the target; nothing is fetched, the (empty) result is closed at once
                step.runner().feed(weights, fed).addTarget(train).run().close();
            }
            MgdaStep solvedStep = new MgdaStep(step.iteration(), datasets, g, losses, scales, alpha, w,
                    solved.converged());
            Map<String, Double> extras = new LinkedHashMap<>();
            for (int d = 0; d < n; d++) {
                extras.put("alpha/" + datasets.get(d), alpha[d]);
            }
            if (normalization != GradientNormalization.NONE) {
                for (int d = 0; d < n; d++) {
                    extras.put("weight/" + datasets.get(d), w[d]);
                }
            }
            for (int d = 0; d < n; d++) {
                extras.put("grad_norm/" + datasets.get(d), Math.sqrt(Math.max(g[d][d], 0)));
            }
            observer.accept(solvedStep);
            return new StepOutcome(solvedStep.weightedLoss(), byDataset, extras);
        }

        /**
         * {@code α_d s_d / Σ_e α_e s_e}: the direction of the min-norm point of the rescaled gradients, with weights
         * summing to 1 as without normalisation (and as in the reference code's update), so that the learning rate
         * keeps its meaning. Unnormalised, {@code α_d s_d} alone made {@code rep} mode with {@code l2} diverge (the
         * scales of representation gradients are in the hundreds).
         */
        static double[] updateWeights(double[] alpha, double[] scales) {
            double[] w = GradientNormalization.rawGradientWeights(alpha, scales);
            double sum = 0;
            for (double v : w) {
                sum += v;
            }
            if (sum > 0 && Double.isFinite(sum)) {
                for (int d = 0; d < w.length; d++) {
                    w[d] /= sum;
                }
            }
            return w;
        }

        private static boolean allFinite(double[] values) {
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean allFinite(double[][] values) {
            for (double[] row : values) {
                if (!allFinite(row)) {
                    return false;
                }
            }
            return true;
        }
    }
}
