package org.mseg.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.engine.model.LoadReport;
import org.mseg.engine.model.StateDictException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.api.json.Json;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.checkpoint.PytorchImport;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.mseg.taxonomy.TaxonomyConverter;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mseg-cli model summary|import|logits|bench}. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Inspect, import, run and benchmark segmentation models.",
        subcommands = {ModelCommand.Summary.class, ModelCommand.Import.class, ModelCommand.Logits.class,
                ModelCommand.Bench.class})
final class ModelCommand {

    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = "Layer table and trainable parameter count of an architecture.")
    static final class Summary implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Mixin
        ModelOptions model;

        @Option(names = "--num-classes", defaultValue = "194", paramLabel = "N",
                description = "Number of classes. Default: ${DEFAULT-VALUE}.")
        int numClasses;

        @Option(names = "--input", defaultValue = "713x713", paramLabel = "HxW",
                description = "Input size for the output shapes. Default: ${DEFAULT-VALUE}.")
        String input;

        @Override
        public Integer call() {
            ModelProvider provider = model.provider(plugins.environment());
            ModelSpec modelSpec = model.spec(provider, numClasses);
            String arch = provider.name();
            String v = modelSpec.variant();
            String[] hw = input.split("x");
            if (hw.length != 2 || !hw[0].matches("\\d+") || !hw[1].matches("\\d+")) {
                throw new ConfigException("--input must look like 713x713 (height x width), was '" + input + "'.");
            }
            long params = provider.parameterCount(v, numClasses);
            List<LayerSummary> rows = provider.summary(modelSpec, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s %s, %d classes, input %s%n%n", arch, v, numClasses, input);
            if (!rows.isEmpty()) {
                TextTable t = new TextTable("LAYER", "KIND", "OUTPUT (HxWxC)", "PARAMS");
                rows.forEach(r -> t.row(r.name(), r.kind(), r.outputShape(), String.format("%,d", r.parameters())));
                t.print(out);
                out.println();
            }
            out.printf("Trainable parameters: %,d%n", params);
            out.flush();
            return MsegCommand.OK;
        }
    }

    /** How many keys of each kind the import report lists. */
    static final int REPORT_KEYS = 5;

    /** Name written to checkpoints whose class names are unknown. */
    static final String UNSPECIFIED_TAXONOMY = "unspecified";

    /** The taxonomy and class names of an imported model. */
    record Classes(String taxonomy, List<String> names) {
    }

    /**
     * The taxonomy a checkpoint records: the named one (its class count must be {@code numClasses}); without a
     * name, the universal taxonomy when it has {@code numClasses} classes; else placeholder names {@code class_<i>}.
     */
    static Classes classes(TaxonomyConverter converter, String taxonomy, int numClasses) {
        if (taxonomy != null) {
            TaxonomyDefinition d = converter.taxonomy(taxonomy);
            if (d.numClasses() != numClasses) {
                throw new ConfigException("--taxonomy " + taxonomy + " has " + d.numClasses() + " classes but "
                        + "--num-classes is " + numClasses + ".");
            }
            return new Classes(d.name(), d.classNames());
        }
        TaxonomyDefinition universal = converter.universal();
        if (universal.numClasses() == numClasses) {
            return new Classes(universal.name(), universal.classNames());
        }
        return new Classes(UNSPECIFIED_TAXONOMY, CheckpointMetadata.placeholderClassNames(numClasses));
    }

    /**
     * A model shape read from {@code --spec FILE}: a JSON object of the provider's own parameters, with optional
     * {@code name} (the variant's label) and {@code numClasses}. For HRNet it is the format of the PyTorch fixtures'
     * {@code spec.json}.
     */
    record SpecFile(String name, Integer numClasses, Map<String, Object> parameters) {
    }

    /** Reads {@code --spec FILE}; every error is a {@link ConfigException} naming the file. */
    static SpecFile readSpec(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("--spec " + file + ": cannot read: " + e.getMessage(), e);
        }
        Object json = Json.parse(text, file.toString());
        if (!(json instanceof Map<?, ?> map)) {
            throw new ConfigException(file + ": a model spec must be a JSON object");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        map.forEach((k, v) -> parameters.put(String.valueOf(k), v));
        Object name = parameters.remove("name");
        Object classes = parameters.remove("numClasses");
        if (name != null && !(name instanceof String)) {
            throw new ConfigException(file + ": key 'name' must be a string");
        }
        if (classes != null && !(classes instanceof Long l && l >= 1 && l <= Integer.MAX_VALUE)) {
            throw new ConfigException(file + ": key 'numClasses' must be a positive integer");
        }
        return new SpecFile(name == null ? "custom" : (String) name,
                classes == null ? null : ((Long) classes).intValue(), parameters);
    }

    /** Parses {@code HxW}. */
    static int[] size(String option, String value) {
        String[] hw = value.split("x");
        if (hw.length != 2 || !hw[0].matches("\\d{1,5}") || !hw[1].matches("\\d{1,5}")) {
            throw new ConfigException(option + " must look like 713x713 (height x width), was '" + value + "'.");
        }
        return new int[] {Integer.parseInt(hw[0]), Integer.parseInt(hw[1])};
    }

    static float[] nchwToNhwc(float[] x, int n, int c, int h, int w) {
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int src = ((b * c + ch) * h + y) * w;
                    int dst = (b * h + y) * w * c + ch;
                    for (int xx = 0; xx < w; xx++) {
                        out[dst + xx * c] = x[src + xx];
                    }
                }
            }
        }
        return out;
    }

    static float[] nhwcToNchw(float[] x, int n, int c, int h, int w) {
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int dst = ((b * c + ch) * h + y) * w;
                    int src = (b * h + y) * w * c + ch;
                    for (int xx = 0; xx < w; xx++) {
                        out[dst + xx] = x[src + xx * c];
                    }
                }
            }
        }
        return out;
    }

    /** {@code mseg-cli model import}: PyTorch state dict to MSeg checkpoint folder, by the model's import rules. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Convert a PyTorch state dict into an MSeg checkpoint folder, by the import rules of the "
                    + "model provider named with --arch (key names, layouts).",
                    "For hrnet: MSeg's released models ('module.' keys, {\"state_dict\": ...}) and the ImageNet "
                            + "backbone hrnetv2_w48_imagenet_pretrained.pth (its classification head is skipped; it "
                            + "has no segmentation head, so add --allow-partial). "
                            + "Prints how many keys were loaded, missing, unexpected, skipped and ignored."})
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "PyTorch checkpoint (.pth).")
        Path from;

        @Mixin
        ModelOptions model;

        @Option(names = "--spec", paramLabel = "FILE", description = {"Custom model shape as JSON: the provider's "
                + "parameters, optional name and numClasses. For hrnet: stemChannels, stage1Planes, stage1Blocks, "
                + "width, blocksPerBranch, modules [m2, m3, m4] (the format of the PyTorch fixtures' spec.json)."})
        Path specFile;

        @Option(names = "--num-classes", paramLabel = "N",
                description = "Number of classes (default: from --spec or --taxonomy).")
        Integer numClasses;

        @Option(names = "--taxonomy", paramLabel = "NAME", description = {"Taxonomy of the logits; its class names "
                + "go into the checkpoint. Default: universal when N = 194, else placeholder names class_<i>."})
        String taxonomy;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint folder to write.")
        Path out;

        @Option(names = "--force", description = "Replace --out if it is already a checkpoint.")
        boolean force;

        @Option(names = "--allow-partial", description = {"Write the checkpoint even when model keys are missing "
                + "(they keep the random initialisation) or the file has unexpected keys."})
        boolean allowPartial;

        @Override
        public Integer call() {
            ModelProvider provider = model.provider(plugins.environment());
            int given = (model.width != null ? 1 : 0) + (model.variant != null ? 1 : 0) + (specFile != null ? 1 : 0);
            if (given != 1) {
                throw new ConfigException("Give exactly one of --width, --variant or --spec.");
            }
            Integer classes = numClasses;
            SpecFile sf = null;
            if (specFile != null) {
                if (!Files.isRegularFile(specFile)) {
                    throw new ConfigException("--spec " + specFile + " does not exist.");
                }
                sf = readSpec(specFile);
                if (sf.numClasses() != null && classes != null && !sf.numClasses().equals(classes)) {
                    throw new ConfigException("--num-classes " + classes + " contradicts numClasses "
                            + sf.numClasses() + " in " + specFile + ".");
                }
                classes = classes != null ? classes : sf.numClasses();
            }
            TaxonomyConverter converter = TaxonomyConverter.of(plugins.environment());
            if (classes == null && taxonomy != null) {
                classes = converter.taxonomy(taxonomy).numClasses();
            }
            if (classes == null) {
                throw new ConfigException("Give --num-classes (e.g. 194 for the universal taxonomy).");
            }
            if (classes < 1) {
                throw new ConfigException("--num-classes must be positive, was " + classes + ".");
            }
            ModelSpec modelSpec = sf != null ? new ModelSpec(provider.name(), sf.name(), classes, sf.parameters())
                    : model.spec(provider, classes);
            Map<String, Object> stored;
            try {
                stored = provider.checkpointParameters(modelSpec); // the provider checks its own parameters
            } catch (ConfigException e) {
                throw new ConfigException((specFile != null ? specFile.toString() : "--variant") + ": "
                        + e.getMessage(), e);
            }
            modelSpec = new ModelSpec(modelSpec.arch(), modelSpec.variant(), classes, stored);
            Classes names = classes(converter, taxonomy, classes);
            if (!Files.isRegularFile(from)) {
                throw new ConfigException("--from " + from + " does not exist or is not a file.");
            }
            if (Files.exists(out)) {
                if (!Files.isRegularFile(out.resolve(Checkpoints.METADATA_FILE))) {
                    throw new ConfigException("--out " + out + " exists and is not a checkpoint folder; choose a new "
                            + "folder.");
                }
                if (!force) {
                    throw new ConfigException("--out " + out
                            + " already holds a checkpoint; add --force to replace it.");
                }
            }

            PrintWriter pw = spec.commandLine().getOut();
            PytorchImport imported;
            try {
                imported = PytorchImport.open(provider, modelSpec, from);
            } catch (StateDictException e) {
                throw new ConfigException(from + ": " + e.getMessage(), e);
            }
            try (imported) {
                LoadReport report = imported.report();
                String what = provider.name() + " " + modelSpec.variant();
                pw.printf("%s: %d tensors%s%n", from, imported.tensors(),
                        imported.location().isEmpty() ? "" : " under '" + imported.location() + "'");
                pw.printf("model: %s, %d classes, taxonomy %s%n%n", what, classes, names.taxonomy());
                TextTable t = new TextTable("KEYS", "COUNT", "FIRST KEYS");
                t.row("loaded", report.loaded().size(), first(report.loaded()));
                t.row("missing", report.missing().size(), first(report.missing()));
                t.row("unexpected", report.unexpected().size(), first(report.unexpected()));
                t.row("skipped", report.skipped().size(), first(report.skipped()));
                t.row("ignored", report.ignored().size(), first(report.ignored()));
                t.print(pw);
                pw.println();
                if (!report.skipped().isEmpty()) {
                    pw.println("skipped: left out on purpose by the " + provider.name() + " import rules (for "
                            + "hrnet: the ImageNet classification head)");
                }
                if (!report.ignored().isEmpty()) {
                    pw.println("ignored: BN batch counters (num_batches_tracked), unused by TensorFlow");
                }
                pw.flush();
                report.nonFiniteWarning(from.toString()).ifPresent(w -> {
                    spec.commandLine().getErr().println("warning: " + w);
                    spec.commandLine().getErr().flush();
                });
                if (!report.complete() && !allowPartial) {
                    throw new ConfigException(from + " does not match " + what + " with "
                            + classes + " classes: " + report.missing().size() + " missing and "
                            + report.unexpected().size() + " unexpected keys (listed above). Check "
                            + "--width/--variant/--spec and --num-classes; "
                            + "add --allow-partial to keep the random initialisation of missing keys (e.g. the "
                            + "head, when importing an ImageNet backbone).");
                }
                imported.write(out, names.taxonomy(), names.names());
            }
            pw.printf("Wrote checkpoint %s%n", out);
            pw.flush();
            return MsegCommand.OK;
        }

        private static String first(List<String> keys) {
            if (keys.isEmpty()) {
                return "";
            }
            String shown = String.join(", ", keys.subList(0, Math.min(REPORT_KEYS, keys.size())));
            return keys.size() > REPORT_KEYS ? shown + ", ..." : shown;
        }
    }

    /** {@code mseg-cli model logits}: checkpoint inference on a {@code .npy} batch. */
    @Command(name = "logits", mixinStandardHelpOptions = true,
            description = {"Run a checkpoint on a .npy batch: float32 NCHW normalised images [N, 3, H, W] in, "
                    + "float32 NCHW logits [N, C, H, W] out (H and W must be 8k + 1)."})
    static final class Logits implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
        Path checkpoint;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "Input .npy (float32 NCHW).")
        Path input;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .npy for the logits.")
        Path out;

        @Override
        public Integer call() {
            if (!Files.isDirectory(checkpoint)) {
                throw new ConfigException("--checkpoint " + checkpoint + " is not a folder.");
            }
            if (!Files.isRegularFile(input)) {
                throw new ConfigException("--input " + input + " does not exist.");
            }
            NpyArray x = Npy.read(input);
            long[] s = x.shape();
            if (s.length != 4 || s[1] != 3) {
                throw new ConfigException("--input " + input + " has shape " + x.shapeText()
                        + "; expected NCHW images (N, 3, H, W).");
            }
            int n = (int) s[0];
            int h = (int) s[2];
            int w = (int) s[3];
            if (n < 1) {
                throw new ConfigException("--input " + input + " holds no image (shape " + x.shapeText() + ").");
            }
            try (LoadedModel model = open(checkpoint, h, w)) {
                int c = model.numClasses();
                float[] logits = model.logits(nchwToNhwc(x.data(), n, 3, h, w), n);
                NpyArray y = NpyArray.of(nhwcToNchw(logits, n, c, h, w), n, c, h, w);
                Npy.write(out, y);
                PrintWriter pw = spec.commandLine().getOut();
                pw.printf("Wrote %s: logits %s of %s %s (taxonomy %s)%n", out, y.shapeText(),
                        model.metadata().arch(), model.metadata().variant(), model.metadata().taxonomy());
                pw.flush();
            }
            return MsegCommand.OK;
        }

        private LoadedModel open(Path dir, int h, int w) {
            try {
                return LoadedModel.open(dir, h, w, plugins.environment().models());
            } catch (ConfigException | org.mseg.engine.checkpoint.CheckpointException e) {
                throw e;
            } catch (MsegException e) {
                // the model refuses the size (HRNet: 8k + 1)
                throw new ConfigException("--input " + input + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code mseg-cli model bench}: graph build and inference times, wall and process CPU. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = {"Time building a model's inference graph and running it on one random image "
                    + "(random weights). Default: hrnet w48, 194 classes, 713x713."})
    static final class Bench implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Mixin
        ModelOptions model;

        @Option(names = "--num-classes", defaultValue = "194", paramLabel = "N",
                description = "Number of classes. Default: ${DEFAULT-VALUE}.")
        int numClasses;

        @Option(names = "--input", defaultValue = "713x713", paramLabel = "HxW",
                description = "Image size. Default: ${DEFAULT-VALUE}.")
        String input;

        @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
                description = "Timed runs after the first (which includes graph optimisation). "
                        + "Default: ${DEFAULT-VALUE}.")
        int runs;

        @Option(names = "--json", description = "Print the measurements as JSON.")
        boolean json;

        @Option(names = "--checkpoint-io", description = {"Also time writing the model as a checkpoint to a "
                + "temporary folder (deleted afterwards) and restoring it."})
        boolean checkpointIo;

        @Option(names = "--no-graph-optimizer", description = {"Disable TensorFlow's Grappler meta-optimizer "
                + "(shorter first run on large graphs)."})
        boolean noGraphOptimizer;

        @Override
        public Integer call() {
            ModelProvider provider = model.provider(plugins.environment());
            ModelSpec modelSpec = model.spec(provider, numClasses);
            if (runs < 0) {
                throw new ConfigException("--runs must not be negative, was " + runs + ".");
            }
            int[] hw = size("--input", input);
            ModelOptions.checkInputSize(provider, modelSpec, "--input", hw[0], hw[1]);
            String tfVersion = TensorFlow.version();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", provider.name());
            m.put("variant", modelSpec.variant());
            m.put("numClasses", numClasses);
            m.put("input", List.of(1, hw[0], hw[1], 3));
            m.put("processors", Runtime.getRuntime().availableProcessors());
            m.put("tensorflow", tfVersion);
            float[] image = new float[hw[0] * hw[1] * 3];
            Random rnd = new Random(1);
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) rnd.nextGaussian();
            }
            loadAverage().ifPresent(l -> m.put("loadAverageBefore", l));
            try (Graph graph = new Graph()) {
                long t0 = System.nanoTime();
                Ops tf = Ops.create(graph);
                GraphModel graphModel = GraphModels.build(provider, modelSpec, tf, 1L);
                Placeholder<TFloat32> evalInput = tf.withName("eval_input").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(1, hw[0], hw[1], 3)));
                Operand<TFloat32> evalLogits = graphModel.forward("eval", evalInput, false).logits();
                m.put("graphBuildMs", millis(t0));
                m.put("trainableParameters", graphModel.parameterGroups().stream()
                        .flatMap(g -> g.variables().stream()).mapToLong(v -> v.shape().size()).sum());
                ConfigProto config = noGraphOptimizer ? ConfigProto.newBuilder().setGraphOptions(
                        GraphOptions.newBuilder().setRewriteOptions(
                                RewriterConfig.newBuilder().setDisableMetaOptimizer(true))).build()
                        : ConfigProto.getDefaultInstance();
                m.put("graphOptimizer", !noGraphOptimizer);
                try (Session session = new Session(graph, config);
                        TFloat32 in = TFloat32.tensorOf(Shape.of(1, hw[0], hw[1], 3),
                                DataBuffers.of(image, true, false))) {
                    long ti = System.nanoTime();
                    session.initialize();
                    m.put("variableInitMs", millis(ti));
                    List<Double> times = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int run = 0; run <= runs; run++) {
                        OptionalDouble cpuStart = processCpuMillis();
                        long start = System.nanoTime();
                        try (Result r = session.runner().feed(evalInput, in).fetch(evalLogits).run()) {
                            double ms = millis(start);
                            OptionalDouble cpuEnd = processCpuMillis();
                            if (run > 0 && cpuStart.isPresent() && cpuEnd.isPresent()) {
                                cpu.add(cpuEnd.getAsDouble() - cpuStart.getAsDouble());
                            }
                            if (!r.get(0).shape().equals(Shape.of(1, hw[0], hw[1], numClasses))) {
                                throw new MsegException("unexpected logits shape " + r.get(0).shape());
                            }
                            if (run == 0) {
                                m.put("firstRunMs", ms);
                            } else {
                                times.add(ms);
                            }
                        }
                    }
                    if (checkpointIo) {
                        timeCheckpointIo(session, provider, modelSpec, m);
                    }
                    m.put("runMs", times);
                    if (!times.isEmpty()) {
                        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                        m.put("minRunMs", sorted[0]);
                        m.put("medianRunMs", sorted[sorted.length / 2]);
                    }
                    if (!cpu.isEmpty()) {
                        m.put("runCpuMs", cpu);
                    }
                }
            }
            loadAverage().ifPresent(l -> m.put("loadAverageAfter", l));
            PrintWriter pw = spec.commandLine().getOut();
            if (json) {
                pw.println(Json.write(m, true));
            } else {
                pw.printf("%s %s, %d classes, input 1x%dx%dx3 (TensorFlow %s, %d processors)%n", provider.name(),
                        modelSpec.variant(), numClasses, hw[0], hw[1], tfVersion, Runtime.getRuntime().availableProcessors());
                pw.printf("graph build (variables + inference forward): %8.0f ms%n", (Double) m.get("graphBuildMs"));
                pw.printf("variable initialisation:                     %8.0f ms%n", (Double) m.get("variableInitMs"));
                pw.printf("first run (incl. graph optimisation):        %8.0f ms%n", (Double) m.get("firstRunMs"));
                if (m.containsKey("medianRunMs")) {
                    pw.printf("inference, median of %d runs:                 %8.0f ms (min %.0f ms)%n", runs,
                            (Double) m.get("medianRunMs"), (Double) m.get("minRunMs"));
                }
                if (m.containsKey("checkpointWriteMs")) {
                    pw.printf("checkpoint write / restore (%,d bytes):  %s / %s ms%n", (Long) m.get("checkpointBytes"),
                            m.get("checkpointWriteMs"), m.get("checkpointRestoreMs"));
                }
                if (m.containsKey("runCpuMs")) {
                    pw.printf("process CPU time per run:                    %s ms%n", m.get("runCpuMs"));
                }
                if (m.containsKey("loadAverageBefore")) {
                    pw.printf("load average before / after:                 %s / %s%n", m.get("loadAverageBefore"),
                            m.get("loadAverageAfter"));
                }
            }
            pw.flush();
            return MsegCommand.OK;
        }

        private void timeCheckpointIo(Session session, ModelProvider provider, ModelSpec modelSpec,
                Map<String, Object> m) {
            Path tmp;
            try {
                tmp = Files.createTempDirectory("mseg-bench-");
            } catch (IOException e) {
                throw new MsegException("cannot create a temporary folder for --checkpoint-io: " + e.getMessage(), e);
            }
            Path dir = tmp.resolve("checkpoint");
            try {
                long ts = System.nanoTime();
                Checkpoints.write(dir, session, CheckpointMetadata.of(provider, modelSpec, UNSPECIFIED_TAXONOMY,
                        CheckpointMetadata.placeholderClassNames(numClasses)));
                m.put("checkpointWriteMs", millis(ts));
                m.put("checkpointBytes", Files.size(dir.resolve(Checkpoints.DATA_FILE))
                        + Files.size(dir.resolve(Checkpoints.INDEX_FILE)));
                long tr = System.nanoTime();
                Checkpoints.restore(dir, session);
                m.put("checkpointRestoreMs", millis(tr));
            } catch (IOException e) {
                throw new MsegException("cannot measure " + dir + ": " + e.getMessage(), e);
            } finally {
                try (Stream<Path> walk = Files.walk(tmp)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    spec.commandLine().getErr().println("warning: could not delete " + tmp + ": " + e.getMessage());
                }
            }
        }

        private static double millis(long startNanos) {
            return Math.round((System.nanoTime() - startNanos) / 1e5) / 10.0;
        }

        /**
         * User plus system CPU time of this process (all threads, TensorFlow's included) from {@code /proc/self/stat},
         * in clock ticks of 10 ms (Linux USER_HZ); empty elsewhere. On a shared machine, wall time grows with the
         * other processes' load while CPU time does not.
         */
        static OptionalDouble processCpuMillis() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return OptionalDouble.of((Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0);
            } catch (IOException | RuntimeException e) {
                return OptionalDouble.empty();
            }
        }

        /** The 1-minute load average from {@code /proc/loadavg}; empty elsewhere. */
        static Optional<Double> loadAverage() {
            try {
                return Optional.of(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
