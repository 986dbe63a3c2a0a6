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
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.engine.DatasetSlice;
import org.mseg.hrnet.engine.HrnetGraphModel;
import org.mseg.hrnet.engine.LoaderBatchSource;
import org.mseg.hrnet.engine.PolyLrSchedule;
import org.mseg.hrnet.engine.StepBatch;
import org.mseg.hrnet.engine.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import org.mseg.api.json.Json;

/**
 * {@code mseg-cli bench train}: seconds per training step (forward, backward, SGD update, BN statistics) of HRNet in
 * the universal taxonomy, (a) on one fixed batch fed again every step, without a loader, and (b) with the real
 * multi-dataset loader producing every batch (synthetic Cityscapes-layout data, MSeg's train chain), median of the
 * timed steps after one warm-up step each.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Training-step time of HRNet: fixed batch vs. the real loader feeding it (median s/step).",
                "Anchor: PyTorch HRNet-W48, 194 classes, batch 2 at 257x257 took 29.7 s/step on a 2-core CPU."})
final class BenchTrainCommand implements Callable<Integer> {
    private static final String DATASET = "cityscapes-19-relabeled";

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--arch", defaultValue = "hrnet", description = "Architecture (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--width", paramLabel = "W", defaultValue = "48",
            description = "HRNet width 18, 32 or 48 (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--variant", paramLabel = "NAME", description = "HRNet variant by name (e.g. tiny); overrides"
            + " --width.")
    String variant;

    @Option(names = "--crop", paramLabel = "S", defaultValue = "257",
            description = "Square crop size, 8k+1 (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "2", description = "Crops per step (default:"
            + " ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "3",
            description = "Timed steps per mode, after one warm-up step (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!arch.equals("hrnet")) {
            throw new ConfigException("--arch " + arch + ": only hrnet is available in the TensorFlow engine");
        }
        if (steps < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--steps and --batch must be at least 1");
        }
        try {
            Hrnet.checkInputSize(crop, crop);
        } catch (MsegException e) {
            throw new ParameterException(spec.commandLine(), "--crop: " + e.getMessage());
        }
        HrnetSpec hrnet = HrnetSpec.named(variant != null ? variant : "w" + width);
        PluginEnvironment env = plugins.environment();
        int classes = 194;
        Path dir = Files.createTempDirectory("mseg-bench-train");
        try {
            SyntheticMseg.Summary data = SyntheticMseg.ensure(dir, new SyntheticMseg.Options(4, 1,
                    Math.max(160, crop), Math.max(120, crop), 7), env);
            TransformParams params = new TransformParams(crop, 0.5, 2.0, -10, 10, crop, crop, 255);
            int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
            try (Trainer trainer = Trainer.builder()
                    .model(tf -> new HrnetGraphModel(Hrnet.create(tf, hrnet, classes, 0L)))
                    .slices(List.of(new DatasetSlice(DATASET, 0, batch)))
                    .crop(crop, crop)
                    .schedule(new PolyLrSchedule(0.01, 2L * (steps + 1), 0.9))
                    .build();
                    LoaderBatchSource source = new LoaderBatchSource(MultiDatasetLoader.builder().environment(env)
                            .dataRoot(data.dataRoot()).listsFolder(Optional.of(data.listsFolder()))
                            .target(LabelTarget.UNIVERSAL).streams(List.of(new StreamSpec(DATASET, "train", batch)))
                            .params(params).train(true).threads(cores).prefetch(2).seed(1).build())) {
                StepBatch fixed = source.next();
                List<Double> constant = new ArrayList<>();
                for (int i = 0; i <= steps; i++) {
                    long t0 = System.nanoTime();
                    trainer.step(fixed);
                    if (i > 0) {
                        constant.add((System.nanoTime() - t0) / 1e9);
                    }
                }
                List<Double> loaded = new ArrayList<>();
                for (int i = 0; i <= steps; i++) {
                    long t0 = System.nanoTime();
                    trainer.step(source.next());
                    if (i > 0) {
                        loaded.add((System.nanoTime() - t0) / 1e9);
                    }
                }
                report(hrnet, classes, trainer.model().parameterGroups().stream()
                        .flatMap(g -> g.variables().stream()).mapToLong(v -> v.shape().size()).sum(),
                        median(constant), median(loaded));
            }
            return MsegCommand.OK;
        } finally {
            deleteTree(dir);
        }
    }

    private void report(HrnetSpec hrnet, int classes, long params, double constant, double loaded) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("s_per_step_const", round(constant));
            m.put("s_per_step_loader", round(loaded));
            m.put("ratio", round(loaded / constant));
            m.put("params", params);
            m.put("variant", hrnet.name());
            m.put("classes", classes);
            m.put("crop", crop);
            m.put("batch", batch);
            m.put("steps", steps);
            out.println(Json.write(m, false));
        } else {
            out.printf(Locale.ROOT, "HRNet %s, %d classes, %,d trainable parameters, batch %d at %dx%d, median of %d"
                    + " steps after one warm-up:%n", hrnet.name(), classes, params, batch, crop, crop, steps);
            out.printf(Locale.ROOT, "  fixed batch:  %.3f s/step%n", constant);
            out.printf(Locale.ROOT, "  real loader:  %.3f s/step (%.2fx)%n", loaded, loaded / constant);
        }
        out.flush();
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
