package org.mseg.engine.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.DatasetException;
import org.mseg.api.MsegException;
import org.mseg.datasets.ImageFiles;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.metrics.ConfusionHeatmap;
import org.mseg.datasets.metrics.ConfusionMatrix;
import org.mseg.datasets.metrics.IouAccumulator;
import org.mseg.datasets.metrics.RelabeledProtocol;
import org.mseg.datasets.metrics.ResultsWriter;
import org.mseg.datasets.metrics.SegmentationMetrics;

/**
 * Scores a model on one dataset's split the way MSeg's test scripts do (MSEG.md g.3–g.6): each image is predicted
 * with a {@link Segmenter} (or its cached {@code gray/<stem>.png} is read back), the ground truth is brought into the
 * evaluation taxonomy, the relabeled protocol is applied when planned, and dataset-level histograms give the
 * metrics. Writes into its folder: {@code gray/<stem>.png}, {@code results.txt}, {@code results.json} and
 * {@code confusion_matrix.png}.
 */
public final class DatasetEvaluator {
    /** Sub-folder of the predicted label maps. */
    public static final String GRAY = "gray";
    /** File name of the confusion-matrix heatmap. */
    public static final String HEATMAP = "confusion_matrix.png";

    /** Called after each image (for progress bars). */
    public interface Listener {
        /**
         * @param done  images finished
         * @param total images to do
         */
        void imageDone(int done, int total);
    }

    /** Called for the first few images so that callers can write example pictures. */
    public interface ExampleSink {
        /**
         * @param index      the image's position in the evaluated slice
         * @param stem       its output stem
         * @param rgbImage   the image, RGB float 0..255 (owned by the evaluator; do not close)
         * @param target     the scored ground truth (evaluation ids, 255 = ignore), row-major
         * @param prediction the scored prediction (after the relabeled protocol, if any), row-major
         */
        void example(int index, String stem, Mat rgbImage, byte[] target, byte[] prediction);
    }

    /**
     * What to evaluate and how.
     *
     * @param indexStart     first list entry (upstream {@code index_start})
     * @param count          entries to evaluate, 0 = to the end (upstream {@code index_step})
     * @param hasPrediction  read {@code gray/<stem>.png} instead of predicting (upstream {@code has_prediction})
     */
    public record Options(int indexStart, int count, boolean hasPrediction) {
        /** Checks the ranges. */
        public Options {
            if (indexStart < 0 || count < 0) {
                throw new IllegalArgumentException("index_start and index_step must not be negative");
            }
        }
    }

    /**
     * One dataset's outcome.
     *
     * @param plan             how it was scored
     * @param metrics          the scores (excluded ids left out of the means)
     * @param confusion        the confusion matrix in evaluation ids
     * @param images           images scored
     * @param inferenceSeconds time spent predicting (0 with cached predictions)
     * @param folder           where the outputs are
     * @param stems            the output stems in evaluation order
     */
    public record Result(EvaluationPlan plan, SegmentationMetrics metrics, ConfusionMatrix confusion, int images,
            double inferenceSeconds, Path folder, List<String> stems) {
        /** Images per second of pure inference; NaN with cached predictions. */
        public double imagesPerSecond() {
            return inferenceSeconds > 0 ? images / inferenceSeconds : Double.NaN;
        }
    }

    private final EvaluationPlan plan;
    private final Segmenter segmenter;

    /**
     * @param plan      how the dataset is scored
     * @param segmenter the model with the plan's projection; may be null when only cached predictions are scored
     */
    public DatasetEvaluator(EvaluationPlan plan, Segmenter segmenter) {
        this.plan = plan;
        this.segmenter = segmenter;
        if (segmenter != null && segmenter.numClasses() != plan.evalTaxonomy().numClasses()) {
            throw new IllegalArgumentException("the segmenter predicts " + segmenter.numClasses()
                    + " classes, the plan scores " + plan.evalTaxonomy().numClasses());
        }
    }

    /**
     * Runs the evaluation.
     *
     * @param reader             the dataset's split (images and labels)
     * @param unrelabeledLabels  for the relabeled protocol: image path → unrelabeled label file; else ignored
     * @param folder             output folder (created)
     * @param options            slice and cache options
     * @param examples           receives the first images, may be null
     * @param maxExamples        how many images go to {@code examples}
     * @param listener           progress, may be null
     */
    public Result run(SampleReader reader, Map<String, Path> unrelabeledLabels, Path folder, Options options,
            ExampleSink examples, int maxExamples, Listener listener) {
        List<SplitEntry> all = reader.list().entries();
        int from = Math.min(options.indexStart(), all.size());
        int to = options.count() == 0 ? all.size() : Math.min(all.size(), from + options.count());
        List<SplitEntry> entries = all.subList(from, to);
        if (entries.isEmpty()) {
            throw new DatasetException(reader.list().source() + ": nothing to evaluate (" + all.size()
                    + " entries, index_start " + options.indexStart() + ").");
        }
        if (segmenter == null && !options.hasPrediction()) {
            throw new IllegalStateException("no model to predict with");
        }
        List<String> stems = stems(entries, reader.list().source());
        Path gray = folder.resolve(GRAY);
        try {
            Files.createDirectories(gray);
        } catch (IOException e) {
            throw new MsegException("cannot create " + gray + ": " + e.getMessage(), e);
        }
        int k = plan.evalTaxonomy().numClasses();
        IouAccumulator accumulator = new IouAccumulator(k);
        ConfusionMatrix confusion = new ConfusionMatrix(k);
        long inferenceNanos = 0;
        for (int i = 0; i < entries.size(); i++) {
            SplitEntry entry = entries.get(i);
            Path predFile = gray.resolve(stems.get(i) + ".png");
            try (Sample sample = reader.read(entry)) {
                int h = sample.height();
                int w = sample.width();
                byte[] prediction;
                if (options.hasPrediction()) {
                    prediction = readLabel(predFile, h, w, "cached prediction",
                            " Run without --has-prediction to predict it.");
                } else {
                    long t0 = System.nanoTime();
                    Prediction p = segmenter.predictRgb(sample.image(), null);
                    inferenceNanos += System.nanoTime() - t0;
                    prediction = p.labels();
                    writeLabel(predFile, prediction, h, w);
                }
                byte[] target = bytes(sample.label());
                if (plan.gtLut() != null) {
                    map(target, plan.gtLut());
                }
                if (plan.relabeledProtocol()) {
                    Path u = unrelabeledLabels.get(entry.imagePath());
                    if (u == null) {
                        throw new DatasetException(reader.list().source() + " line " + entry.lineNumber() + ": image "
                                + entry.imagePath() + " is not in the " + plan.unrelabeled().get().name() + " list,"
                                + " so the relabeled protocol has no unrelabeled ground truth for it.");
                    }
                    byte[] unrelabeled = readLabel(u, h, w, "unrelabeled label", "");
                    map(unrelabeled, plan.unrelabeledLut());
                    RelabeledProtocol.Result r = RelabeledProtocol.apply(prediction, unrelabeled, target);
                    prediction = r.prediction();
                    target = r.target();
                }
                accumulator.add(LabelBuffer.of(prediction), LabelBuffer.of(target));
                confusion.add(prediction, target);
                if (examples != null && i < maxExamples) {
                    examples.example(i, stems.get(i), sample.image(), target, prediction);
                }
            }
            if (listener != null) {
                listener.imageDone(i + 1, entries.size());
            }
        }
        SegmentationMetrics metrics = accumulator.compute(plan.excludedIds());
        List<String> names = plan.evalTaxonomy().classNames();
        ResultsWriter.write(folder, metrics, names);
        ConfusionHeatmap.writePng(folder.resolve(HEATMAP), confusion, names);
        return new Result(plan, metrics, confusion, entries.size(), inferenceNanos / 1e9, folder, stems);
    }

    /**
     * Output stems: the image file names without extension, or, when those repeat within the list (ScanNet), the
     * last four path components joined by {@code _} (upstream's {@code img_name_unique: False} rule).
     */
    static List<String> stems(List<SplitEntry> entries, String source) {
        List<String> simple = new ArrayList<>(entries.size());
        for (SplitEntry e : entries) {
            simple.add(stripExtension(Path.of(e.imagePath()).getFileName().toString()));
        }
        if (new HashSet<>(simple).size() == simple.size()) {
            return simple;
        }
        List<String> joined = new ArrayList<>(entries.size());
        for (SplitEntry e : entries) {
            Path p = Path.of(e.imagePath());
            int n = p.getNameCount();
            List<String> parts = new ArrayList<>();
            for (int j = Math.max(0, n - 4); j < n; j++) {
                parts.add(j == n - 1 ? stripExtension(p.getName(j).toString()) : p.getName(j).toString());
            }
            joined.add(String.join("_", parts));
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < joined.size(); i++) {
            Integer before = seen.putIfAbsent(joined.get(i), i);
            if (before != null) {
                throw new DatasetException(source + ": images on lines " + entries.get(before).lineNumber() + " and "
                        + entries.get(i).lineNumber() + " both map to the output name " + joined.get(i)
                        + ".png; the list holds the same image twice.");
            }
        }
        return joined;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void map(byte[] labels, byte[] lut) {
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lut[labels[i] & 0xFF];
        }
    }

    private static byte[] bytes(Mat label) {
        Mat m = label.isContinuous() ? label : label.clone();
        try {
            byte[] out = new byte[m.rows() * m.cols()];
            ((ByteBuffer) m.createBuffer()).get(out);
            return out;
        } finally {
            if (m != label) {
                m.close();
            }
        }
    }

    /** Reads a single-channel 8-bit PNG of the given size. */
    static byte[] readLabel(Path file, int h, int w, String what, String hint) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("missing " + what + " " + file + "." + hint);
        }
        try (Mat m = imread(file.toString(), IMREAD_UNCHANGED)) {
            if (m.empty() || m.channels() != 1 || m.depth() != CV_8U) {
                throw new DatasetException(what + " " + file + " is not a single-channel 8-bit PNG.");
            }
            if (m.rows() != h || m.cols() != w) {
                throw new DatasetException(what + " " + file + " is " + m.cols() + "x" + m.rows() + " but the image is "
                        + w + "x" + h + "." + hint);
            }
            return bytes(m);
        }
    }

    /** Writes a label map as an 8-bit PNG atomically (temporary file, then rename). */
    static void writeLabel(Path file, byte[] labels, int h, int w) {
        try (Mat m = new Mat(h, w, org.bytedeco.opencv.global.opencv_core.CV_8UC1)) {
            ((ByteBuffer) m.createBuffer()).put(labels);
            ImageFiles.write(file, m);
        }
    }

    /** The label files of a list by image path (for the relabeled protocol's unrelabeled ground truth). */
    public static Map<String, Path> labelsByImage(SplitList list, Path datasetFolder) {
        Map<String, Path> out = new HashMap<>();
        for (SplitEntry e : list.entries()) {
            e.labelPath().ifPresent(l -> out.put(e.imagePath(), datasetFolder.resolve(l)));
        }
        return out;
    }
}
