package org.mseg.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.TrainingException;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.json.Json;
import org.mseg.engine.model.GraphModels;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.TrainingListener;
import org.mseg.api.train.TrainingPlan;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.engine.checkpoint.Checkpoints;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
/**
 * One complete training run from a resolved configuration: builds the loader, the model (through the model SPI, by
 * {@code TRAIN.arch}) and the {@link Trainer}, resumes when asked, trains with a {@link TrainingLoop} to
 * {@code max_iters} with checkpoints, validates every dataset on its {@code val} split, and writes
 * {@code config.yaml} and {@code metrics.json} into the run folder. The parts are classes of their own:
 * {@link TrainingSetup} (resolution and checks), {@link ResumeState}, {@link CheckpointListener}, {@link RunValidator}.
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
 * permit_paths_outside_root, precision, devices, allreduce_precision, peer_timeout} ({@code precision} comes from {@code opt_level} when unset; checkpoints
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
     * @param cluster       the TensorFlow cluster this process is a task of (empty: one process). Task 0 alone
     *                      writes into the run folder and validates; the others train their share and write nothing
     */
    public record Options(MsegConfig config, String strategy, Path runDirectory, Path dataRoot,
            Optional<Path> listsFolder, Optional<Path> resume, Optional<Path> pretrained, OptionalLong maxIters,
            boolean validate, int loaderThreads, boolean overwrite, Optional<ClusterSpec> cluster) {

        /** Options of one process. */
        public Options(MsegConfig config, String strategy, Path runDirectory, Path dataRoot,
                Optional<Path> listsFolder, Optional<Path> resume, Optional<Path> pretrained, OptionalLong maxIters,
                boolean validate, int loaderThreads, boolean overwrite) {
            this(config, strategy, runDirectory, dataRoot, listsFolder, resume, pretrained, maxIters, validate,
                    loaderThreads, overwrite, Optional.empty());
        }

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
            Objects.requireNonNull(cluster, "cluster");
        }

        /** These options as task of {@code cluster} (empty: one process). */
        public Options withCluster(Optional<ClusterSpec> cluster) {
            return new Options(config, strategy, runDirectory, dataRoot, listsFolder, resume, pretrained, maxIters,
                    validate, loaderThreads, overwrite, cluster);
        }

        /** Whether this process writes the run folder: one process, or task 0 of a cluster. */
        public boolean writesRunFolder() {
            return cluster.map(ClusterSpec::chief).orElse(true);
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
     * Runs training (and validation) to the end: resolves the run ({@link TrainingSetup}: every check happens before
     * the folder is touched), locks and prepares the folder, builds the {@link Trainer} on the run's
     * {@link DevicePlan}, restores the checkpoint to resume from ({@link ResumeState}) or the pretrained weights,
     * trains with a {@link TrainingLoop} whose checkpoints a {@link CheckpointListener} writes, and validates with a
     * {@link RunValidator}.
     *
     * @throws ConfigException   if the configuration cannot be trained (unknown strategy or architecture, ...)
     * @throws TrainingException if training fails (non-finite loss, unusable checkpoint)
     */
    public static Result run(Options o, PluginEnvironment env, List<TrainingListener> listeners) {
        TrainingSetup setup = TrainingSetup.resolve(o, env);
        MsegConfig c = setup.config();
        List<Path> resumeCandidates = ResumeState.candidates(o);
        boolean writer = o.writesRunFolder();
        // in a cluster, task 0 alone locks and writes the run folder (it may be shared by every task)
        RunFolderLock lock = writer ? RunFolderLock.acquire(o.runDirectory()) : null;
        try {
            if (writer) {
                prepareRunFolder(o.runDirectory(), ResumeState.requested(o), o.overwrite());
                writeFile(o.runDirectory().resolve(CONFIG_FILE), c.toYaml());
            } else if (!ResumeState.requested(o) && !o.overwrite() && !Checkpoints.list(o.runDirectory()).isEmpty()) {
                // task 0 refuses this folder too (and exits before its server starts): say so now rather than wait
                // for it until the peer timeout. Only checkpoints count: task 0 may already have written config.yaml
                prepareRunFolder(o.runDirectory(), false, false);
            }
            ResumeState[] resumed = new ResumeState[1];
            Trainer.Builder builder = Trainer.builder()
                    .devices(setup.devices())
                    .model(tf -> GraphModels.build(setup.modelProvider(), setup.modelSpec(), tf, setup.seed()))
                    .slices(setup.slices())
                    .crop(setup.cropHeight(), setup.cropWidth())
                    .strategy(setup.strategy(), setup.strategyOptions())
                    .schedule(setup.schedule())
                    .sgd((float) c.getDouble("momentum"), (float) c.getDouble("weight_decay"))
                    .auxWeight((float) c.getDouble("aux_weight"))
                    .ignoreLabel(setup.ignoreLabel())
                    .evalSize(setup.cropHeight(), setup.cropWidth())
                    .precision(setup.precision())
                    .allReducePrecision(c.getString("allreduce_precision"));
            o.cluster().ifPresent(cluster -> builder.cluster(cluster, c.getInt("peer_timeout"), "seed "
                    + setup.seed() + ", strategy " + setup.strategyName() + " " + setup.strategyOptions()
                    + ", datasets " + setup.datasets() + ", max_iters " + setup.maxIters()));
            builder.initializer(t -> {
                        if (!resumeCandidates.isEmpty()) {
                            resumed[0] = ResumeState.restore(t, resumeCandidates, setup.precision(), c,
                                    setup.maxIters());
                        } else {
                            o.pretrained().or(() -> c.getOptionalString("weight").map(Path::of))
                                    .ifPresent(w -> PretrainedWeights.load(t, w, env));
                        }
                    });
            long start = System.nanoTime();
            List<TrainingListener> all = new ArrayList<>(listeners);
            try (Trainer trainer = builder.build();
                    TensorBoardListener board = writer && c.getBool("tensorboard")
                            ? new TensorBoardListener(o.runDirectory().resolve(TENSORBOARD_FOLDER)) : null) {
                if (board != null) {
                    all.add(board);
                }
                CheckpointListener checkpoints = writer ? new CheckpointListener(o.runDirectory(), setup.saveEvery(),
                        setup.keepCheckpoints(), setup, trainer, env.pluginModules()) : null;
                Optional<Path> last;
                try (LoaderBatchSource source = new LoaderBatchSource(MultiDatasetLoader.builder().environment(env)
                        .converter(setup.converter()).dataRoot(o.dataRoot()).listsFolder(o.listsFolder())
                        .target(setup.target()).streams(setup.streams()).params(setup.transforms()).train(true)
                        .threads(o.loaderThreads()).prefetch(2).seed(setup.seed())
                        .rows(trainer.firstFedRow(), trainer.fedRows())
                        .startAt(resumed[0] == null ? null : resumed[0].loaderState().orElse(null))
                        .skipBad(c.getBool("skip_bad")).readPolicy(setup.readPolicy()).build())) {
                    for (TrainingListener l : all) {
                        l.onStart(new TrainingPlan(setup.strategyName(), setup.datasets(), trainer.batchSize(),
                                trainer.iteration(), setup.maxIters(), o.runDirectory()));
                    }
                    TrainingLoop loop = new TrainingLoop(trainer, source, 0, checkpoints, all);
                    if (resumed[0] != null) {
                        loop.resumedFrom(resumed[0].checkpoint());
                    }
                    last = loop.run();
                }
                Duration trainingTime = Duration.ofNanos(System.nanoTime() - start);
                // validation runs once: the tasks of a cluster split every val split and sum their counts; task 0
                // reports and writes metrics.json
                Map<String, Double> mIoU = o.validate()
                        ? new RunValidator(env, setup, o.dataRoot(), o.listsFolder(), o.loaderThreads())
                                .validateAll(trainer, writer ? all : List.of(),
                                        writer ? o.runDirectory().resolve(METRICS_FILE) : null)
                        : Map.of();
                // no task leaves while another may still read its tensors (and task 0 has saved the last checkpoint)
                trainer.leaveCluster();
                return new Result(o.runDirectory(), trainer.iteration(), setup.maxIters(), mIoU,
                        last.or(() -> Checkpoints.latest(o.runDirectory())), trainingTime);
            }
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
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
}
