package org.mseg.datasets.metrics;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.datasets.LabelBuffer;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * Scores predicted label maps (single-channel 8-bit PNGs of class ids) against ground truth with MSeg's metric:
 * dataset-level histograms over every pair (MSEG.md g.4), the same {@link IouAccumulator} the trainer's validation
 * uses. {@link PredictionFolder} pairs the files.
 *
 * <p>Scores are computed in one taxonomy, the predictions'. Ground truth of a dataset whose taxonomy differs is
 * mapped to it ({@link #withGroundTruthOf}); scoring universal predictions then leaves the universal classes the
 * dataset cannot produce out of the means, as upstream's {@code excluded_ids}. Immutable.
 */
public final class PredictionScorer {
    private final TaxonomyDefinition taxonomy;
    /** Ground-truth id to scored id; null when the ground truth is in {@link #taxonomy} already. */
    private final byte[] groundTruthLut;
    private final Set<Integer> excluded;

    private PredictionScorer(TaxonomyDefinition taxonomy, byte[] groundTruthLut, Set<Integer> excluded) {
        this.taxonomy = taxonomy;
        this.groundTruthLut = groundTruthLut;
        this.excluded = Set.copyOf(excluded);
    }

    /**
     * What scoring found.
     *
     * @param metrics           per-class IoU and accuracy, and the means
     * @param confusion         ground truth × prediction pixel counts, for {@link ConfusionHeatmap}; built for this
     *                          score, the caller owns it
     * @param groundTruthPixels pixels of each class in the (mapped) ground truth; copied on the way in and out
     * @param images            number of pairs scored
     */
    public record Score(SegmentationMetrics metrics, ConfusionMatrix confusion, long[] groundTruthPixels, int images) {
        public Score {
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(confusion, "confusion");
            groundTruthPixels = groundTruthPixels.clone();
        }

        /** Pixels of each class in the ground truth (a copy). */
        @Override
        public long[] groundTruthPixels() {
            return groundTruthPixels.clone();
        }
    }

    /** A decoded single-channel 8-bit label map. */
    private record LabelMap(byte[] data, int cols, int rows) {
    }

    /**
     * Scores predictions in a taxonomy against ground truth in the same taxonomy.
     *
     * @throws ConfigException if the taxonomy has more than 255 classes, which 8-bit label maps cannot hold
     */
    public static PredictionScorer in(TaxonomyDefinition taxonomy) {
        int numClasses = taxonomy.numClasses();
        if (numClasses > TaxonomyDefinition.IGNORE_ID) {
            throw new ConfigException("Taxonomy '" + taxonomy.name() + "' has " + numClasses + " classes, but"
                    + " predictions are 8-bit PNGs (ids 0..254, 255 = ignore). Score in a taxonomy of at most 255"
                    + " classes.");
        }
        return new PredictionScorer(taxonomy, null, Set.of());
    }

    /**
     * This scorer for ground truth of a dataset: its label ids, in the dataset's taxonomy, are mapped to this
     * scorer's taxonomy, and when that is the universal taxonomy the universal classes the dataset cannot produce are
     * excluded from the means. The same scorer when the dataset's taxonomy is this one.
     *
     * @param environment the taxonomies and remaps to map with
     * @throws ConfigException if no mapping leads from the dataset's taxonomy to this scorer's (the message lists
     *                         what exists)
     */
    public PredictionScorer withGroundTruthOf(DatasetDefinition dataset, PluginEnvironment environment) {
        String gtTaxonomy = dataset.taxonomy();
        if (gtTaxonomy.equals(taxonomy.name())) {
            return this;
        }
        TaxonomyConverter converter = TaxonomyConverter.of(environment);
        byte[] lut = converter.mapping(gtTaxonomy, taxonomy.name()).toByteLut();
        Set<Integer> excludedIds = taxonomy.kind() == TaxonomyKind.UNIVERSAL
                && converter.taxonomy(gtTaxonomy).mapsToUniversal()
                ? converter.excludedUniversalIds(gtTaxonomy) : Set.of();
        return new PredictionScorer(taxonomy, lut, excludedIds);
    }

    /** The taxonomy scores are computed in: the predictions'. */
    public TaxonomyDefinition taxonomy() {
        return taxonomy;
    }

    /** Class ids left out of the means (universal classes the ground truth's dataset cannot produce); immutable. */
    public Set<Integer> excluded() {
        return excluded;
    }

    /**
     * Reads every pair and scores them together.
     *
     * @param pairs at least one pair, e.g. from {@link PredictionFolder#pairByStem}
     * @throws DatasetException if a file is missing, cannot be decoded, is not a single-channel 8-bit image, or a
     *                          prediction's size differs from its ground truth's (each message names the files)
     * @throws IllegalArgumentException if there are no pairs
     */
    public Score score(List<PredictionFolder.Pair> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no prediction / ground-truth pairs to score");
        }
        int numClasses = taxonomy.numClasses();
        IouAccumulator accumulator = new IouAccumulator(numClasses);
        ConfusionMatrix confusion = new ConfusionMatrix(numClasses);
        for (PredictionFolder.Pair p : pairs) {
            LabelMap prediction = read(p.prediction(), "prediction");
            LabelMap truth = read(p.groundTruth(), "ground-truth label");
            if (prediction.cols() != truth.cols() || prediction.rows() != truth.rows()) {
                throw new DatasetException("Prediction " + p.prediction() + " is " + prediction.cols() + "x"
                        + prediction.rows() + " but ground truth " + p.groundTruth() + " is " + truth.cols() + "x"
                        + truth.rows() + ". Predictions must have the ground truth's size (upstream resizes the"
                        + " score map back to the original image size before the argmax).");
            }
            byte[] target = truth.data();
            if (groundTruthLut != null) {
                for (int i = 0; i < target.length; i++) {
                    target[i] = groundTruthLut[target[i] & 0xff];
                }
            }
            accumulator.add(LabelBuffer.of(prediction.data()), LabelBuffer.of(target));
            confusion.add(prediction.data(), target);
        }
        return new Score(accumulator.compute(excluded), confusion, accumulator.target(), pairs.size());
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
}
