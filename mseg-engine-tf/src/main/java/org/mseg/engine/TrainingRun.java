package org.mseg.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.TrainingException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.IterationBudget;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.config.Precision;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.json.Json;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.model.Backend;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.engine.model.LoadReport;
import org.mseg.pytorch.LazyStateDict;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.train.TrainingListener;
import org.mseg.api.train.TrainingPlan;
import org.mseg.api.train.TrainingStrategyProvider;
import org.mseg.datasets.ReadPolicy;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.LoaderState;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.metrics.IouAccumulator;
import org.mseg.datasets.metrics.SegmentationMetrics;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.engine.checkpoint.CheckpointException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;
import org.tensorflow.op.Ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
/**
 * One complete training run from a resolved configuration: builds the loader, the model and the {@link Trainer},
 * resumes when asked, trains with a {@link TrainingLoop} to {@code max_iters} with checkpoints, validates every
 * dataset on its {@code val} split, and writes {@code config.yaml} and {@code metrics.json} into the run folder.
 *
 * <p>Everything that can be checked is checked before the run folder is touched: the configuration, every dataset's
 * taxonomy, the strategy, the checkpoint to resume from. Then the folder is locked for the life of the run
 * ({@link RunFolderLock}: a second run into it fails at once, naming the holder), and a folder that already holds a
 * run is refused unless the run resumes or {@link Options#overwrite()} is set.
 *
 * <p>{@code metrics.json} is {@code {"mIoU": {"<dataset>": value, ...}}}, written atomically through
 * {@link Json}; a dataset whose mIoU is undefined (NaN: no labelled pixel of any class it can score) has
 * {@code null}, which every JSON reader accepts, rather than a made-up number.
 *
 * <p>Configuration keys read: {@code dataset, universal, use_naive_taxonomy, arch, variant, train_h, train_w,
 * scale_min, scale_max, short_size, rotate_min, rotate_max, ignore_label, aux_weight, num_examples, train_gpu,
 * batch_size, dataset_gpu_mapping, base_lr, power, momentum, weight_decay, manual_seed, save_freq (epochs of the
 * first dataset), keep_checkpoints, weight, resume, auto_resume, skip_bad, max_image_pixels,
 * permit_paths_outside_root, precision} ({@code precision} comes from {@code opt_level} when unset; checkpoints
 * record it, and a run resumes only in the precision it started with).
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);


    /** The resolved configuration a run writes into its folder. */
    public static final String CONFIG_FILE = "config.yaml";
    /** The validation mIoU per dataset. */
    public static final String METRICS_FILE = "metrics.json";
    /** The TensorBoard event files' folder. */
    public static final String TENSORBOARD_FOLDER = "tensorboard";

    /** Key of {@code checkpoint.json}'s training object listing the plugin modules loaded ({@code name@version}). */
    public static final String PLUGINS_KEY = "plugins";

    /** File name of the demo configuration, bundled in mseg-api as {@code demo}. */
    public static final String DEMO_CONFIG = "demo.yaml";

    /**
     * What to run.
     *
     * @param config        the resolved, validated training configuration
     * @param strategy      strategy name ({@code standard}, ...)
     * @param runDirectory  the run folder (created)
     * @param dataRoot      folder holding the dataset folders
     * @param listsFolder   folder of split lists, if not the datasets' own
     * @param resume        checkpoint folder to resume from (overrides {@code resume}/{@code auto_resume})
     * @param pretrained    PyTorch checkpoint to import weights from (overrides {@code weight})
     * @param maxIters      overrides the {@code max_iters} derived from {@code num_examples}
     * @param validate      whether to validate on every dataset's val split after training
     * @param loaderThreads loader worker threads
     * @param overwrite     whether a run folder that already holds a run ({@code config.yaml} or checkpoints) may
     *                      be reused without resuming: its {@code config.yaml}, {@code metrics.json}, checkpoints
     *                      and TensorBoard files are deleted first
     */
    public record Options(MsegConfig config, String strategy, Path runDirectory, Path dataRoot,
            Optional<Path> listsFolder, Optional<Path> resume, Optional<Path> pretrained, OptionalLong maxIters,
            boolean validate, int loaderThreads, boolean overwrite) {

        /** Options that refuse to reuse a run folder holding a run, unless resuming. */
        public Options(MsegConfig config, String strategy, Path runDirectory, Path dataRoot,
                Optional<Path> listsFolder, Optional<Path> resume, Optional<Path> pretrained, OptionalLong maxIters,
                boolean validate, int loaderThreads) {
            this(config, strategy, runDirectory, dataRoot, listsFolder, resume, pretrained, maxIters, validate,
                    loaderThreads, false);
        }

        /** Checks for nulls. */
        public Options {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(runDirectory, "runDirectory");
            Objects.requireNonNull(dataRoot, "dataRoot");
            Objects.requireNonNull(listsFolder, "listsFolder");
            Objects.requireNonNull(resume, "resume");
            Objects.requireNonNull(pretrained, "pretrained");
            Objects.requireNonNull(maxIters, "maxIters");
        }
    }

    /**
     * What a run produced.
     *
     * @param runDirectory  the run folder
     * @param iterations    steps completed
     * @param maxIters      the schedule's length
     * @param mIoU          validation mean IoU per dataset, in [0, 1] (empty when not validated)
     * @param lastCheckpoint the final checkpoint folder
     * @param trainingTime  wall time of the training loop
     */
    public record Result(Path runDirectory, long iterations, long maxIters, Map<String, Double> mIoU,
            Optional<Path> lastCheckpoint, Duration trainingTime) {

        /** Copies the map, keeping the dataset order. */
        public Result {
            mIoU = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mIoU));
        }
    }

    private TrainingRun() {
    }

    /**
     * The demo configuration (tiny HRNet on the seven relabeled synthetic datasets), shipped in mseg-api as the
     * bundled configuration {@code demo} so that {@code mseg-cli config print demo} shows it.
     */
    public static MsegConfig demoConfig() {
        return org.mseg.api.config.BundledConfigs.load("demo");
    }

    /**
     * Runs training (and validation) to the end.
     *
     * @throws ConfigException   if the configuration cannot be trained (unknown strategy or architecture, ...)
     * @throws TrainingException if training fails (non-finite loss, unusable checkpoint)
     */
    public static Result run(Options o, PluginEnvironment env, List<TrainingListener> listeners) {
        MsegConfig c = checked(o.config(), env);
        List<String> datasets = c.datasets();
        TaxonomyConverter converter = TaxonomyConverter.of(env);
        boolean naive = c.getBool("use_naive_taxonomy");
        boolean universal = c.getBool("universal");
        LabelTarget target = naive ? LabelTarget.NAIVE : universal ? LabelTarget.UNIVERSAL : LabelTarget.OWN;
        if (target == LabelTarget.OWN && datasets.size() != 1) {
            throw new ConfigException("universal: False (a dataset's own taxonomy) needs exactly one dataset, found "
                    + datasets);
        }
        TrainingTaxonomy trainingTaxonomy = TrainingTaxonomy.resolve(target, datasets, env.datasets(), converter);
        String taxonomy = trainingTaxonomy.name();
        List<String> classNames = trainingTaxonomy.classNames();
        int numClasses = classNames.size();
        // ignore_label is the datasets' ignore value; the loader maps it to the training taxonomy's, which for more
        // than 255 classes (the naive taxonomy's 315) is 65535 with 16-bit labels.
        int trainingIgnore = numClasses > TaxonomyDefinition.IGNORE_ID ? TaxonomyMapping.WIDE_IGNORE_ID
                : c.getInt("ignore_label");
        String arch = c.getString("arch");
        ModelProvider modelProvider;
        try {
            modelProvider = env.models().get(arch);
        } catch (MsegException e) {
            throw new ConfigException("TRAIN.arch in " + c.where("arch") + ": " + e.getMessage(), e);
        }
        Precision precision = precisionOf(c, modelProvider);
        ModelSpec modelSpec = modelSpec(c, modelProvider, numClasses);
        int cropH = c.getInt("train_h");
        int cropW = c.getInt("train_w");
        try {
            modelProvider.checkInputSize(modelSpec, cropH, cropW);
        } catch (MsegException e) {
            throw new ConfigException("TRAIN.train_h/train_w in " + c.where("train_h") + ": " + e.getMessage(), e);
        }

        IterationBudget.Schedule budget = IterationBudget.of(c,
                d -> splitSize(env, d, "train", o.listsFolder()));
        long maxIters = o.maxIters().orElse(budget.maxIters());
        if (maxIters < 1) {
            throw new ConfigException("max_iters must be positive, was " + maxIters);
        }
        long seed = c.getOptionalLong("manual_seed").orElse(0L);

        TrainingStrategyProvider provider = env.strategies().get(o.strategy());
        Map<String, Object> strategyOptions = new LinkedHashMap<>();
        for (String q : provider.configKeys()) {
            String key = q.substring(q.indexOf('.') + 1);
            if (c.has(key)) {
                strategyOptions.put(key, c.get(key));
            }
        }
        GraphTrainingStrategy strategy = provider.create(strategyOptions, new TensorFlowBackend())
                .unwrap(GraphTrainingStrategy.class);

        PolyLrSchedule schedule;
        try {
            schedule = new PolyLrSchedule(c.getDouble("base_lr"), maxIters, c.getDouble("power"));
        } catch (IllegalArgumentException e) {
            // a configuration that skipped ConfigSchema.validate; the schema's ranges report this with the key
            throw new ConfigException("TRAIN.base_lr / TRAIN.power in " + c.where("base_lr") + ": " + e.getMessage()
                    + "; check the configuration with `mseg-cli config validate`", e);
        }
        List<Path> resumeCandidates = resumeCandidates(o, c);
        boolean resuming = o.resume().isPresent() || c.getOptionalString("resume").isPresent()
                || !c.getString("auto_resume").equals("None");
        List<DatasetSlice> slices = new ArrayList<>();
        List<StreamSpec> streams = new ArrayList<>();
        int offset = 0;
        for (String d : datasets) {
            int perDataset = budget.perProcessBatch() * budget.replicas().get(d);
            slices.add(new DatasetSlice(d, offset, perDataset));
            streams.add(new StreamSpec(d, "train", perDataset));
            offset += perDataset;
        }

        RunFolderLock lock = RunFolderLock.acquire(o.runDirectory());
        try {
            prepareRunFolder(o.runDirectory(), resuming, o.overwrite());
            writeFile(o.runDirectory().resolve(CONFIG_FILE), c.toYaml());
            Map<String, Object> resumedState = new LinkedHashMap<>();
            Path[] resumedFrom = new Path[1];
            Trainer.Builder builder = Trainer.builder()
                    .model(tf -> GraphModels.build(modelProvider, modelSpec, tf, seed))
                    .slices(slices)
                    .crop(cropH, cropW)
                    .strategy(strategy, strategyOptions)
                    .schedule(schedule)
                    .sgd((float) c.getDouble("momentum"), (float) c.getDouble("weight_decay"))
                    .auxWeight((float) c.getDouble("aux_weight"))
                    .ignoreLabel(trainingIgnore)
                    .evalSize(cropH, cropW)
                    .precision(precision)
                    .initializer(t -> {
                        if (!resumeCandidates.isEmpty()) {
                            Path from = restoreNewestGood(t, resumeCandidates, precision, c);
                            CheckpointMetadata meta = Checkpoints.read(from);
                            if (meta.weightsOnly()) {
                                throw new TrainingException("checkpoint " + from + " holds weights only (no"
                                        + " training state); start from it with --pretrained instead of --resume");
                            }
                            Map<String, Object> training = meta.training();
                            long done = ((Number) training.get("iteration")).longValue();
                            if (done > maxIters) {
                                throw new TrainingException("checkpoint " + from + " is at iteration " + done
                                        + ", beyond max_iters " + maxIters);
                            }
                            t.resumeAt(done);
                            resumedState.putAll(training);
                            resumedFrom[0] = from;
                        } else {
                            Optional<Path> weights = o.pretrained()
                                    .or(() -> c.getOptionalString("weight").map(Path::of));
                            weights.ifPresent(w -> loadPretrained(t, w, env));
                        }
                    });
            TransformParams params = TransformParams.fromConfig(c.flat());
            long start = System.nanoTime();
            Result result;
            List<TrainingListener> all = new ArrayList<>(listeners);
            try (Trainer trainer = builder.build();
                    TensorBoardListener board = c.getBool("tensorboard")
                            ? new TensorBoardListener(o.runDirectory().resolve(TENSORBOARD_FOLDER)) : null) {
                if (board != null) {
                    all.add(board);
                }
                LoaderState startAt = null;
                if (resumedState.get("loader") instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> state = (Map<String, ?>) m;
                    startAt = LoaderState.fromMap(state);
                }
                long itersPerEpoch = Math.max(1, budget.itersPerEpoch().get(datasets.get(0)));
                long saveEvery = c.getInt("save_freq") * itersPerEpoch;
                int keep = c.has("keep_checkpoints") && c.get("keep_checkpoints") != null
                        ? c.getInt("keep_checkpoints") : 0;
                List<String> extraVariables = new ArrayList<>();
                trainer.optimizer().slots().forEach(v -> extraVariables.add(v.op().name()));
                trainer.lossScaling().ifPresent(l -> extraVariables.addAll(l.variableNames()));
                CheckpointMetadata base = CheckpointMetadata.of(modelProvider, modelSpec, taxonomy, classNames)
                        .withExtraVariables(extraVariables);
                Map<String, Object> resolved = c.flat();
                TrainingLoop.Checkpointer checkpointer = (t, last, step) -> {
                    Map<String, Object> training = new LinkedHashMap<>();
                    training.put("iteration", t.iteration());
                    training.put("max_iters", maxIters);
                    training.put("strategy", o.strategy());
                    training.put("precision", precision.configName());
                    t.lossScaleState().ifPresent(state -> {
                        Map<String, Object> scaler = new LinkedHashMap<>();
                        scaler.put("scale", (double) state.scale());
                        scaler.put("good_steps", state.goodSteps());
                        scaler.put("skipped_steps", state.skippedSteps());
                        training.put("loss_scale", scaler);
                    });
                    training.put("loader", last.sourceState());
                    training.put("rng", Map.of("manual_seed", seed));
                    training.put("config", jsonSafe(resolved));
                    training.put(PLUGINS_KEY, env.pluginModules()); // evaluate/infer name them when they are missing
                    Map<String, Object> lastStep = new LinkedHashMap<>();
                    // a step that fp16 loss scaling skipped may have a non-finite loss, which JSON cannot hold
                    lastStep.put("loss", finiteOrNull(step.loss()));
                    lastStep.put("dataset_losses", finiteOrNull(step.datasetLosses()));
                    lastStep.put("learning_rate", step.learningRate());
                    lastStep.put("extras", finiteOrNull(step.extras()));
                    training.put("last_step", lastStep);
                    Path dir = Checkpoints.write(Checkpoints.iterationDir(o.runDirectory(), t.iteration()), t.session(),
                            base.withTraining(training).withCreated(java.time.Instant.now()));
                    if (keep > 0) {
                        Checkpoints.keepLast(o.runDirectory(), keep);
                    }
                    return dir;
                };
                Optional<Path> last;
                try (LoaderBatchSource source = new LoaderBatchSource(MultiDatasetLoader.builder().environment(env)
                        .converter(converter).dataRoot(o.dataRoot()).listsFolder(o.listsFolder()).target(target)
                        .streams(streams).params(params).train(true).threads(o.loaderThreads()).prefetch(2).seed(seed)
                        .startAt(startAt).skipBad(c.getBool("skip_bad"))
                        .readPolicy(new ReadPolicy(c.getLong("max_image_pixels"),
                                c.getBool("permit_paths_outside_root")))
                        .build())) {
                    for (TrainingListener l : all) {
                        l.onStart(new TrainingPlan(o.strategy(), datasets, trainer.batchSize(), trainer.iteration(),
                                maxIters, o.runDirectory()));
                    }
                    TrainingLoop loop = new TrainingLoop(trainer, source, saveEvery, checkpointer, all);
                    if (resumedFrom[0] != null) {
                        loop.resumedFrom(resumedFrom[0]);
                    }
                    last = loop.run();
                }
                Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);
                Map<String, Double> mIoU = new LinkedHashMap<>();
                if (o.validate()) {
                    for (String d : datasets) {
                        SegmentationMetrics m = validate(trainer, env, converter, target, d, o, params, cropH, cropW,
                                all, trainingTaxonomy.excludedIds().get(d));
                        mIoU.put(d, m.mIoU());
                        for (TrainingListener l : all) {
                            l.onValidation(d, m.mIoU(), Map.of("mAcc", m.mAcc(), "allAcc", m.allAcc()));
                        }
                    }
                    writeMetrics(o.runDirectory().resolve(METRICS_FILE), mIoU);
                }
                result = new Result(o.runDirectory(), trainer.iteration(), maxIters, mIoU,
                        last.or(() -> Checkpoints.latest(o.runDirectory())), trainingTime);
            }
            return result;
        } finally {
            lock.close();
        }
    }

    /**
     * The configuration checked again against the training schema (keys, types, value ranges), so that a caller that
     * skipped {@link ConfigSchema#validate} gets the schema's message naming key, value and allowed range before
     * anything is written, not an arithmetic error from deep inside the trainer. Validating a resolved configuration
     * changes nothing.
     */
    private static MsegConfig checked(MsegConfig c, PluginEnvironment env) {
        ConfigSchema schema = ConfigSchema.training().withExtraKeys(env.pluginConfigKeys());
        return schema.validate(c, new LinkedHashSet<>(env.datasets().names()));
    }

    /**
     * {@code TRAIN.precision} (resolved from {@code opt_level} when unset), checked against what the model computes in
     * and what this CPU's kernels run.
     */
    private static Precision precisionOf(MsegConfig c, ModelProvider model) {
        Precision precision = c.has("precision") && c.get("precision") != null
                ? Precision.fromConfigName(c.getString("precision")) : Precision.FP32;
        if (!model.precisions().contains(precision)) {
            List<String> offered = model.precisions().stream().sorted().map(Precision::configName).toList();
            String advice = precision == Precision.FP16_PURE
                    ? " (fp16-pure, opt_level O3, keeps no float32 master weights, which batch norm's float32 scale and"
                            + " statistics need)" : "";
            throw new ConfigException("TRAIN.precision " + precision.configName() + " (from " + c.where("precision")
                    + ") is not available for arch '" + model.name() + "'" + advice + "; it computes in "
                    + String.join(", ", offered) + "; use precision: " + offered.get(0));
        }
        LowPrecisionKernels.require(precision, "TRAIN.precision in " + c.where("precision"));
        return precision;
    }

    /**
     * What to build: {@code TRAIN.arch}, {@code TRAIN.variant}, the training taxonomy's classes and the resolved values
     * of the provider's own configuration keys.
     */
    private static ModelSpec modelSpec(MsegConfig c, ModelProvider provider, int numClasses) {
        String variant = c.has("variant") && c.get("variant") != null ? c.getString("variant")
                : provider.variants().get(0);
        if (!provider.variants().contains(variant)) {
            throw new ConfigException("TRAIN.variant '" + variant + "' in " + c.where("variant") + " is not a variant"
                    + " of arch '" + provider.name() + "'; its variants: " + String.join(", ", provider.variants()));
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (String q : provider.configKeys()) {
            String key = q.substring(q.indexOf('.') + 1);
            if (c.has(key)) {
                parameters.put(key, c.get(key));
            }
        }
        return new ModelSpec(provider.name(), variant, numClasses, parameters);
    }

    /**
     * Refuses to resume a checkpoint in another precision. The weights are float32 in every precision, but the
     * training state is not: fp16 checkpoints hold the loss scaler, and an exact resume needs the same arithmetic.
     */
    private static void checkSamePrecision(CheckpointMetadata meta, Path dir, Precision precision, MsegConfig c) {
        Object saved = meta.training().getOrDefault("precision", Precision.FP32.configName());
        if (!precision.configName().equals(saved)) {
            throw new ConfigException("checkpoint " + dir + " was trained with TRAIN.precision " + saved + ", this run"
                    + " has " + precision.configName() + " (from " + c.where("precision") + "); resume with --set"
                    + " precision=" + saved + " (a run continues in the precision it started with)");
        }
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, Object> finiteOrNull(Map<String, Double> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, finiteOrNull(v)));
        return out;
    }

    /**
     * The checkpoints to resume from, best first: the one named, or, for a run folder ({@code --resume RUN},
     * {@code auto_resume}), all of its checkpoints newest first, so that a damaged newest one falls back to the
     * newest that verifies. Empty when not resuming (or when {@code auto_resume}'s folder has no checkpoint yet).
     */
    private static List<Path> resumeCandidates(Options o, MsegConfig c) {
        if (o.resume().isPresent()) {
            return checkpointOrRun(o.resume().get(), "--resume");
        }
        Optional<String> resume = c.getOptionalString("resume");
        if (resume.isPresent()) {
            return checkpointOrRun(Path.of(resume.get()), "TRAIN.resume in " + c.where("resume") + ":");
        }
        String auto = c.getString("auto_resume");
        if (!auto.equals("None")) {
            return newestFirst(Path.of(auto));
        }
        return List.of();
    }

    /** A checkpoint folder as given, or the checkpoints of a run folder, newest first. */
    private static List<Path> checkpointOrRun(Path p, String option) {
        if (Files.isRegularFile(p.resolve(Checkpoints.METADATA_FILE))) {
            return List.of(p);
        }
        List<Path> all = newestFirst(p);
        if (all.isEmpty()) {
            throw new ConfigException(option + " " + p + " is neither a checkpoint folder (with "
                    + Checkpoints.METADATA_FILE + ") nor a run folder with checkpoints");
        }
        return all;
    }

    private static List<Path> newestFirst(Path runDir) {
        List<Path> all = new ArrayList<>(Checkpoints.list(runDir));
        java.util.Collections.reverse(all);
        return all;
    }

    /**
     * Restores the first candidate that verifies (metadata readable, files present, variables restorable) and
     * returns it. A damaged one is skipped with a warning saying why; restoring the next overwrites every variable,
     * so nothing of a half-restored checkpoint survives. Precision or weights-only mismatches are not damage: they
     * fail at once.
     *
     * @throws TrainingException when no candidate verifies, naming each with its problem
     */
    private static Path restoreNewestGood(Trainer t, List<Path> candidates, Precision precision, MsegConfig c) {
        List<String> skipped = new ArrayList<>();
        CheckpointException last = null;
        for (Path p : candidates) {
            try {
                checkSamePrecision(Checkpoints.read(p), p, precision, c);
                Checkpoints.restore(p, t.session());
                if (!skipped.isEmpty()) {
                    LOG.warn("resuming from {}, the newest checkpoint that verifies; skipped: {}", p,
                            String.join("; ", skipped));
                }
                return p;
            } catch (CheckpointException e) {
                LOG.warn("skipping damaged checkpoint {}: {}", p, e.getMessage());
                skipped.add(p.getFileName() + " (" + e.getMessage() + ")");
                last = e;
            }
        }
        if (candidates.size() == 1) {
            throw new TrainingException("cannot resume: " + last.getMessage(), last);
        }
        throw new TrainingException("cannot resume: none of the " + candidates.size() + " checkpoints of "
                + candidates.get(0).getParent() + " verifies: " + String.join("; ", skipped) + ". Start afresh with"
                + " --overwrite", last);
    }

    private static int splitSize(PluginEnvironment env, String dataset, String split, Optional<Path> lists) {
        DatasetDefinition def = env.datasets().get(dataset);
        return SplitList.read(def, split, lists).size();
    }

    /** Center-crop validation of one dataset's val split, argmax in the training taxonomy. */
    private static SegmentationMetrics validate(Trainer trainer, PluginEnvironment env, TaxonomyConverter converter,
            LabelTarget target, String dataset, Options o, TransformParams params, int h, int w,
            List<TrainingListener> listeners, Set<Integer> excludedIds) {
        int count = splitSize(env, dataset, "val", o.listsFolder());
        IouAccumulator acc = new IouAccumulator(trainer.model().numClasses());
        try (MultiDatasetLoader val = MultiDatasetLoader.builder().environment(env).converter(converter)
                .dataRoot(o.dataRoot()).listsFolder(o.listsFolder()).target(target)
                .streams(List.of(new StreamSpec(dataset, "val", 1))).params(params).train(false)
                .threads(o.loaderThreads()).prefetch(2).seed(0L).build()) {
            for (int i = 0; i < count; i++) {
                Batch b = val.next();
                ValidationPictures.Picture picture;
                if (b.wide()) {
                    short[] pred = trainer.predictWide(b.images(), b.size(), h, w);
                    acc.add(pred, b.wideLabels());
                    picture = i < ValidationPictures.PER_DATASET && !listeners.isEmpty()
                            ? ValidationPictures.draw(b.images(), h, w, null, b.wideLabels(), null, pred) : null;
                } else {
                    byte[] pred = trainer.predict(b.images(), b.size(), h, w);
                    acc.add(pred, b.labels());
                    picture = i < ValidationPictures.PER_DATASET && !listeners.isEmpty()
                            ? ValidationPictures.draw(b.images(), h, w, b.labels(), null, pred, null) : null;
                }
                if (picture != null) {
                    for (TrainingListener l : listeners) {
                        l.onValidationPicture(dataset, i, picture.height(), picture.width(), picture.rgb());
                    }
                }
            }
        }
        return acc.compute(target == LabelTarget.UNIVERSAL ? excludedIds : Set.of());
    }

    /**
     * Initialises the model's weights from a PyTorch checkpoint ({@code .pth}: MSeg's models, the ImageNet HRNet
     * backbone) or from a checkpoint folder of this project (weights only; its optimizer state is not read). Keys
     * the file lacks keep their initial values (e.g. the classifier when starting from the ImageNet backbone); a file
     * that matches no key at all is refused.
     */
    private static void loadPretrained(Trainer t, Path w, PluginEnvironment env) {
        GraphModel model = t.model();
        LoadReport report;
        if (Files.isDirectory(w)) {
            CheckpointMetadata meta = Checkpoints.read(w);
            ModelProvider provider = LoadedModel.provider(env.models(), meta, w);
            int size = pretrainedProbeSize(provider, meta);
            try (LoadedModel m = LoadedModel.open(w, size, size, env.models())) {
                Map<String, org.mseg.pytorch.TorchTensor> dict = m.stateDict();
                Map<String, long[]> shapes = new LinkedHashMap<>();
                dict.forEach((k, v) -> shapes.put(k, v.shape()));
                report = model.importStateDict(t.session(), shapes, dict::get);
            }
            LOG.info("pretrained weights from checkpoint {} ({} {}, {} classes)", w, meta.arch(), meta.variant(),
                    meta.numClasses());
        } else if (Files.isRegularFile(w)) {
            try (LazyStateDict dict = LazyStateDict.open(w)) {
                report = model.importStateDict(t.session(), dict.shapes(), dict::tensor);
            }
        } else {
            throw new ConfigException("--pretrained / TRAIN.weight " + w + " does not exist; give a PyTorch .pth file"
                    + " or a checkpoint folder");
        }
        if (report.loaded().isEmpty()) {
            throw new TrainingException("--pretrained / TRAIN.weight " + w + " matched none of the model's "
                    + report.missing().size() + " weights (its keys: " + report.unexpected().stream().limit(5).toList()
                    + "...). Is it a checkpoint of the same arch and variant?");
        }
        report.nonFiniteWarning(w.toString()).ifPresent(LOG::warn);
        LOG.info("pretrained: {} tensors loaded, {} kept their initial values{}, {} in the file unused", report
                .loaded().size(), report.missing().size(), report.missing().isEmpty() ? ""
                        : " (e.g. " + report.missing().get(0) + ")", report.unexpected().size());
    }

    /** The smallest input size of 9, 17, 33, ... that the checkpoint's model accepts (HRNet: {@code 8k + 1}). */
    private static int pretrainedProbeSize(ModelProvider provider, CheckpointMetadata meta) {
        for (int size = 9; size <= 1025; size = 2 * size - 1) {
            try {
                provider.checkInputSize(meta.modelSpec(), size, size);
                return size;
            } catch (MsegException e) {
                // try the next size
            }
        }
        throw new ConfigException("the model of checkpoint " + meta.arch() + " accepts none of the sizes 9, 17, 33,"
                + " ..., 1025; its provider's checkInputSize is too strict");
    }

    /**
     * {@code {"mIoU": {"<dataset>": value, ...}}} on one line, as the file always looked, atomically. Every name and
     * value goes through {@link Json#write} (names are escaped; an undefined, NaN mIoU is {@code null}).
     */
    private static void writeMetrics(Path file, Map<String, Double> mIoU) {
        StringBuilder sb = new StringBuilder("{").append(Json.write("mIoU", false)).append(": {");
        String separator = "";
        for (Map.Entry<String, Double> e : mIoU.entrySet()) {
            double v = e.getValue();
            // six decimals, as the file always had: more would only be noise of the float32 model
            Object value = Double.isFinite(v) ? (Object) (Math.round(v * 1e6) / 1e6) : null;
            sb.append(separator).append(Json.write(e.getKey(), false)).append(": ").append(Json.write(value, false));
            separator = ", ";
        }
        writeFile(file, sb.append("}}\n").toString());
    }

    /** Writes a run file atomically; a full disk or a read-only folder is a {@link TrainingException} naming it. */
    private static void writeFile(Path file, String content) {
        try {
            AtomicFiles.writeString(file, content);
        } catch (MsegException e) {
            throw new TrainingException(e.getMessage(), e);
        }
    }

    /**
     * Refuses to start a fresh run in a folder that already holds one (its {@code config.yaml} or checkpoints),
     * which would silently replace that run's files; with {@code overwrite}, deletes what a run writes there first.
     */
    static void prepareRunFolder(Path dir, boolean resuming, boolean overwrite) {
        List<String> found = new ArrayList<>();
        if (Files.exists(dir.resolve(CONFIG_FILE))) {
            found.add(CONFIG_FILE);
        }
        List<Path> checkpoints = Checkpoints.list(dir);
        if (!checkpoints.isEmpty()) {
            found.add(Checkpoints.CHECKPOINTS_FOLDER + "/ (" + checkpoints.size() + ", newest "
                    + checkpoints.get(checkpoints.size() - 1).getFileName() + ")");
        }
        if (found.isEmpty() || resuming) {
            return;
        }
        if (!overwrite) {
            throw new ConfigException("run folder " + dir + " already holds a run (" + String.join(", ", found)
                    + "); continue it with --resume " + dir + ", replace it with --overwrite, or train into another"
                    + " folder with --out DIR");
        }
        LOG.warn("--overwrite: deleting the previous run's {} in {}", found, dir);
        try {
            for (String name : List.of(Checkpoints.CHECKPOINTS_FOLDER, TENSORBOARD_FOLDER, CONFIG_FILE, METRICS_FILE)) {
                Checkpoints.deleteRecursively(dir.resolve(name));
            }
        } catch (IOException e) {
            throw new TrainingException("--overwrite: cannot delete the previous run in " + dir + ": " + e, e);
        }
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
            return list.stream().map(TrainingRun::safe).toList();
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(String.valueOf(k), safe(x)));
            return out;
        }
        return String.valueOf(v);
    }

    /** The {@link Backend} handed to strategy providers: TensorFlow; offers no objects before the graph exists. */
    private static final class TensorFlowBackend implements Backend {
        @Override
        public String name() {
            return "tensorflow";
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new IllegalArgumentException("the TensorFlow training engine gives strategies their graph through"
                    + " GraphTrainingStrategy.build(StrategyContext), not through the backend (asked for "
                    + type.getName() + "; " + Ops.class.getName() + " is in the context)");
        }
    }
}
