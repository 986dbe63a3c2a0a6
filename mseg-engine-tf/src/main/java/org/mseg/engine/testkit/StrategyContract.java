package org.mseg.engine.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.StrategyBackend;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;
import org.mseg.engine.GraphTrainingStrategy;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.StepOutcome;
import org.mseg.engine.Trainer;
import org.mseg.engine.model.GraphModels;

/**
 * The contract every {@link TrainingStrategyProvider} of the TensorFlow engine must meet, checked in one call from a
 * plugin's own tests with any model provider: {@code StrategyContract.check(provider, Map.of(), models, spec, 17,
 * 17, slices)}. It throws {@link AssertionError}s whose message names the provider and every rule it broke.
 *
 * <p>What is checked: a lower-case name, a description, configuration keys of the form {@code SECTION.key}; the
 * strategy {@code create} returns (with a backend named {@code tensorflow}, as {@code TrainingRun} passes it) has the
 * provider's name, offers {@link GraphTrainingStrategy} and refuses an unknown type with
 * {@link IllegalArgumentException}; a {@link Trainer} built with it on synthetic batches (rectangles of class colours
 * with noise, 255 on the border) runs {@value #STEPS} steps with finite losses, reports a finite loss for every dataset
 * of the batch in slice order, and changes the model's trainable variables; and two trainers built the same way (same
 * seed, same batches, a strategy from a second {@code create}) end with bit-identical variables and momentum buffers
 * and report bit-identical losses. That last check holds on one machine only: nothing here compares numbers with
 * values recorded elsewhere.
 */
public final class StrategyContract {

    /** Steps each trainer runs. */
    public static final int STEPS = 2;

    private static final long SEED = 11;
    private static final double BASE_LR = 0.01;

    private StrategyContract() {
    }

    /**
     * Checks the strategy provider with a model built by {@code model}.
     *
     * @param provider the strategy provider
     * @param options  the strategy's options (flat key → value, as {@code TrainingRun} passes them)
     * @param model    the model provider
     * @param spec     the model to build; at most 255 classes (the batches carry 8-bit labels)
     * @param height   crop height the model accepts
     * @param width    crop width the model accepts
     * @param slices   the batch layout, contiguous from row 0; at least two datasets to exercise multi-dataset logic
     * @throws AssertionError listing every violation, naming the provider
     */
    public static void check(TrainingStrategyProvider provider, Map<String, Object> options, ModelProvider model,
            ModelSpec spec, int height, int width, List<DatasetSlice> slices) {
        if (spec.numClasses() > 255) {
            throw new IllegalArgumentException("the contract feeds 8-bit labels; use at most 255 classes, got "
                    + spec.numClasses());
        }
        List<String> v = new ArrayList<>();
        String p = ModelProviderContract.describe(provider);
        try {
            run(provider, options, model, spec, height, width, slices, v, p);
        } catch (RuntimeException | AssertionError e) {
            v.add(p + ": unexpected " + e);
            AssertionError error = failure(p, model, v);
            error.initCause(e);
            throw error;
        }
        if (!v.isEmpty()) {
            throw failure(p, model, v);
        }
    }

    private static AssertionError failure(String p, ModelProvider model, List<String> v) {
        return new AssertionError(p + " breaks the training strategy contract (with model '" + model.name() + "'), "
                + v.size() + " violation(s):\n  - " + String.join("\n  - ", v));
    }

    private static void run(TrainingStrategyProvider provider, Map<String, Object> options, ModelProvider model,
            ModelSpec spec, int height, int width, List<DatasetSlice> slices, List<String> v, String p) {
        ModelProviderContract.checkRegistration(provider, provider.configKeys(), v, p);
        GraphTrainingStrategy strategy = graphStrategy(provider, options, v, p);
        if (strategy == null) {
            return;
        }
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            batches.add(batch(i, height, width, spec.numClasses(), slices));
        }
        List<String> datasets = slices.stream().map(DatasetSlice::dataset).toList();
        Run first;
        try (Trainer trainer = trainer(model, spec, height, width, slices, strategy, options)) {
            Set<String> trainable = new HashSet<>();
            trainer.model().parameterGroups().forEach(g -> g.variables().forEach(x -> trainable.add(x.op().name())));
            Map<String, float[]> before = trainer.variableValues();
            List<StepOutcome> outcomes = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                Trainer.StepResult result = trainer.step(batches.get(i));
                outcomes.add(result.outcome());
                checkOutcome(i + 1, result, datasets, v, p);
                if (i == 0) {
                    Map<String, float[]> after = trainer.variableValues();
                    boolean changed = trainable.stream().anyMatch(n -> !Arrays.equals(before.get(n), after.get(n)));
                    if (!changed) {
                        v.add(p + ": the first step leaves every trainable variable of the model unchanged; the"
                                + " step program must run the op of StrategyContext.minimize once per step");
                    }
                }
            }
            first = new Run(outcomes, trainer.variableValues());
        }

        GraphTrainingStrategy again = graphStrategy(provider, options, v, p);
        if (again == null) {
            return;
        }
        try (Trainer trainer = trainer(model, spec, height, width, slices, again, options)) {
            List<StepOutcome> outcomes = new ArrayList<>();
            for (Batch b : batches) {
                outcomes.add(trainer.step(b).outcome());
            }
            Map<String, float[]> values = trainer.variableValues();
            for (int i = 0; i < STEPS; i++) {
                StepOutcome a = first.outcomes().get(i);
                StepOutcome b = outcomes.get(i);
                if (Double.compare(a.loss(), b.loss()) != 0 || !a.datasetLosses().equals(b.datasetLosses())) {
                    v.add(p + ": two trainers with the same seed and batches report different losses at step "
                            + (i + 1) + ": " + a + " vs " + b);
                }
            }
            List<String> differ = first.values().keySet().stream()
                    .filter(n -> !Arrays.equals(first.values().get(n), values.get(n))).toList();
            if (!differ.isEmpty() || !values.keySet().equals(first.values().keySet())) {
                v.add(p + ": two trainers with the same seed and batches end with different variables after "
                        + STEPS + " steps (" + differ.size() + " of " + first.values().size() + " differ, e.g. "
                        + differ.stream().limit(3).toList() + "); a strategy must be deterministic on one machine"
                        + " (seed its sampling from the step, update behind StrategyContext.minimize's barrier)");
            }
        }
    }

    private static GraphTrainingStrategy graphStrategy(TrainingStrategyProvider provider, Map<String, Object> options,
            List<String> v, String p) {
        TrainingStrategy strategy = provider.create(options, StrategyBackend.INSTANCE);
        if (strategy == null) {
            v.add(p + ": create returned null");
            return null;
        }
        if (!provider.name().equals(strategy.name())) {
            v.add(p + ": the created strategy's name() is '" + strategy.name() + "', not the provider's");
        }
        try {
            strategy.unwrap(ContractProbe.class);
            v.add(p + ": TrainingStrategy.unwrap of an unknown type returned instead of throwing"
                    + " IllegalArgumentException");
        } catch (IllegalArgumentException expected) {
            // as specified
        } catch (RuntimeException e) {
            v.add(p + ": TrainingStrategy.unwrap of an unknown type must throw IllegalArgumentException, threw " + e);
        }
        try {
            GraphTrainingStrategy graph = strategy.unwrap(GraphTrainingStrategy.class);
            if (graph == null) {
                v.add(p + ": unwrap(GraphTrainingStrategy.class) returned null");
            }
            return graph;
        } catch (IllegalArgumentException e) {
            v.add(p + ": the strategy offers no " + GraphTrainingStrategy.class.getName() + " for the TensorFlow"
                    + " engine: " + e.getMessage());
            return null;
        }
    }

    private static Trainer trainer(ModelProvider model, ModelSpec spec, int height, int width,
            List<DatasetSlice> slices, GraphTrainingStrategy strategy, Map<String, Object> options) {
        return Trainer.builder()
                .model(tf -> GraphModels.build(model, spec, tf, SEED))
                .slices(slices)
                .crop(height, width)
                .strategy(strategy, options)
                .schedule(new PolyLrSchedule(BASE_LR, STEPS, 0.9))
                .build();
    }

    private static void checkOutcome(int step, Trainer.StepResult result, List<String> datasets, List<String> v,
            String p) {
        StepOutcome o = result.outcome();
        if (result.iteration() != step) {
            v.add(p + ": after step " + step + " the trainer counts " + result.iteration() + " steps");
        }
        if (!Double.isFinite(o.loss())) {
            v.add(p + ": step " + step + " reports the loss " + o.loss());
        }
        if (!List.copyOf(o.datasetLosses().keySet()).equals(datasets)) {
            v.add(p + ": step " + step + " reports dataset losses for " + o.datasetLosses().keySet() + ", expected"
                    + " every dataset of the batch in slice order " + datasets);
        }
        o.datasetLosses().forEach((d, x) -> {
            if (x == null || !Double.isFinite(x)) {
                v.add(p + ": step " + step + " reports the loss " + x + " for dataset " + d);
            }
        });
        o.extras().forEach((k, x) -> {
            if (k == null || k.isBlank() || x == null || Double.isNaN(x)) {
                v.add(p + ": step " + step + " reports the extra '" + k + "' = " + x);
            }
        });
    }

    /**
     * Synthetic batch {@code index}: per crop a few rectangles of classes {@code 1..K−1} on class 0, each class with
     * its own colour plus Gaussian noise; the border is 255 (ignore). Depends only on the arguments.
     */
    static Batch batch(long index, int height, int width, int classes, List<DatasetSlice> slices) {
        int n = slices.stream().mapToInt(DatasetSlice::count).sum();
        int pixels = height * width;
        float[] images = new float[n * pixels * 3];
        byte[] labels = new byte[n * pixels];
        Random random = new Random(31_337L * (index + 1));
        for (int b = 0; b < n; b++) {
            int[] label = new int[pixels];
            for (int r = 0; r < 3 && classes > 1; r++) {
                int c = 1 + random.nextInt(classes - 1);
                int y0 = random.nextInt(height);
                int x0 = random.nextInt(width);
                int h = 2 + random.nextInt(Math.max(1, height / 2));
                int w = 2 + random.nextInt(Math.max(1, width / 2));
                for (int y = y0; y < Math.min(height, y0 + h); y++) {
                    for (int x = x0; x < Math.min(width, x0 + w); x++) {
                        label[y * width + x] = c;
                    }
                }
            }
            for (int q = 0; q < pixels; q++) {
                int y = q / width;
                int x = q % width;
                int c = label[q];
                for (int ch = 0; ch < 3; ch++) {
                    // a fixed colour per class and channel in [-1.5, 1.5]
                    float colour = (((c * 7 + ch * 3) % 5) - 2) * 0.75f;
                    images[(b * pixels + q) * 3 + ch] = colour + (float) (random.nextGaussian() * 0.3);
                }
                boolean border = y == 0 || x == 0 || y == height - 1 || x == width - 1;
                labels[b * pixels + q] = (byte) (border ? 255 : c);
            }
        }
        return new Batch(index, height, width, images, LabelBuffer.of(labels), slices, Map.of("next", index + 1));
    }

    /** The results of one trainer: its step outcomes and its final variables. */
    private record Run(List<StepOutcome> outcomes, Map<String, float[]> values) {
    }

    /** A type no strategy offers, to check that {@code unwrap} refuses it. */
    private static final class ContractProbe {
    }
}
