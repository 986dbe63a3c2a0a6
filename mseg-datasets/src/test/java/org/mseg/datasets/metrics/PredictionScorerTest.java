package org.mseg.datasets.metrics;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;

/** Prediction PNGs scored against ground-truth PNGs on disk, hand-computed. */
class PredictionScorerTest {
    private static final PluginEnvironment ENV = PluginEnvironment.boot();

    @TempDir
    Path dir;

    static void writeLabel(Path file, int rows, int cols, int... values) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        try (Mat m = new Mat(rows, cols, CV_8UC1)) {
            m.data().put(b);
            assertTrue(imwrite(file.toString(), m));
        }
    }

    private PredictionScorer camvid() {
        return PredictionScorer.in(ENV.taxonomies().get("camvid-11"));
    }

    /**
     * a (2x3): gt 0 0 1 / 1 255 2, pred 0 1 1 / 0 2 2;  b (1x2): gt 3 3, pred 3 4.
     * inter {1,1,1,1,0}, pred {2,2,1,1,1}, target {2,2,1,2,0}, union {3,3,1,2,1}; classes 5..10 absent.
     */
    private List<PredictionFolder.Pair> twoPairs() throws IOException {
        writeLabel(dir.resolve("gt/a.png"), 2, 3, 0, 0, 1, 1, 255, 2);
        writeLabel(dir.resolve("pred/a.png"), 2, 3, 0, 1, 1, 0, 2, 2);
        writeLabel(dir.resolve("gt/b.png"), 1, 2, 3, 3);
        writeLabel(dir.resolve("pred/b.png"), 1, 2, 3, 4);
        return PredictionFolder.of(dir.resolve("pred")).pairByStem(dir.resolve("gt"));
    }

    @Test
    void twoImagesScoreAsOneSetOfHistograms() throws IOException {
        PredictionScorer.Score score = camvid().score(twoPairs());

        double e = 1e-10;
        double[] iou = {1 / (3 + e), 1 / (3 + e), 1 / (1 + e), 1 / (2 + e), 0, 0, 0, 0, 0, 0, 0};
        double[] acc = {1 / (2 + e), 1 / (2 + e), 1 / (1 + e), 1 / (2 + e), 0, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(iou, score.metrics().iou(), 1e-15);
        assertArrayEquals(acc, score.metrics().accuracy(), 1e-15);
        assertEquals(4 / (7 + e), score.metrics().allAcc(), 1e-15);
        assertArrayEquals(new long[] {2, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0}, score.groundTruthPixels());
        assertEquals(2, score.images());
        assertEquals(1, score.confusion().count(3, 4), "b: a Car pixel predicted as class 4");
        assertEquals(Collections.emptySet(), score.metrics().excluded());
    }

    @Test
    void universalPredictionsOnADatasetMapItsGroundTruthAndExcludeClassesItCannotProduce() throws IOException {
        // cityscapes-19: 12 rider -> universal 127 bicyclist.
        writeLabel(dir.resolve("gt/x.png"), 1, 3, 12, 12, 255);
        writeLabel(dir.resolve("pred/x.png"), 1, 3, 127, 0, 5);
        PredictionScorer scorer = PredictionScorer.in(ENV.taxonomies().get("universal"))
                .withGroundTruthOf(ENV.datasets().get("cityscapes-19"), ENV);

        PredictionScorer.Score score = scorer.score(PredictionFolder.of(dir.resolve("pred"))
                .pairByStem(dir.resolve("gt")));

        assertEquals(194, score.metrics().numClasses());
        assertEquals(1 / (2 + 1e-10), score.metrics().iou(127), 1e-15, "rider mapped to bicyclist: 1 of 2 right");
        assertEquals(2, score.groundTruthPixels()[127]);
        assertFalse(scorer.excluded().contains(127));
        assertTrue(scorer.excluded().contains(0), "backpack is not a Cityscapes class");
        assertEquals(scorer.excluded(), score.metrics().excluded());
    }

    @Test
    void groundTruthInThePredictionsTaxonomyIsNotMapped() {
        PredictionScorer scorer = PredictionScorer.in(ENV.taxonomies().get("cityscapes-19"));
        assertSame(scorer, scorer.withGroundTruthOf(ENV.datasets().get("cityscapes-19"), ENV));
    }

    @Test
    void aSizeMismatchFailsNamingBothFiles() throws IOException {
        List<PredictionFolder.Pair> pairs = twoPairs();
        writeLabel(dir.resolve("pred/b.png"), 2, 1, 3, 4);
        DatasetException e = assertThrows(DatasetException.class, () -> camvid().score(pairs));
        assertTrue(e.getMessage().startsWith("Prediction " + dir.resolve("pred/b.png") + " is 1x2 but ground truth "
                + dir.resolve("gt/b.png") + " is 2x1. "), e.getMessage());
    }

    @Test
    void colourUndecodableAndMissingFilesFailNamingTheFile() throws IOException {
        List<PredictionFolder.Pair> pairs = twoPairs();
        Path b = dir.resolve("pred/b.png");
        try (Scalar colour = new Scalar(1, 2, 3, 0); Mat m = new Mat(1, 2, CV_8UC3, colour)) {
            assertTrue(imwrite(b.toString(), m));
        }
        assertTrue(assertThrows(DatasetException.class, () -> camvid().score(pairs)).getMessage()
                .startsWith("The prediction " + b + " has 3 channel(s) of 8 bits; "));
        Files.writeString(b, "not a png");
        assertTrue(assertThrows(DatasetException.class, () -> camvid().score(pairs)).getMessage()
                .startsWith("Cannot decode the prediction " + b + ": "));
        Files.delete(dir.resolve("gt/a.png"));
        assertEquals("The ground-truth label " + dir.resolve("gt/a.png") + " does not exist.",
                assertThrows(DatasetException.class, () -> camvid().score(pairs)).getMessage());
    }

    @Test
    void aTaxonomyTooLargeForEightBitLabelMapsIsAConfigError() {
        List<String> names = java.util.stream.IntStream.range(0, 256).mapToObj(i -> "c" + i).toList();
        ConfigException e = assertThrows(ConfigException.class,
                () -> PredictionScorer.in(TaxonomyDefinition.of("wide", TaxonomyKind.NAIVE, names)));
        assertTrue(e.getMessage().startsWith("Taxonomy 'wide' has 256 classes, but predictions are 8-bit PNGs"),
                e.getMessage());
    }

    @Test
    void nothingToScoreIsAnArgumentError() {
        assertThrows(IllegalArgumentException.class, () -> camvid().score(List.of()));
    }
}
