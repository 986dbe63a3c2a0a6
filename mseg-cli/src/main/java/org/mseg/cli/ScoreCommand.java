package org.mseg.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.metrics.ConfusionHeatmap;
import org.mseg.datasets.metrics.PredictionFolder;
import org.mseg.datasets.metrics.PredictionScorer;
import org.mseg.datasets.metrics.ResultsWriter;
import org.mseg.datasets.metrics.SegmentationMetrics;
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
 *
 * <p>The pairing rules are {@link PredictionFolder}'s and the scoring {@link PredictionScorer}'s; this command picks
 * the ground truth its options name and prints the result.
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

    @Override
    public Integer call() {
        PluginEnvironment env = plugins.environment();
        PredictionScorer scorer = PredictionScorer.in(env.taxonomies().get(taxonomy));
        Optional<DatasetDefinition> ds = Optional.ofNullable(dataset).map(n -> env.datasets().get(n));
        checkOptionCombinations();
        if (ds.isPresent()) {
            scorer = scorer.withGroundTruthOf(ds.get(), env);
        }
        PredictionFolder predictions = PredictionFolder.of(pred);
        List<PredictionFolder.Pair> pairs = pairs(ds, predictions);
        if (pairs.isEmpty()) {
            throw new DatasetException("Nothing to score: the ground truth " + (gt != null ? gt : "list")
                    + " holds no label maps.");
        }
        PredictionScorer.Score score = scorer.score(pairs);
        SegmentationMetrics metrics = score.metrics();
        List<String> names = scorer.taxonomy().classNames();

        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(ResultsWriter.json(metrics, names, false));
        } else {
            printTable(stdout, metrics, names, score.groundTruthPixels(), score.images());
        }
        if (out != null) {
            ResultsWriter.write(out, metrics, names);
            ConfusionHeatmap.writePng(out.resolve(HEATMAP_FILE), score.confusion(), names);
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

    /** The ground truth the options name, paired with the predictions. */
    private List<PredictionFolder.Pair> pairs(Optional<DatasetDefinition> ds, PredictionFolder predictions) {
        if (gt != null && Files.isDirectory(gt)) {
            return predictions.pairByStem(gt);
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
        return predictions.pairWithList(list, base, ds.map(DatasetDefinition::name));
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
}
