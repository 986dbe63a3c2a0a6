package org.mseg.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.mseg.api.ConfigException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingListener;
import org.mseg.api.train.TrainingPlan;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.StepLines;
import org.mseg.engine.ClusterSpec;
import org.mseg.engine.DevicePlan;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.TrainingSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli train}: multi-dataset training with a named strategy. Without {@code --config} it runs the embedded
 * demo: a tiny HRNet on the seven relabeled synthetic datasets (generated once into a cache folder), then validation
 * on each dataset's val split.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a segmentation model on several datasets at once (MSeg's flat mix).",
                "Without --config: the built-in demo (tiny HRNet, seven synthetic relabeled datasets, universal"
                        + " taxonomy), a few minutes on a laptop CPU.",
                "Writes RUN/config.yaml, RUN/checkpoints/iter_<n>, RUN/metrics.json (per-dataset val mIoU) and"
                        + " RUN/tensorboard; RUN is locked while the run lasts."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "Training strategy (default: standard, or mgda when the config says use_mgda: True);"
                    + " 'mseg-cli plugins list' shows all.")
    String strategyOption;

    /** The strategy in effect, resolved in {@link #call()}. */
    private String strategy;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "Folder holding the dataset folders (default: DATA.root, then $MSEG_DATA_ROOT).")
    Path dataRoot;

    @Option(names = "--lists", paramLabel = "DIR", description = "Folder of split lists (default: DATA.lists, then"
            + " the lists shipped with the dataset definitions).")
    Path lists;

    @Option(names = "--out", paramLabel = "RUN_DIR",
            description = "Run folder (default: the run that --resume names, else runs/<timestamp>-<strategy>).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR|auto",
            description = "Continue from a checkpoint folder, or from the newest checkpoint of a run folder. 'auto':"
                    + " the newest good checkpoint of the --out run folder, or a fresh start if it has none (for"
                    + " cluster managers that restart a failed job as it was).")
    Path resume;

    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
            description = "Train as one task of a cluster of processes (TensorFlow's gRPC runtime): every task's"
                    + " address, task 0 first; needs --task-index. Without it the cluster comes from TF_CONFIG, then"
                    + " from Slurm's variables (srun). The gRPC port is unauthenticated: private networks only.")
    String cluster;

    @Option(names = "--task-index", paramLabel = "I",
            description = "This process's index in --cluster (0 writes the run folder).")
    Integer taskIndex;

    @Option(names = "--peer-timeout", paramLabel = "SECONDS",
            description = "In a cluster: how long a task waits for the others, at start-up and in each all-reduce,"
                    + " before it exits naming the tasks that are gone; overrides TRAIN.peer_timeout (default 300).")
    Integer peerTimeout;

    @Option(names = "--overwrite",
            description = "Train afresh into a run folder that already holds a run, deleting its config.yaml,"
                    + " metrics.json, checkpoints and TensorBoard files first. Without it, such a folder is refused"
                    + " unless --resume is given.")
    boolean overwrite;

    @Option(names = "--devices", paramLabel = "SPEC",
            description = "Devices of the data-parallel replicas, one replica each: cpu, cpu:N (N virtual CPU"
                    + " devices), gpu (every visible GPU) or gpu:I,J,... (those GPUs); overrides TRAIN.devices"
                    + " (default: cpu). 'mseg-cli doctor --devices SPEC' checks a spec.")
    String devices;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "Deprecated alias of --devices: cpu, gpu or gpu:N mean the same there.")
    String device;

    @Option(names = "--pretrained", paramLabel = "FILE",
            description = "PyTorch checkpoint (.pth) whose weights initialise the model (weights only).")
    Path pretrained;

    @Option(names = "--max-iters", paramLabel = "N",
            description = "Stop after N steps (default: num_examples / per-dataset batch, as MSeg).")
    Long maxIters;

    @Option(names = "--no-validate", description = "Skip the validation after training.")
    boolean noValidate;

    @Option(names = "--loader-threads", paramLabel = "N",
            description = "Data loader worker threads (default: processors).")
    Integer loaderThreads;

    /** {@code runs/<timestamp>-<strategy>}: where a new run goes when {@code --out} is not given. */
    private Path newRunFolder() {
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + strategy);
    }

    /**
     * The run folder that {@code --resume} continues when {@code --out} is not given: the folder itself when it holds
     * a run, or {@code RUN} for a checkpoint {@code RUN/checkpoints/iter_N}. Empty for a checkpoint outside a run
     * (an imported model), which starts a new run folder.
     */
    static Optional<Path> runFolderOf(Path resume) {
        if (Files.exists(resume.resolve(TrainingRun.CONFIG_FILE)) || Files.isDirectory(resume.resolve(Checkpoints.CHECKPOINTS_FOLDER))) {
            return Optional.of(resume);
        }
        Path parent = resume.toAbsolutePath().normalize().getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(Checkpoints.CHECKPOINTS_FOLDER)
                && Files.exists(parent.getParent().resolve(TrainingRun.CONFIG_FILE))) {
            return Optional.of(parent.getParent());
        }
        return Optional.empty();
    }

    @Override
    public Integer call() {
        Optional<ClusterSpec> clusterSpec = clusterSpec();
        // task 0's lines are the run's log; the others say whose they are
        String taskPrefix = clusterSpec.filter(c -> !c.chief()).map(c -> "[task " + c.taskIndex() + "] ").orElse("");
        if (peerTimeout != null && peerTimeout < 1) {
            throw new ConfigException("--peer-timeout must be at least 1 second, got " + peerTimeout);
        }
        boolean autoResume = resume != null && resume.toString().equals(AUTO);
        if (autoResume && out == null) {
            throw new ConfigException("--resume auto continues the run folder named by --out; give --out RUN (the"
                    + " same for every restart)");
        }
        if (autoResume && overwrite) {
            throw new ConfigException("--overwrite and --resume auto contradict each other: --resume auto continues"
                    + " the run in " + out + ", --overwrite deletes it. Give one of them.");
        }
        if (autoResume) {
            resume = null;
        }
        Optional<DevicesOverride> devicesOverride = devicesOverride();
        // a GPU build that sees no GPU says so once, before training falls back to the CPU
        org.mseg.engine.GpuFallback.warnIfNoGpu();
        if (overwrite && resume != null) {
            throw new ConfigException("--overwrite and --resume " + resume + " contradict each other: --resume"
                    + " continues a run, --overwrite deletes it. Give one of them.");
        }
        if (maxIters != null && maxIters < 1) {
            throw new ConfigException("--max-iters must be at least 1, got " + maxIters);
        }
        PluginEnvironment env = plugins.environment();
        strategy = strategyOption == null ? "standard" : strategyOption;
        if (!env.strategies().contains(strategy)) {
            throw new ConfigException("unknown strategy '" + strategy + "'; available: "
                    + String.join(", ", env.strategies().names()));
        }
        PrintWriter w = spec.commandLine().getOut();
        MsegConfig cfg;
        Path root;
        Optional<Path> listsFolder;
        if (config.configFile().isEmpty()) {
            ConfigSchema schema = ConfigOptions.withStrategyKeys(ConfigSchema.training(), env);
            cfg = withDevices(schema.validate(TrainingRun.demoConfig().withOverrides(config.overrides(), schema),
                    ConfigOptions.datasetNames(env)), devicesOverride);
            if (usesOnlySyntheticData(cfg)) {
                Path cache = syntheticCache();
                if (Verbosity.of(spec).showsProgress()) {
                    w.println("demo: synthetic datasets in " + cache + " (generated on first use)");
                    w.flush();
                }
                SyntheticMseg.Summary s = SyntheticMseg.ensure(cache, SyntheticMseg.Options.defaults(), env);
                root = dataRoot != null ? dataRoot : s.dataRoot();
                listsFolder = Optional.of(lists != null ? lists : s.listsFolder());
            } else {
                // --set dataset=<a plugin's dataset>: its data and lists are its own, not the synthetic set's
                root = dataRoot != null ? dataRoot
                        : DataRoot.resolve(cfg.getOptionalString("root"), System.getenv()).path();
                listsFolder = lists != null ? Optional.of(lists) : cfg.getOptionalString("lists").map(Path::of);
            }
        } else {
            cfg = withDevices(config.resolve(ConfigSchema.training(), env), devicesOverride);
            root = dataRoot != null ? dataRoot
                    : DataRoot.resolve(cfg.getOptionalString("root"), System.getenv()).path();
            listsFolder = lists != null ? Optional.of(lists) : cfg.getOptionalString("lists").map(Path::of);
        }
        if (autoResume) {
            cfg = cfg.with("TRAIN.auto_resume", out.toString(), "--resume auto");
        }
        if (peerTimeout != null) {
            cfg = cfg.with("TRAIN.peer_timeout", peerTimeout, "--peer-timeout");
        }
        strategy = strategyFor(cfg, strategyOption);
        Path runDir = out != null ? out : resume != null ? runFolderOf(resume).orElseGet(this::newRunFolder)
                : newRunFolder();
        int threads = loaderThreads != null ? loaderThreads : Math.max(1, Runtime.getRuntime().availableProcessors());
        TrainingRun.Options options = new TrainingRun.Options(cfg, strategy, runDir, root, listsFolder,
                Optional.ofNullable(resume), Optional.ofNullable(pretrained),
                maxIters == null ? OptionalLong.empty() : OptionalLong.of(maxIters), !noValidate, threads,
                overwrite).withCluster(clusterSpec);
        ConsoleProgress.Mode mode = ConsoleProgress.mode(spec);
        if (clusterSpec.isPresent()) {
            w.println("cluster: " + clusterSpec.get().describe());
            w.flush();
            if (!clusterSpec.get().chief() && mode == ConsoleProgress.Mode.BAR) {
                mode = ConsoleProgress.Mode.LINES; // one progress bar, task 0's; the others log lines
            }
        }
        ConsoleListener console = new ConsoleListener(w, cfg.getInt("print_freq"), mode, taskPrefix);
        TrainingRun.Result r = TrainingRun.run(options, env, List.of(console));
        if (!r.mIoU().isEmpty()) {
            TextTable t = new TextTable("DATASET", "mIoU");
            double sum = 0;
            for (Map.Entry<String, Double> e : r.mIoU().entrySet()) {
                t.row(e.getKey(), String.format(Locale.ROOT, "%.2f", 100 * e.getValue()));
                sum += e.getValue();
            }
            t.row("mean", String.format(Locale.ROOT, "%.2f", 100 * sum / r.mIoU().size()));
            t.print(w);
        }
        if (!options.writesRunFolder()) {
            w.printf(Locale.ROOT, "%strained %d/%d steps in %.1f s; task 0 writes the run folder %s%n", taskPrefix,
                    r.iterations(), r.maxIters(), r.trainingTime().toMillis() / 1000.0, runDir.toAbsolutePath());
            w.flush();
            return MsegCommand.OK;
        }
        w.printf(Locale.ROOT, "trained %d/%d steps in %.1f s; run folder %s%n", r.iterations(), r.maxIters(),
                r.trainingTime().toMillis() / 1000.0, runDir.toAbsolutePath());
        r.lastCheckpoint().ifPresent(c -> w.println("last checkpoint: " + c.toAbsolutePath()));
        w.flush();
        return MsegCommand.OK;
    }

    /** {@code --resume auto}. */
    static final String AUTO = "auto";

    /** The cluster this process is a task of: --cluster/--task-index, else TF_CONFIG, else Slurm; empty for none. */
    private Optional<ClusterSpec> clusterSpec() {
        return ClusterSpec.detect(Optional.ofNullable(cluster),
                taskIndex == null ? OptionalInt.empty() : OptionalInt.of(taskIndex), System.getenv());
    }

    /** Whether every dataset of the demo configuration is one the synthetic set generates. */
    static boolean usesOnlySyntheticData(MsegConfig cfg) {
        List<String> synthetic = new java.util.ArrayList<>(SyntheticMseg.UNRELABELED);
        synthetic.addAll(SyntheticMseg.RELABELED);
        return synthetic.containsAll(cfg.datasets());
    }

    /** A device spec from the command line and the option that gave it, for messages. */
    private record DevicesOverride(String spec, String origin) {
    }

    /**
     * The spec of {@code --devices} (or of the deprecated {@code --device}, with a warning) in canonical form, and
     * the option it came from; empty when neither is given (TRAIN.devices applies).
     */
    private Optional<DevicesOverride> devicesOverride() {
        if (device != null && devices != null) {
            throw new ConfigException("--device " + device + " and --devices " + devices + " both choose the devices;"
                    + " give --devices only (--device is its deprecated alias)");
        }
        if (device != null) {
            if (!device.strip().matches("(?i)cpu|gpu|gpu:\\d+")) {
                throw new ConfigException("--device must be cpu, gpu or gpu:N, got '" + device + "'; it is a"
                        + " deprecated alias of --devices SPEC, which also accepts cpu:N and gpu:I,J,...");
            }
            String canonical = DevicePlan.normalize(device);
            spec.commandLine().getErr().println("warning: --device is deprecated; use --devices " + canonical);
            spec.commandLine().getErr().flush();
            return Optional.of(new DevicesOverride(canonical, "--device " + device));
        }
        if (devices == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DevicesOverride(DevicePlan.normalize(devices), "--devices " + devices));
        } catch (ConfigException e) {
            throw new ConfigException("--devices: " + e.getMessage(), e);
        }
    }

    /**
     * The configuration with {@code TRAIN.devices} from the command line, checked on this machine before any data is
     * generated or a run folder touched (a GPU spec on a machine without a visible GPU fails here, naming the fix).
     */
    private static MsegConfig withDevices(MsegConfig cfg, Optional<DevicesOverride> override) {
        MsegConfig c = override.map(o -> cfg.with("TRAIN.devices", o.spec(), o.origin())).orElse(cfg);
        TrainingSetup.devicePlan(c);
        return c;
    }

    /** {@code $MSEG_HOME/.cache/synthetic}, else {@code ~/.cache/mseg/synthetic}. */
    static Path syntheticCache() {
        String home = System.getProperty("mseg.home");
        return home != null ? Path.of(home, ".cache", "synthetic")
                : Path.of(System.getProperty("user.home"), ".cache", "mseg", "synthetic");
    }

    /** Log lines every {@code print_freq} steps, or a progress bar with ETA on a terminal; --quiet: neither. */
    static final class ConsoleListener implements TrainingListener {
        private final PrintWriter out;
        private final int printFreq;
        private final ConsoleProgress.Mode mode;
        /** {@code [task I] } for the tasks of a cluster other than 0, so that interleaved logs say who wrote. */
        private final String prefix;
        private ProgressBar bar;

        ConsoleListener(PrintWriter out, int printFreq, ConsoleProgress.Mode mode) {
            this(out, printFreq, mode, "");
        }

        ConsoleListener(PrintWriter out, int printFreq, ConsoleProgress.Mode mode, String prefix) {
            this.out = out;
            this.printFreq = printFreq;
            this.mode = mode;
            this.prefix = prefix;
        }

        @Override
        public void onStart(TrainingPlan plan) {
            if (mode == ConsoleProgress.Mode.NONE) {
                return;
            }
            out.printf(Locale.ROOT, "%straining %s: %d datasets, %d crops/step, steps %d..%d, run folder %s%n",
                    prefix, plan.strategy(), plan.datasets().size(), plan.cropsPerStep(), plan.startIteration(),
                    plan.maxIterations(), plan.runDirectory());
            out.flush();
            if (mode == ConsoleProgress.Mode.BAR) {
                bar = ConsoleProgress.bar("train", plan.maxIterations(), 1000)
                        .startsFrom(plan.startIteration(), java.time.Duration.ZERO).build();
            }
        }

        @Override
        public void onStep(StepReport r) {
            if (bar != null) {
                bar.stepTo(r.iteration());
                bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f lr %.5f", r.loss(), r.learningRate()));
                return;
            }
            if (mode == ConsoleProgress.Mode.NONE) {
                return;
            }
            if (r.iteration() % printFreq == 0 || r.iteration() == r.maxIterations() || r.iteration() == 1) {
                out.println(prefix + StepLines.format(r));
                out.flush();
            }
        }

        @Override
        public void onCheckpoint(long iteration, Path directory) {
            if (mode == ConsoleProgress.Mode.LINES) {
                out.println("checkpoint " + directory);
                out.flush();
            }
        }

        @Override
        public void onValidation(String dataset, double mIoU, Map<String, Double> extras) {
            if (mode == ConsoleProgress.Mode.NONE) {
                return; // the summary table after training has the same numbers
            }
            out.printf(Locale.ROOT, "validated %s: mIoU %.2f%n", dataset, 100 * mIoU);
            out.flush();
        }

        @Override
        public void onEnd(long completedIterations, Throwable failure) {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    /**
     * MSeg's configs switch MGDA on with {@code use_mgda: True} (its launcher passed {@code use_mgda True}); here the
     * strategy is named with {@code --strategy}. Both must agree.
     */
    static String strategyFor(MsegConfig cfg, String option) {
        boolean useMgda = cfg.has("use_mgda") && cfg.get("use_mgda") != null && cfg.getBool("use_mgda");
        if (!useMgda) {
            return option == null ? "standard" : option;
        }
        if (option != null && !option.equals("mgda")) {
            throw new ConfigException("DATA.use_mgda: True in " + cfg.source() + " conflicts with --strategy "
                    + option + ". Use --strategy mgda, or --set use_mgda=False.");
        }
        return "mgda";
    }
}
