package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.vconcat;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.json.Json;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.ImageFiles;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.metrics.HarmonicMean;
import org.mseg.datasets.viz.HtmlReport;
import org.mseg.datasets.viz.Overlay;
import org.mseg.datasets.viz.Palette;
import org.mseg.datasets.viz.Legend;
import org.mseg.datasets.viz.Panels;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.TrainingScalars;
import org.mseg.engine.inference.DatasetEvaluator;
import org.mseg.engine.inference.EvaluationPlan;
import org.mseg.engine.inference.InferenceSettings;
import org.mseg.engine.inference.Segmenter;
import org.mseg.taxonomy.TaxonomyConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli evaluate}: MSeg's dataset evaluation (MSEG.md g.1–g.6) for a checkpoint on one or more datasets'
 * val lists, with the test configs' settings.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a checkpoint on datasets' val lists as MSeg's test scripts do: scaled short side,"
                + " sliding 713 windows with flip averaging, universal -> test projection for zero-shot datasets,"
                + " excluded ids and the relabeled protocol on training datasets.",
                "Writes OUT/<dataset>[_universal[_relabeled]]/<base>/<ss|ms>/{gray/<stem>.png, results.txt,"
                        + " results.json, confusion_matrix.png}, OUT/summary.json and OUT/report.html."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:evaluated", "1:a data or checkpoint file is missing or unreadable",
                "2:usage or configuration error"})
final class EvaluateCommand implements Callable<Integer> {
    /** Summary file in the output folder. */
    static final String SUMMARY = "summary.json";
    /** Report file in the output folder. */
    static final String REPORT = "report.html";

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Mixin
    InferenceOptions inference;


    @Option(names = "--dataset", paramLabel = "NAME[,NAME...]", split = ",", hideParamSyntax = true,
            description = "Datasets to evaluate (default: the config's dataset).")
    List<String> datasets = new ArrayList<>();

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "Folder holding the dataset folders (default: DATA.root, then $MSEG_DATA_ROOT).")
    Path dataRoot;

    @Option(names = "--lists", paramLabel = "DIR",
            description = "Folder of split lists (default: the lists shipped with the dataset definitions).")
    Path lists;

    @Option(names = "--split", paramLabel = "NAME", description = "Split to evaluate (default: TEST.split, val).")
    String split;





    @Option(names = "--limit", paramLabel = "N",
            description = "Evaluate only the first N images of each list (TEST.index_step).")
    Integer limit;

    @Option(names = "--has-prediction",
            description = "Score the cached gray/<stem>.png predictions instead of running the model.")
    boolean hasPrediction;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "4",
            description = "Image / ground truth / prediction panels per dataset in the report (default:"
                    + " ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: <checkpoint>-eval beside the checkpoint).")
    Path out;

    @Option(names = "--json", description = "Print the summary as one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        PluginEnvironment env = plugins.environment();
        MsegConfig cfg = inference.config(env);
        InferenceSettings settings = inference.settings(cfg);
        Path ckpt = inference.checkpoint();
        CheckpointMetadata meta = Checkpoints.read(ckpt);
        CheckpointOption.missingPlugins(ckpt, meta, env)
                .ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
        List<String> names = datasetNames(cfg);
        String splitName = split != null ? split : cfg.getString("split");
        TaxonomyConverter converter = TaxonomyConverter.of(env);
        List<EvaluationPlan> plans = new ArrayList<>();
        for (String n : names) {
            plans.add(EvaluationPlan.of(converter, env.datasets(), meta.taxonomy(), meta.numClasses(),
                    env.datasets().get(n)));
        }
        Path root = dataRoot != null ? dataRoot : DataRoot.resolve(cfg.getOptionalString("root"), System.getenv())
                .path();
        Optional<Path> listsFolder = lists != null ? Optional.of(lists) : cfg.getOptionalString("lists").map(Path::of);
        DataRoot dr = new DataRoot(root);
        int indexStart = cfg.getInt("index_start");
        int count = limit != null ? limit : cfg.getInt("index_step");
        if (count < 0) {
            throw new ConfigException("--limit must not be negative, got " + count);
        }
        boolean cached = hasPrediction || cfg.getBool("has_prediction");
        DatasetEvaluator.Options options = new DatasetEvaluator.Options(indexStart, count, cached);
        Path outDir = out != null ? out : ckpt.resolveSibling(ckpt.getFileName() + "-eval");
        String base = settings.baseTag();

        PrintWriter w = spec.commandLine().getOut();
        if (!json && Verbosity.of(spec).showsProgress()) {
            w.printf(Locale.ROOT, "evaluating %s (%s, %d classes, %s) at base %s, scales %s, %d×%d windows%n", ckpt,
                    meta.arch() + " " + meta.variant(), meta.numClasses(), meta.taxonomy(), base, settings.scales(),
                    settings.cropHeight(), settings.cropWidth());
            w.flush();
        }
        List<DatasetEvaluator.Result> results = new ArrayList<>();
        List<List<HtmlReport.Triplet>> exampleFiles = new ArrayList<>();
        LoadedModel model = cached ? null
                : LoadedModel.open(ckpt, settings.cropHeight(), settings.cropWidth(), env.models());
        try {
            for (EvaluationPlan plan : plans) {
                DatasetDefinition d = plan.dataset();
                SplitList list = SplitList.read(d, splitName, listsFolder);
                SampleReader reader = SampleReader.of(d, dr, list, env.taxonomies());
                Map<String, Path> unrelabeled = Map.of();
                if (plan.relabeledProtocol()) {
                    DatasetDefinition u = plan.unrelabeled().get();
                    unrelabeled = DatasetEvaluator.labelsByImage(SplitList.read(u, splitName, listsFolder),
                            dr.existingFolderOf(u));
                }
                Segmenter segmenter = model == null ? null : new Segmenter(model, plan.projection(), settings);
                Path folder = outDir.resolve(plan.folderName()).resolve(base).resolve(settings.scaleTag());
                ExampleWriter exampleWriter = new ExampleWriter(folder, plan.evalTaxonomy().classNames());
                try (Progress progress = new Progress(d.name(), w,
                        json ? ConsoleProgress.Mode.NONE : ConsoleProgress.mode(spec))) {
                    DatasetEvaluator.Result r = new DatasetEvaluator(plan, segmenter).run(reader, unrelabeled, folder,
                            options, exampleWriter, examples, progress);
                    results.add(r);
                    exampleFiles.add(exampleWriter.written());
                }
            }
        } finally {
            if (model != null) {
                model.close();
            }
        }
        Double hmean = results.size() >= 2 ? HarmonicMean.of(results.stream()
                .mapToDouble(r -> r.metrics().mIoU()).toArray()) : null;
        writeSummary(outDir, ckpt, meta, settings, results, hmean);
        writeReport(outDir, ckpt, meta, settings, results, exampleFiles, hmean);
        if (json) {
            w.println(Json.write(summary(ckpt, meta, settings, results, hmean), false));
        } else {
            TextTable t = new TextTable("DATASET", "SCORED AS", "IMAGES", "mIoU", "mAcc", "allAcc", "IMG/S");
            for (DatasetEvaluator.Result r : results) {
                t.row(r.plan().dataset().name(), r.plan().mode(), r.images(), pct(r.metrics().mIoU()),
                        pct(r.metrics().mAcc()), pct(r.metrics().allAcc()),
                        Double.isNaN(r.imagesPerSecond()) ? "cached"
                                : String.format(Locale.ROOT, "%.2f", r.imagesPerSecond()));
            }
            if (hmean != null) {
                t.row("harmonic mean", "", "", pct(hmean));
            }
            t.print(w);
            w.println("results in " + outDir.toAbsolutePath() + "; report: "
                    + outDir.resolve(REPORT).toAbsolutePath().toUri());
        }
        w.flush();
        return MsegCommand.OK;
    }


    private List<String> datasetNames(MsegConfig cfg) {
        if (!datasets.isEmpty()) {
            return datasets;
        }
        String d = cfg.getString("dataset");
        if (d == null || d.equals("default")) {
            throw new ConfigException("no dataset to evaluate: pass --dataset NAME[,NAME...] (e.g. camvid-11,kitti-19)"
                    + " or set TEST's DATA.dataset in the config");
        }
        return List.of(d.split(","));
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    static Map<String, Object> summary(Path ckpt, CheckpointMetadata meta, InferenceSettings s,
            List<DatasetEvaluator.Result> results, Double hmean) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", ckpt.toAbsolutePath().toString());
        m.put("taxonomy", meta.taxonomy());
        m.put("base_size", s.baseTag());
        m.put("scales", s.scales());
        m.put("crop", List.of(s.cropHeight(), s.cropWidth()));
        Map<String, Object> ds = new LinkedHashMap<>();
        for (DatasetEvaluator.Result r : results) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("folder", r.folder().toAbsolutePath().toString());
            e.put("eval_taxonomy", r.plan().evalTaxonomy().name());
            e.put("mode", r.plan().mode());
            e.put("images", r.images());
            e.put("mIoU", r.metrics().mIoU());
            e.put("mAcc", r.metrics().mAcc());
            e.put("allAcc", r.metrics().allAcc());
            e.put("images_per_second", Double.isNaN(r.imagesPerSecond()) ? null : r.imagesPerSecond());
            ds.put(r.plan().dataset().name(), e);
        }
        m.put("datasets", ds);
        m.put("harmonic_mean_mIoU", hmean);
        m.put("created", Instant.now().toString());
        return m;
    }

    private static void writeSummary(Path outDir, Path ckpt, CheckpointMetadata meta, InferenceSettings s,
            List<DatasetEvaluator.Result> results, Double hmean) {
        AtomicFiles.writeString(outDir.resolve(SUMMARY), Json.write(summary(ckpt, meta, s, results, hmean), true)
                + "\n");
    }

    private static void writeReport(Path outDir, Path ckpt, CheckpointMetadata meta, InferenceSettings s,
            List<DatasetEvaluator.Result> results, List<List<HtmlReport.Triplet>> exampleFiles, Double hmean) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("checkpoint", ckpt.toAbsolutePath().toString());
        info.put("model", meta.arch() + " " + meta.variant() + ", " + meta.numClasses() + " classes (" + meta.taxonomy() + ")");
        info.put("base size", s.baseTag());
        info.put("scales", s.scales().toString());
        info.put("window", s.cropHeight() + " × " + s.cropWidth() + (s.flip() ? ", flip averaged" : ""));
        info.put("created", Instant.now().toString());
        List<HtmlReport.DatasetSection> sections = new ArrayList<>();
        Path base = outDir.toAbsolutePath();
        for (int i = 0; i < results.size(); i++) {
            DatasetEvaluator.Result r = results.get(i);
            List<HtmlReport.Triplet> triplets = new ArrayList<>();
            for (HtmlReport.Triplet t : exampleFiles.get(i)) {
                triplets.add(new HtmlReport.Triplet(t.stem(), relative(base, Path.of(t.png()))));
            }
            sections.add(new HtmlReport.DatasetSection(r.plan().dataset().name(), r.plan().evalTaxonomy().name(),
                    r.metrics().mIoU(), r.metrics().mAcc(), r.metrics().allAcc(), r.plan().evalTaxonomy().classNames(),
                    r.metrics().iou(), r.metrics().accuracy(), r.metrics().includedClasses(),
                    relative(base, r.folder().resolve(DatasetEvaluator.HEATMAP)), triplets,
                    r.plan().mode() + "; " + r.images() + " images"));
        }
        HtmlReport.TrainingRun run = TrainingScalars.runFolderOf(ckpt).map(EvaluateCommand::trainingRun)
                .orElse(null);
        if (run != null) {
            info.put("run", run.folder().toString());
        }
        HtmlReport.write(outDir.resolve(REPORT), "MSeg evaluation of " + ckpt.getFileName(), info, sections, hmean,
                run);
    }

    /** The run's curves from its TensorBoard scalars: loss per dataset, learning rate, validation mIoU. */
    static HtmlReport.TrainingRun trainingRun(Path runFolder) {
        Map<String, List<TrainingScalars.Point>> scalars = TrainingScalars.read(runFolder);
        List<HtmlReport.Series> losses = new ArrayList<>();
        List<HtmlReport.Series> lr = new ArrayList<>();
        List<HtmlReport.Series> val = new ArrayList<>();
        for (Map.Entry<String, List<TrainingScalars.Point>> e : scalars.entrySet()) {
            String tag = e.getKey();
            if (tag.equals("loss")) {
                losses.add(0, series("total", e.getValue()));
            } else if (tag.startsWith("loss/")) {
                losses.add(series(tag.substring("loss/".length()), e.getValue()));
            } else if (tag.equals("lr")) {
                lr.add(series("lr", e.getValue()));
            } else if (tag.startsWith("val/mIoU/")) {
                val.add(series(tag.substring("val/mIoU/".length()), e.getValue()));
            }
        }
        return new HtmlReport.TrainingRun(runFolder.toAbsolutePath(), List.of(
                new HtmlReport.Chart("Training loss (total and per dataset)", losses),
                new HtmlReport.Chart("Learning rate", lr),
                new HtmlReport.Chart("Validation mIoU per dataset", val)));
    }

    private static HtmlReport.Series series(String name, List<TrainingScalars.Point> points) {
        long[] steps = new long[points.size()];
        double[] values = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            steps[i] = points.get(i).step();
            values[i] = points.get(i).value();
        }
        return new HtmlReport.Series(name, steps, values);
    }

    private static String relative(Path base, Path file) {
        return base.relativize(file.toAbsolutePath()).toString().replace('\\', '/');
    }

    /** Writes image | ground truth | prediction panels for the report into {@code FOLDER/examples/}. */
    private static final class ExampleWriter implements DatasetEvaluator.ExampleSink {
        private final Path folder;
        private final List<String> names;
        private final Palette palette = Palette.standard();
        private final List<HtmlReport.Triplet> written = new ArrayList<>();

        ExampleWriter(Path folder, List<String> names) {
            this.folder = folder.resolve("examples");
            this.names = names;
        }

        List<HtmlReport.Triplet> written() {
            return written;
        }

        @Override
        public void example(int index, String stem, Mat rgbImage, byte[] target, byte[] prediction) {
            int h = rgbImage.rows();
            int w = rgbImage.cols();
            try (Mat rgb8 = new Mat(); Mat bgr = new Mat(); Mat gt = labelMat(target, h, w);
                    Mat pred = labelMat(prediction, h, w); Mat gtColour = palette.colorize(gt);
                    Mat predColour = palette.colorize(pred);
                    Mat predOverlay = Overlay.draw(bgrOf(rgbImage, rgb8, bgr), pred, names, palette, 0.5);
                    Mat panel = Panels.sideBySide(List.of(bgr, gtColour, predColour, predOverlay),
                            List.of("image", "ground truth", "prediction", "overlay"));
                    Mat both = new Mat()) {
                // The legend lists the classes of the ground truth and the prediction together. PNG, because JPEG
                // smears the flat label colours the legend refers to.
                vconcat(gt, pred, both);
                Path file = folder.resolve(stem + ".png");
                try (Mat withLegend = Legend.withLegend(panel, both, names, palette)) {
                    ImageFiles.write(file, withLegend);
                }
                written.add(new HtmlReport.Triplet(stem, file.toAbsolutePath().toString()));
            }
        }

        private static Mat bgrOf(Mat rgbFloat, Mat rgb8, Mat bgr) {
            rgbFloat.convertTo(rgb8, CV_8U);
            cvtColor(rgb8, bgr, COLOR_RGB2BGR);
            return bgr;
        }

        private static Mat labelMat(byte[] labels, int h, int w) {
            Mat m = new Mat(h, w, CV_8UC1);
            ((ByteBuffer) m.createBuffer()).put(labels);
            return m;
        }
    }

    /** A progress bar on a terminal, plain lines every 10% otherwise, nothing with --quiet or --json. */
    private static final class Progress implements DatasetEvaluator.Listener, AutoCloseable {
        private final String name;
        private final PrintWriter out;
        private final ConsoleProgress.Mode mode;
        private ProgressBar bar;
        private int lastTenth = -1;

        Progress(String name, PrintWriter out, ConsoleProgress.Mode mode) {
            this.name = name;
            this.out = out;
            this.mode = mode;
        }

        @Override
        public void imageDone(int done, int total) {
            if (mode == ConsoleProgress.Mode.NONE) {
                return;
            }
            if (mode == ConsoleProgress.Mode.BAR) {
                if (bar == null) {
                    bar = ConsoleProgress.startBar(name, total, 500);
                }
                bar.stepTo(done);
                return;
            }
            int tenth = done * 10 / total;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                out.printf(Locale.ROOT, "%s: %d/%d images%n", name, done, total);
                out.flush();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
