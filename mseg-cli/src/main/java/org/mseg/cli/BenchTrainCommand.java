package org.mseg.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.config.Precision;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.model.GraphModels;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.engine.DeviceInventory;
import org.mseg.engine.DevicePlan;
import org.mseg.engine.LowPrecisionKernels;
import org.mseg.engine.LoaderBatchSource;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import org.mseg.api.json.Json;

/**
 * {@code mseg-cli bench train}: seconds per training step (forward, backward, SGD update, BN statistics) of a model in
 * the universal taxonomy, (a) on one fixed batch fed again every step, without a loader, and (b) with the real
 * multi-dataset loader producing every batch (synthetic Cityscapes-layout data, MSeg's train chain), median of the
 * timed steps after one warm-up step each. {@code --precision fp32,bf16,fp16} measures each precision in turn, in one
 * process on the same batches, and reports every one as a ratio against the first. {@code --devices cpu:1,cpu:2}
 * measures each device plan in turn (every replica steps on {@code --batch} crops): s/step, crops/s, the scaling
 * efficiency against the first plan (crops/s ratio divided by the replica ratio) and the gradient all-reduce's share
 * of a step.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Training-step time of a model (--arch, default hrnet w48): fixed batch vs. the real loader"
                + " feeding it (median s/step).",
                "MSeg's PyTorch step on the same machine, interleaved with this command:"
                        + " tools/bench_vs_upstream.sh --only train."})
final class BenchTrainCommand implements Callable<Integer> {
    private static final String DATASET = "cityscapes-19-relabeled";

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Mixin
    ModelOptions model;

    @Option(names = "--crop", paramLabel = "S", defaultValue = "257",
            description = "Square crop size, 8k+1 (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "2", description = "Crops per step (default:"
            + " ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "3",
            description = "Timed steps per mode, after one warm-up step (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--precision", paramLabel = "P", split = ",", defaultValue = "fp32",
            description = "Precisions to measure, in turn: fp32, bf16, fp16, comma-separated; ratios are against the"
                    + " first (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--devices", paramLabel = "LIST",
            description = "Device plans to measure, in turn, each as TRAIN.devices writes it (cpu, cpu:N, gpu,"
                    + " gpu:I,J,...): separated by ';' or by repeating the option, e.g. --devices 'cpu;cpu:2;cpu:4';"
                    + " a comma starts a new plan only before cpu or gpu (cpu:1,cpu:2 is two plans, gpu:0,2,3 one)."
                    + " Every replica steps on --batch crops; scaling efficiency is against the first plan"
                    + " (default: cpu).")
    List<String> deviceLists = new ArrayList<>();

    @Option(names = "--no-loader", description = "Measure the fixed batch only (not the real loader).")
    boolean noLoader;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--processes", paramLabel = "N", defaultValue = "1",
            description = "Also measure N processes on 127.0.0.1 as one TensorFlow cluster (each on the --devices"
                    + " plan, every replica on --batch crops, fixed batch), after one process measured in this"
                    + " process: s/step, crops/s, all-reduce time and scaling efficiency against the one process"
                    + " (default: ${DEFAULT-VALUE}). The tasks run in a private network namespace where this user may"
                    + " make one (unshare -n, or -rn), else on this machine's loopback, where their unauthenticated"
                    + " gRPC servers listen on all interfaces while they run.")
    int processes;

    /** Set on the tasks that --processes starts: the cluster they form (not for users: see train --cluster). */
    @Option(names = "--bench-cluster", hidden = true)
    String benchCluster;

    @Option(names = "--bench-task", hidden = true)
    Integer benchTask;

    /** The timings of one precision on one device plan. */
    private record Timing(Plan plan, Precision precision, double constant, double loaded, double allReduce) {
    }

    /** A device plan as given ({@code cpu:2}) and as resolved. */
    private record Plan(String spec, DevicePlan devices) {
    }

    /**
     * The device specs of {@code --devices} values, in order: each value is split on {@code ;}, then on the commas
     * that precede a whole spec starting with {@code cpu} or {@code gpu} ({@code cpu:1,cpu:2} is two specs,
     * {@code gpu:0,2,3} one); each spec in canonical form. No value: {@code cpu}.
     *
     * @throws ConfigException naming --devices and the accepted forms for a malformed spec
     */
    static List<String> deviceSpecs(List<String> values) {
        List<String> specs = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(";", -1)) {
                StringBuilder current = null;
                for (String piece : part.split(",", -1)) {
                    String p = piece.strip().toLowerCase(Locale.ROOT);
                    boolean startsSpec = (p.startsWith("cpu") || p.startsWith("gpu")) && DevicePlan.isSpec(p);
                    if (current == null || startsSpec) {
                        if (current != null) {
                            specs.add(current.toString());
                        }
                        current = new StringBuilder(piece);
                    } else {
                        current.append(',').append(piece);
                    }
                }
                specs.add(current.toString());
            }
        }
        List<String> canonical = new ArrayList<>();
        for (String spec : specs) {
            try {
                canonical.add(DevicePlan.normalize(spec));
            } catch (ConfigException e) {
                throw new ConfigException("--devices: " + e.getMessage(), e);
            }
        }
        return canonical.isEmpty() ? List.of("cpu") : List.copyOf(canonical);
    }

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--steps and --batch must be at least 1");
        }
        if (processes < 1) {
            throw new ParameterException(spec.commandLine(), "--processes must be at least 1");
        }
        if (processes > 1 && (deviceSpecs(deviceLists).size() > 1 || precisions.size() > 1)) {
            throw new ParameterException(spec.commandLine(), "--processes measures one --devices plan in one"
                    + " --precision; give one of each");
        }
        PluginEnvironment env = plugins.environment();
        ModelProvider provider = model.provider(env);
        int classes = 194;
        ModelSpec modelSpec = model.spec(provider, classes);
        try {
            provider.checkInputSize(modelSpec, crop, crop);
        } catch (MsegException e) {
            throw new ParameterException(spec.commandLine(), "--crop: " + e.getMessage());
        }
        List<Precision> measured = new ArrayList<>();
        for (String name : precisions) {
            Precision p = Precision.fromConfigName(name.trim());
            if (!provider.precisions().contains(p)) {
                throw new ConfigException("--precision " + p.configName() + ": arch '" + provider.name()
                        + "' computes in " + provider.precisions().stream().sorted().map(Precision::configName)
                                .toList());
            }
            LowPrecisionKernels.require(p, "--precision"); // before any data or graph: the fix, not a native error
            measured.add(p);
        }
        List<Plan> plans = new ArrayList<>();
        for (String s : deviceSpecs(deviceLists)) {
            try {
                plans.add(new Plan(s, DeviceInventory.resolvePlan(s)));
            } catch (ConfigException e) {
                throw new ConfigException("--devices " + s + ": " + e.getMessage(), e);
            }
        }
        Path dir = Files.createTempDirectory("mseg-bench-train");
        try {
            SyntheticMseg.Summary data = SyntheticMseg.ensure(dir, new SyntheticMseg.Options(4, 1,
                    Math.max(160, crop), Math.max(120, crop), 7), env);
            TransformParams params = new TransformParams(crop, 0.5, 2.0, -10, 10, crop, crop, 255);
            int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
            List<Timing> timings = new ArrayList<>();
            long trainable = 0;
            Optional<org.mseg.engine.ClusterSpec> task = benchCluster == null ? Optional.empty()
                    : Optional.of(org.mseg.engine.ClusterSpec.explicit(benchCluster, benchTask));
            int tasks = task.map(org.mseg.engine.ClusterSpec::size).orElse(1);
            for (Plan plan : plans) {
                int rows = batch * plan.devices().replicas() * tasks;
                for (Precision precision : measured) {
                    Trainer.Builder builder = Trainer.builder();
                    task.ifPresent(c -> builder.cluster(c, 300, "bench"));
                    try (Trainer trainer = builder
                            .devices(plan.devices())
                            .model(tf -> GraphModels.build(provider, modelSpec, tf, 0L))
                            .slices(List.of(new DatasetSlice(DATASET, 0, rows)))
                            .crop(crop, crop)
                            .precision(precision)
                            .schedule(new PolyLrSchedule(0.01, 2L * (steps + 1), 0.9))
                            .build();
                            LoaderBatchSource source = new LoaderBatchSource(MultiDatasetLoader.builder()
                                    .environment(env).dataRoot(data.dataRoot())
                                    .listsFolder(Optional.of(data.listsFolder())).target(LabelTarget.UNIVERSAL)
                                    .streams(List.of(new StreamSpec(DATASET, "train", rows))).params(params)
                                    .rows(trainer.firstFedRow(), trainer.fedRows())
                                    .train(true).threads(cores).prefetch(2).seed(1).build())) {
                        Batch fixed = source.next();
                        double constant = median(time(trainer, () -> fixed));
                        double loaded = noLoader ? Double.NaN : median(time(trainer, source::next));
                        double allReduce = trainer.timeGradientAllReduce(steps);
                        timings.add(new Timing(plan, precision, constant, loaded, allReduce));
                        trainable = trainer.model().parameterGroups().stream()
                                .flatMap(g -> g.variables().stream()).mapToLong(v -> v.shape().size()).sum();
                        trainer.leaveCluster();
                    }
                }
            }
            if (task.isPresent()) {
                // a task started by --processes: its numbers, for the process that started it
                Timing t = timings.get(0);
                spec.commandLine().getOut().println(Json.write(Map.of("task", task.get().taskIndex(),
                        "s_per_step_const", t.constant(), "allreduce_s_per_step", t.allReduce()), false));
                spec.commandLine().getOut().flush();
                return MsegCommand.OK;
            }
            if (processes > 1) {
                reportProcesses(provider.name() + " " + modelSpec.variant(), trainable, timings.get(0),
                        ProcessBench.run(processes, plans.get(0).spec(), measured.get(0), crop, batch, steps,
                                provider.name(), modelSpec.variant()));
                return MsegCommand.OK;
            }
            report(provider.name() + " " + modelSpec.variant(), classes, trainable, timings);
            return MsegCommand.OK;
        } finally {
            deleteTree(dir);
        }
    }

    /** {@code model name} of {@code /proc/cpuinfo}, if there is one. */
    static Optional<String> cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Seconds of each of {@code steps} steps after one untimed warm-up step. */
    private List<Double> time(Trainer trainer, java.util.function.Supplier<Batch> batches) {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
            Batch b = batches.get();
            long t0 = System.nanoTime();
            trainer.step(b);
            if (i > 0) {
                seconds.add((System.nanoTime() - t0) / 1e9);
            }
        }
        return seconds;
    }

    private void report(String model, int classes, long params, List<Timing> timings) {
        PrintWriter out = spec.commandLine().getOut();
        Timing base = timings.get(0);
        Plan basePlan = base.plan();
        List<Timing> firstPlan = timings.stream().filter(t -> t.plan() == basePlan).toList();
        boolean severalPlans = timings.stream().anyMatch(t -> t.plan() != basePlan);
        Optional<String> cpu = cpuModel();
        if (json) {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (Timing t : firstPlan) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("precision", t.precision().configName());
                m.put("s_per_step_const", round(t.constant()));
                if (!noLoader) {
                    m.put("s_per_step_loader", round(t.loaded()));
                    m.put("ratio", round(t.loaded() / t.constant()));
                }
                m.put("const_vs_" + base.precision().configName(), round(t.constant() / base.constant()));
                runs.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>(runs.get(0));
            m.remove("precision");
            m.remove("const_vs_" + base.precision().configName());
            m.put("params", params);
            m.put("model", model);
            m.put("classes", classes);
            m.put("crop", crop);
            m.put("batch", batch);
            m.put("steps", steps);
            m.put("precision", base.precision().configName());
            if (firstPlan.size() > 1) {
                m.put("precisions", runs);
            }
            m.putAll(planFields(base, timings));
            m.put("cpu_model", cpu.orElse(null));
            if (severalPlans) {
                List<Map<String, Object>> plans = new ArrayList<>();
                for (Timing t : timings) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("precision", t.precision().configName());
                    p.put("s_per_step_const", round(t.constant()));
                    if (!noLoader) {
                        p.put("s_per_step_loader", round(t.loaded()));
                    }
                    p.putAll(planFields(t, timings));
                    plans.add(p);
                }
                m.put("plans", plans);
            }
            out.println(Json.write(m, false));
        } else {
            out.printf(Locale.ROOT, "%s, %d classes, %,d trainable parameters, %d crops per replica at %dx%d, median"
                    + " of %d steps after one warm-up%s:%n", model, classes, params, batch, crop, crop, steps,
                    cpu.map(c -> ", " + c).orElse(""));
            Plan shown = null;
            for (Timing t : timings) {
                if (t.plan() != shown) {
                    shown = t.plan();
                    out.printf(Locale.ROOT, "--devices %s: %s (%d replica%s)%n", shown.spec(), shown.devices(),
                            shown.devices().replicas(), shown.devices().replicas() == 1 ? "" : "s");
                }
                String name = t.precision().configName();
                Timing ref = firstPlanAt(t, timings);
                out.printf(Locale.ROOT, "  %-5s fixed batch:  %.3f s/step, %.2f crops/s", name, t.constant(),
                        cropsPerSecond(t));
                if (t.plan() == basePlan && t != base) {
                    out.printf(Locale.ROOT, " (%.2fx the %s time)", t.constant() / base.constant(),
                            base.precision().configName());
                }
                if (t.plan() != basePlan) {
                    out.printf(Locale.ROOT, ", scaling efficiency %.2f vs --devices %s", efficiency(t, ref),
                            ref.plan().spec());
                }
                out.print(Double.isNaN(t.allReduce()) ? ", all-reduce: not measured by this engine"
                        : String.format(Locale.ROOT, ", all-reduce %.4f s/step", t.allReduce()));
                out.println();
                if (!noLoader) {
                    out.printf(Locale.ROOT, "  %-5s real loader:  %.3f s/step (%.2fx)%n", name, t.loaded(),
                            t.loaded() / t.constant());
                }
            }
        }
        out.flush();
    }

    /**
     * The report of {@code --processes}: one process (measured here) against the cluster of processes (task 0's
     * median step, every task's all-reduce), crops/s over all replicas of all processes, and the scaling efficiency
     * (crops/s ratio divided by the process count).
     */
    private void reportProcesses(String modelName, long params, Timing one, ProcessBench.Result cluster) {
        PrintWriter out = spec.commandLine().getOut();
        int replicas = one.plan().devices().replicas();
        double oneRate = batch * replicas / one.constant();
        double clusterRate = batch * replicas * (double) processes / cluster.secondsPerStep();
        double efficiency = clusterRate / oneRate / processes;
        Optional<String> cpu = cpuModel();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", modelName);
            m.put("params", params);
            m.put("crop", crop);
            m.put("batch", batch);
            m.put("steps", steps);
            m.put("precision", one.precision().configName());
            m.put("device_spec", one.plan().spec());
            m.put("processes", processes);
            m.put("one_process", Map.of("s_per_step", round(one.constant()), "crops_per_s", round(oneRate)));
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("s_per_step", round(cluster.secondsPerStep()));
            c.put("crops_per_s", round(clusterRate));
            c.put("allreduce_s_per_step", Math.round(cluster.allReduceSeconds() * 1e6) / 1e6);
            c.put("allreduce_share", round(cluster.allReduceSeconds() / cluster.secondsPerStep()));
            c.put("gradient_mb", round(params * 4 / 1e6));
            m.put("cluster", c);
            m.put("scaling_efficiency", round(efficiency));
            m.put("transport", cluster.privateNetwork() ? "grpc on 127.0.0.1, private network namespace"
                    : "grpc on 127.0.0.1");
            m.put("cpu_model", cpu.orElse(null));
            m.put("cores", Runtime.getRuntime().availableProcessors());
            out.println(Json.write(m, false));
        } else {
            out.printf(Locale.ROOT, "%s, %,d trainable parameters (%.1f MB of gradients), %d crops per replica at"
                    + " %dx%d, --devices %s, median of %d steps after one warm-up%s:%n", modelName, params,
                    params * 4 / 1e6, batch, crop, crop, one.plan().spec(), steps, cpu.map(x -> ", " + x).orElse(""));
            out.printf(Locale.ROOT, "  1 process:   %.3f s/step, %.2f crops/s%n", one.constant(), oneRate);
            out.printf(Locale.ROOT, "  %d processes: %.3f s/step, %.2f crops/s, scaling efficiency %.2f; all-reduce"
                    + " of the gradients on its own %.4f s (%.0f%% of a step)%n", processes,
                    cluster.secondsPerStep(), clusterRate, efficiency, cluster.allReduceSeconds(),
                    100 * cluster.allReduceSeconds() / cluster.secondsPerStep());
        }
        out.flush();
    }

    /** The device fields of one timing: plan, replicas, crops/s, scaling efficiency, all-reduce time. */
    private Map<String, Object> planFields(Timing t, List<Timing> timings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_spec", t.plan().spec());
        m.put("devices", t.plan().devices().devices());
        m.put("replicas", t.plan().devices().replicas());
        m.put("crops_per_s", round(cropsPerSecond(t)));
        m.put("scaling_efficiency", round(efficiency(t, firstPlanAt(t, timings))));
        m.put("allreduce_s_per_step", Double.isNaN(t.allReduce()) ? null : Math.round(t.allReduce() * 1e6) / 1e6);
        return m;
    }

    /** The first plan's timing at {@code t}'s precision: what scaling is measured against. */
    private static Timing firstPlanAt(Timing t, List<Timing> timings) {
        Plan first = timings.get(0).plan();
        return timings.stream().filter(x -> x.plan() == first && x.precision() == t.precision()).findFirst()
                .orElseThrow();
    }

    /** Crops per second of the fixed-batch steps: every replica steps on {@code --batch} crops. */
    private double cropsPerSecond(Timing t) {
        return batch * t.plan().devices().replicas() / t.constant();
    }

    /** Crops/s ratio divided by the replica ratio, against {@code ref}: 1 is perfect scaling. */
    private double efficiency(Timing t, Timing ref) {
        return cropsPerSecond(t) / cropsPerSecond(ref)
                / ((double) t.plan().devices().replicas() / ref.plan().devices().replicas());
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
