package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.metrics.ConfusionHeatmap;
import org.mseg.datasets.metrics.ConfusionMatrix;
import org.mseg.datasets.metrics.IouAccumulator;
import org.mseg.datasets.metrics.ResultsWriter;
import org.mseg.datasets.metrics.SegmentationMetrics;
import org.mseg.taxonomy.TaxonomyConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli score}: scores a folder of predicted label PNGs against ground truth with MSeg's metric
 * (dataset-level histograms, MSEG.md g.4), the same code the trainer's validation uses.
 *
 * <p>Ground truth is a folder (paired with the predictions by file stem), a split list file (each line's label is
 * paired with {@code <pred>/<image stem>.png}), or, with no {@code --gt}, a dataset's split list under the data root.
 * With {@code --dataset}, ground-truth ids are in that dataset's taxonomy and are mapped to {@code --taxonomy} (e.g.
 * {@code universal}); scoring a universal prediction on a dataset then leaves the universal classes the dataset cannot
 * produce out of the means, as upstream's {@code excluded_ids}.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score predicted label maps (uint8 PNGs of class ids) against ground truth: per-class IoU and"
                + " accuracy, mIoU, mAcc and pixel accuracy, computed over the whole set as MSeg does.",
                "Ground truth: a folder of label PNGs (paired by file stem), a split list ('<image> <label>' per line,"
                        + " prediction <pred>/<image stem>.png), or --dataset NAME [--split S] under --data-root."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:scored", "1:a file is missing, unreadable, unmatched or of the wrong size",
                "2:usage or configuration error"})
final class ScoreCommand implements Callable<Integer> {
    /** File name of the confusion heatmap written with {@code --out}. */
    static final String HEATMAP_FILE = "confusion_matrix.png";

    private static final int MAX_LISTED = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--pred", required = true, paramLabel = "DIR",
            description = "Folder of predicted label PNGs (<stem>.png, uint8 class ids of --taxonomy).")
    Path pred;

    @Option(names = "--gt", paramLabel = "LIST_OR_DIR",
            description = "Ground truth: a folder of label PNGs, or a split list file. Default: the --dataset's"
                    + " --split list under --data-root.")
    Path gt;

    @Option(names = "--taxonomy", required = true, paramLabel = "NAME",
            description = "Taxonomy of the predictions, in which scores are computed (e.g. universal, camvid-11).")
    String taxonomy;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "Folder holding the dataset folders (default: $MSEG_DATA_ROOT). List paths are relative"
                    + " to the dataset's folder under it (with --dataset) or to it.")
    String dataRoot;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Dataset the ground truth belongs to: its labels are mapped from the dataset's taxonomy"
                    + " to --taxonomy, and without --gt its split list is used.")
    String dataset;

    @Option(names = "--split", paramLabel = "NAME",
            description = "Split of --dataset to score when no --gt is given (default: val).")
    String split;

    @Option(names = "--json", description = "Print one JSON object (mIoU, mAcc, allAcc, per-class iou and acc).")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Also write results.txt, results.json and " + HEATMAP_FILE + " into this folder.")
    Path out;

    /** A prediction file and the ground-truth file it is scored against. */
    private record Pair(String stem, Path prediction, Path groundTruth) {
    }

    /** A decoded single-channel 8-bit label map. */
    private record LabelMap(byte[] data, int cols, int rows) {
    }

    @Override
    public Integer call() {
        PluginEnvironment env = plugins.environment();
        TaxonomyDefinition evalTaxonomy = env.taxonomies().get(taxonomy);
        int numClasses = evalTaxonomy.numClasses();
        if (numClasses > TaxonomyDefinition.IGNORE_ID) {
            throw new ConfigException("Taxonomy '" + taxonomy + "' has " + numClasses + " classes, but predictions"
                    + " are 8-bit PNGs (ids 0..254, 255 = ignore). Score in a taxonomy of at most 255 classes.");
        }
        Optional<DatasetDefinition> ds = Optional.ofNullable(dataset).map(n -> env.datasets().get(n));
        checkOptionCombinations();

        byte[] gtLut = null;
        Set<Integer> excluded = Set.of();
        if (ds.isPresent() && !ds.get().taxonomy().equals(evalTaxonomy.name())) {
            TaxonomyConverter converter = TaxonomyConverter.of(env);
            String gtTaxonomy = ds.get().taxonomy();
            gtLut = converter.mapping(gtTaxonomy, evalTaxonomy.name()).toByteLut();
            if (evalTaxonomy.kind() == TaxonomyKind.UNIVERSAL && converter.taxonomy(gtTaxonomy).mapsToUniversal()) {
                excluded = converter.excludedUniversalIds(gtTaxonomy);
            }
        }

        if (!Files.isDirectory(pred)) {
            throw new DatasetException("Prediction folder " + pred + " does not exist or is not a folder. Pass the"
                    + " folder holding the predicted <stem>.png label maps (upstream <save_folder>/gray).");
        }
        List<Pair> pairs = pairs(ds);
        if (pairs.isEmpty()) {
            throw new DatasetException("Nothing to score: the ground truth " + (gt != null ? gt : "list")
                    + " holds no label maps.");
        }

        IouAccumulator accumulator = new IouAccumulator(numClasses);
        ConfusionMatrix confusion = new ConfusionMatrix(numClasses);
        for (Pair p : pairs) {
            LabelMap prediction = read(p.prediction(), "prediction");
            LabelMap truth = read(p.groundTruth(), "ground-truth label");
            if (prediction.cols() != truth.cols() || prediction.rows() != truth.rows()) {
                throw new DatasetException("Prediction " + p.prediction() + " is " + prediction.cols() + "x"
                        + prediction.rows() + " but ground truth " + p.groundTruth() + " is " + truth.cols() + "x"
                        + truth.rows() + ". Predictions must have the ground truth's size (upstream resizes the"
                        + " score map back to the original image size before the argmax).");
            }
            byte[] target = truth.data();
            if (gtLut != null) {
                for (int i = 0; i < target.length; i++) {
                    target[i] = gtLut[target[i] & 0xff];
                }
            }
            accumulator.add(prediction.data(), target);
            confusion.add(prediction.data(), target);
        }
        SegmentationMetrics metrics = accumulator.compute(excluded);
        List<String> names = evalTaxonomy.classNames();

        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(ResultsWriter.json(metrics, names, false));
        } else {
            printTable(stdout, metrics, names, accumulator.target(), pairs.size());
        }
        if (out != null) {
            ResultsWriter.write(out, metrics, names);
            ConfusionHeatmap.writePng(out.resolve(HEATMAP_FILE), confusion, names);
            if (!json) {
                stdout.println("Wrote " + out.resolve(ResultsWriter.TEXT_FILE) + ", " + ResultsWriter.JSON_FILE
                        + " and " + HEATMAP_FILE + ".");
            }
        }
        stdout.flush();
        return MsegCommand.OK;
    }

    private void checkOptionCombinations() {
        boolean gtIsFolder = gt != null && Files.isDirectory(gt);
        if (gt == null && dataset == null) {
            throw new ConfigException("No ground truth given. Pass --gt <folder or list file>, or --dataset <name>"
                    + " (with --data-root or $" + DataRoot.ENV + ") to score its --split list.");
        }
        if (split != null && gt != null) {
            throw new ConfigException("--split " + split + " only applies without --gt (it picks the --dataset's"
                    + " list). Drop --split, or drop --gt to score the dataset's split.");
        }
        if (dataRoot != null && gtIsFolder) {
            throw new ConfigException("--data-root is not used when --gt is a folder (labels are paired by stem)."
                    + " Drop --data-root, or pass a list file as --gt.");
        }
    }

    private List<Pair> pairs(Optional<DatasetDefinition> ds) {
        if (gt != null && Files.isDirectory(gt)) {
            return pairFolders();
        }
        SplitList list;
        Path base;
        if (gt != null) {
            if (!Files.isRegularFile(gt)) {
                throw new DatasetException("Ground truth " + gt + " does not exist. Pass a folder of label PNGs or a"
                        + " split list file.");
            }
            list = SplitList.fromFile(gt, true);
            if (ds.isPresent()) {
                DataRoot root = DataRoot.resolve(Optional.ofNullable(dataRoot), System.getenv());
                base = root.existingFolderOf(ds.get());
            } else if (dataRoot != null) {
                base = DataRoot.resolve(Optional.of(dataRoot), Map.of()).path();
            } else {
                base = gt.toAbsolutePath().getParent();
            }
        } else {
            DatasetDefinition d = ds.orElseThrow();
            DataRoot root = DataRoot.resolve(Optional.ofNullable(dataRoot), System.getenv());
            base = root.existingFolderOf(d);
            list = SplitList.read(d, split == null ? "val" : split, Optional.empty());
        }
        return pairList(list, base, ds.map(DatasetDefinition::name).orElse(""));
    }

    /** Pairs {@code <gt>/<stem>.png} with {@code <pred>/<stem>.png}; every stem must be on both sides. */
    private List<Pair> pairFolders() {
        Map<String, Path> truths = pngsByStem(gt);
        Map<String, Path> predictions = pngsByStem(pred);
        Set<String> noPrediction = new TreeSet<>(truths.keySet());
        noPrediction.removeAll(predictions.keySet());
        Set<String> noTruth = new TreeSet<>(predictions.keySet());
        noTruth.removeAll(truths.keySet());
        if (!noPrediction.isEmpty() || !noTruth.isEmpty()) {
            StringBuilder sb = new StringBuilder("Ground truth " + gt + " and predictions " + pred
                    + " do not hold the same file stems.");
            if (!noPrediction.isEmpty()) {
                sb.append(" Without a prediction (").append(noPrediction.size()).append("): ")
                        .append(listed(noPrediction)).append('.');
            }
            if (!noTruth.isEmpty()) {
                sb.append(" Without ground truth (").append(noTruth.size()).append("): ").append(listed(noTruth))
                        .append('.');
            }
            sb.append(" Predictions are paired with labels by file name (<stem>.png on both sides).");
            throw new DatasetException(sb.toString());
        }
        List<Pair> pairs = new ArrayList<>();
        truths.forEach((stem, truth) -> pairs.add(new Pair(stem, predictions.get(stem), truth)));
        return pairs;
    }

    private List<Pair> pairList(SplitList list, Path base, String datasetName) {
        // Upstream names ScanNet predictions after the last path components, because its file stems repeat.
        boolean uniqueStems = !datasetName.startsWith("scannet");
        List<Pair> pairs = new ArrayList<>();
        Map<String, Integer> lineOfStem = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (SplitEntry e : list.entries()) {
            Path image = base.resolve(e.imagePath());
            String stem = uniqueStems ? stem(image.getFileName().toString()) : scannetStem(image.toAbsolutePath());
            Integer previous = lineOfStem.putIfAbsent(stem, e.lineNumber());
            if (previous != null) {
                throw new DatasetException(list.source() + " lines " + previous + " and " + e.lineNumber()
                        + " both name an image with stem '" + stem + "', so their predictions would share "
                        + pred.resolve(stem + ".png") + ". Remove the duplicate line.");
            }
            Path prediction = pred.resolve(stem + ".png");
            if (!Files.isRegularFile(prediction)) {
                missing.add(prediction + " (line " + e.lineNumber() + ")");
            }
            pairs.add(new Pair(stem, prediction, base.resolve(e.labelPath().orElseThrow())));
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(missing.size() + " of " + list.size() + " entries of " + list.source()
                    + " have no prediction: " + listed(missing) + ". Run inference on the whole list, or score a"
                    + " list of the predicted images only.");
        }
        return pairs;
    }

    private static Map<String, Path> pngsByStem(Path folder) {
        Map<String, Path> byStem = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().toLowerCase().endsWith(".png"))
                    .forEach(f -> byStem.put(stem(f.getFileName().toString()), f));
        } catch (IOException e) {
            throw new DatasetException("Cannot list folder " + folder + ": " + e + ".", e);
        }
        return byStem;
    }

    private static LabelMap read(Path file, String role) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("The " + role + " " + file + " does not exist.");
        }
        try (Mat m = imread(file.toString(), IMREAD_UNCHANGED)) {
            if (m.empty()) {
                throw new DatasetException("Cannot decode the " + role + " " + file + ": it is not a readable image."
                        + " Label maps are single-channel 8-bit PNGs.");
            }
            if (m.channels() != 1 || m.depth() != CV_8U) {
                throw new DatasetException("The " + role + " " + file + " has " + m.channels() + " channel(s) of"
                        + (m.depth() == CV_8U ? " 8 bits" : " more than 8 bits") + "; label maps are single-channel"
                        + " 8-bit PNGs of class ids (not colour-coded).");
            }
            int rows = m.rows();
            int cols = m.cols();
            byte[] data = new byte[rows * cols];
            if (m.isContinuous()) {
                m.data().get(data);
            } else {
                for (int r = 0; r < rows; r++) {
                    m.ptr(r).get(data, r * cols, cols);
                }
            }
            return new LabelMap(data, cols, rows);
        }
    }

    private void printTable(PrintWriter stdout, SegmentationMetrics m, List<String> names, long[] gtPixels,
            int images) {
        TextTable table = new TextTable("ID", "CLASS", "IOU", "ACC", "GT_PIXELS");
        for (int k : m.includedClasses()) {
            table.row(k, names.get(k), ResultsWriter.format4(m.iou(k)), ResultsWriter.format4(m.accuracy(k)),
                    gtPixels[k]);
        }
        table.print(stdout);
        stdout.println();
        String excludedNote = m.excluded().isEmpty() ? "" : ", " + m.excluded().size() + " excluded from the means";
        stdout.println("mIoU/mAcc/allAcc " + ResultsWriter.format4(m.mIoU()) + "/" + ResultsWriter.format4(m.mAcc())
                + "/" + ResultsWriter.format4(m.allAcc()) + " over " + images + " image" + (images == 1 ? "" : "s")
                + " (" + m.numClasses() + " classes" + excludedNote + ").");
    }

    private static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** Upstream's {@code get_unique_stem_from_last_k_strs(path, k=4)}: three parent folders and the stem. */
    private static String scannetStem(Path absolute) {
        int n = absolute.getNameCount();
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, n - 4); i < n - 1; i++) {
            sb.append(absolute.getName(i)).append('_');
        }
        return sb.append(stem(absolute.getFileName().toString())).toString();
    }

    private static String listed(java.util.Collection<String> items) {
        List<String> shown = items.stream().limit(MAX_LISTED).toList();
        String more = items.size() > MAX_LISTED ? ", ... (" + (items.size() - MAX_LISTED) + " more)" : "";
        return String.join(", ", shown) + more;
    }
}
