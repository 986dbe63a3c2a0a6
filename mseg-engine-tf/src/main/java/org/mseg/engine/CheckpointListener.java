package org.mseg.engine;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.api.config.Precision;
import org.mseg.api.train.StepReport;
import org.mseg.datasets.loader.Batch;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;

/**
 * A run's checkpoint policy in one place: how often ({@code save_freq}, in steps), how many are kept
 * ({@code keep_checkpoints}), and what each records — the model's metadata and the engine's state map (iteration,
 * schedule length, strategy, precision, loss scaler, loader position, seed, resolved configuration, plugins, the
 * last step's losses), which {@link ResumeState} reads back.
 *
 * <p>Checkpoints go to {@code RUN/checkpoints/iter_<n>}, written atomically by {@link Checkpoints#write}.
 */
public final class CheckpointListener implements TrainingLoop.Checkpointer {

    private final Path runDirectory;
    private final long saveEvery;
    private final int keepLast;
    private final CheckpointMetadata base;
    private final Map<String, Object> constant;
    private final Precision precision;

    /**
     * @param runDirectory the run folder
     * @param saveEvery    steps between checkpoints; 0 saves only after the last step
     * @param keepLast     how many checkpoints to keep, newest first; 0 keeps all
     * @param setup        the run (model metadata, strategy, precision, schedule, seed, configuration)
     * @param trainer      the trainer (its optimizer's and loss scaler's variables are saved beside the model's)
     * @param plugins      the plugin modules loaded ({@code name@version}), so evaluate and infer can name them
     */
    public CheckpointListener(Path runDirectory, long saveEvery, int keepLast, TrainingSetup setup, Trainer trainer,
            List<String> plugins) {
        if (saveEvery < 0 || keepLast < 0) {
            throw new IllegalArgumentException("saveEvery and keepLast must not be negative, were " + saveEvery
                    + " and " + keepLast);
        }
        this.runDirectory = runDirectory;
        this.saveEvery = saveEvery;
        this.keepLast = keepLast;
        this.precision = setup.precision();
        List<String> extraVariables = new ArrayList<>();
        trainer.optimizer().slots().forEach(v -> extraVariables.add(v.op().name()));
        trainer.lossScaling().ifPresent(l -> extraVariables.addAll(l.variableNames()));
        this.base = CheckpointMetadata.of(setup.modelProvider(), setup.modelSpec(), setup.taxonomy().name(),
                setup.taxonomy().classNames()).withExtraVariables(extraVariables);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("max_iters", setup.maxIters());
        c.put("strategy", setup.strategyName());
        c.put("precision", precision.configName());
        c.put("seed", setup.seed());
        c.put("config", jsonSafe(setup.config().flat()));
        c.put(TrainingRun.PLUGINS_KEY, List.copyOf(plugins));
        this.constant = c;
    }

    @Override
    public boolean due(long iteration) {
        return saveEvery > 0 && iteration % saveEvery == 0;
    }

    @Override
    public Path save(Trainer t, Batch last, StepReport step) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("iteration", t.iteration());
        training.put("max_iters", constant.get("max_iters"));
        training.put("strategy", constant.get("strategy"));
        training.put("precision", constant.get("precision"));
        t.lossScaleState().ifPresent(state -> {
            Map<String, Object> scaler = new LinkedHashMap<>();
            scaler.put("scale", (double) state.scale());
            scaler.put("good_steps", state.goodSteps());
            scaler.put("skipped_steps", state.skippedSteps());
            training.put("loss_scale", scaler);
        });
        training.put("loader", last.sourceState());
        training.put("rng", Map.of("manual_seed", constant.get("seed")));
        training.put("config", constant.get("config"));
        training.put(TrainingRun.PLUGINS_KEY, constant.get(TrainingRun.PLUGINS_KEY));
        Map<String, Object> lastStep = new LinkedHashMap<>();
        // a step that fp16 loss scaling skipped may have a non-finite loss, which JSON cannot hold
        lastStep.put("loss", finiteOrNull(step.loss()));
        lastStep.put("dataset_losses", finiteOrNull(step.datasetLosses()));
        lastStep.put("learning_rate", step.learningRate());
        lastStep.put("extras", finiteOrNull(step.extras()));
        training.put("last_step", lastStep);
        Path dir = Checkpoints.write(Checkpoints.iterationDir(runDirectory, t.iteration()), t.session(),
                base.withTraining(training).withCreated(Instant.now()));
        if (keepLast > 0) {
            Checkpoints.keepLast(runDirectory, keepLast);
        }
        return dir;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, Object> finiteOrNull(Map<String, Double> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, finiteOrNull(v)));
        return out;
    }

    /** The resolved configuration with values JSON can hold (strings for anything unusual). */
    private static Map<String, Object> jsonSafe(Map<String, Object> flat) {
        Map<String, Object> out = new LinkedHashMap<>();
        flat.forEach((k, v) -> out.put(k, safe(v)));
        return out;
    }

    private static Object safe(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(CheckpointListener::safe).toList();
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(String.valueOf(k), safe(x)));
            return out;
        }
        return String.valueOf(v);
    }
}
