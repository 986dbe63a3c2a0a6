package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.cli.CliTest.Run;

class ScoreCommandTest {
    @TempDir
    Path dir;
    Path gt;
    Path pred;

    static void writeLabel(Path file, int rows, int cols, int... values) throws Exception {
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

    /**
     * Two images scored in camvid-11 (K = 11).
     * a (2x3): gt 0 0 1 / 1 255 2, pred 0 1 1 / 0 2 2;  b (1x2): gt 3 3, pred 3 4.
     * inter {1,1,1,1,0}, pred {2,2,1,1,1}, target {2,2,1,2,0}, union {3,3,1,2,1}; classes 5..10 absent.
     */
    @BeforeEach
    void writePair() throws Exception {
        gt = dir.resolve("gt");
        pred = dir.resolve("pred");
        writeLabel(gt.resolve("a.png"), 2, 3, 0, 0, 1, 1, 255, 2);
        writeLabel(pred.resolve("a.png"), 2, 3, 0, 1, 1, 0, 2, 2);
        writeLabel(gt.resolve("b.png"), 1, 2, 3, 3);
        writeLabel(pred.resolve("b.png"), 1, 2, 3, 4);
    }

    static final double[] IOU = {1 / (3 + 1e-10), 1 / (3 + 1e-10), 1 / (1 + 1e-10), 1 / (2 + 1e-10), 0, 0, 0, 0, 0,
        0, 0};
    static final double[] ACC = {1 / (2 + 1e-10), 1 / (2 + 1e-10), 1 / (1 + 1e-10), 1 / (2 + 1e-10), 0, 0, 0, 0, 0,
        0, 0};

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":([-0-9.Ee]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    static double[] array(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        String[] parts = m.group(1).split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.parseDouble(parts[i]);
        }
        return v;
    }

    static void assertHandComputed(String json) {
        assertEquals(mean(IOU), field(json, "mIoU"), 1e-15);
        assertEquals(mean(ACC), field(json, "mAcc"), 1e-15);
        assertEquals(4 / (7 + 1e-10), field(json, "allAcc"), 1e-15);
        double[] iou = array(json, "iou");
        double[] acc = array(json, "acc");
        assertEquals(11, iou.length);
        for (int k = 0; k < 11; k++) {
            assertEquals(IOU[k], iou[k], 1e-15, "iou " + k);
            assertEquals(ACC[k], acc[k], 1e-15, "acc " + k);
        }
    }

    @Test
    void jsonOfAFolderPairEqualsTheHandComputation() {
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one JSON object: " + r.out());
        assertHandComputed(r.out());
        assertTrue(r.out().contains("\"classes\":[\"Building\",\"Tree\","), r.out());
    }

    @Test
    void tableListsEveryClassThenTheSummary() {
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("ID\\s+CLASS\\s+IOU\\s+ACC\\s+GT_PIXELS"), lines.get(0));
        assertTrue(lines.get(1).matches("0\\s+Building\\s+0\\.3333\\s+0\\.5000\\s+2"), lines.get(1));
        assertEquals(12, lines.stream().filter(l -> l.matches("\\d+\\s+\\S+\\s+\\d\\.\\d{4}.*")).count() + 1);
        String expected = String.format(java.util.Locale.ROOT, "mIoU/mAcc/allAcc %s/%s/0.5714 over 2 images (11"
                + " classes).", org.mseg.datasets.metrics.ResultsWriter.format4(mean(IOU)),
                org.mseg.datasets.metrics.ResultsWriter.format4(mean(ACC)));
        assertEquals(expected, lines.get(lines.size() - 1));
    }

    @Test
    void aListFilePairsEachLabelWithThePredictionOfItsImageStem() throws Exception {
        Path list = dir.resolve("val.txt");
        Files.writeString(list, "images/a.jpg gt/a.png\nimages/b.jpg gt/b.png\n");
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", list.toString(), "--taxonomy", "camvid-11",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertHandComputed(r.out());
    }

    @Test
    void outWritesResultsAndAHeatmap() throws Exception {
        Path out = dir.resolve("results");
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> txt = Files.readAllLines(out.resolve("results.txt"));
        assertEquals(12, txt.size());
        assertTrue(txt.get(0).startsWith("Eval result: mIoU/mAcc/allAcc "), txt.get(0));
        assertEquals("Class_03 result: iou/accuracy 0.5000/0.5000, name: Car.", txt.get(4));
        assertHandComputed(Files.readString(out.resolve("results.json")).replaceAll("\\s+", ""));
        try (Mat png = imread(out.resolve(ScoreCommand.HEATMAP_FILE).toString(), IMREAD_UNCHANGED)) {
            assertFalse(png.empty());
            assertEquals(3, png.channels());
        }
    }

    @Test
    void unmatchedStemsFailNamingThem() throws Exception {
        writeLabel(gt.resolve("c.png"), 1, 1, 0);
        writeLabel(pred.resolve("d.png"), 1, 1, 0);
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Without a prediction (1): c."), r.err());
        assertTrue(r.err().contains("Without ground truth (1): d."), r.err());
    }

    @Test
    void missingPredictionForAListLineFailsNamingFileAndLine() throws Exception {
        Path list = dir.resolve("val.txt");
        Files.writeString(list, "images/a.jpg gt/a.png\nimages/e.jpg gt/b.png\n");
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", list.toString(), "--taxonomy", "camvid-11");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(pred.resolve("e.png") + " (line 2)"), r.err());
    }

    @Test
    void sizeMismatchFailsNamingBothFiles() throws Exception {
        writeLabel(pred.resolve("b.png"), 2, 1, 3, 4);
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Prediction " + pred.resolve("b.png") + " is 1x2 but ground truth "
                + gt.resolve("b.png") + " is 2x1"), r.err());
    }

    @Test
    void colourAndUndecodablePredictionsFailNamingTheFile() throws Exception {
        try (Mat colour = new Mat(1, 2, CV_8UC3, new Scalar(1, 2, 3, 0))) {
            assertTrue(imwrite(pred.resolve("b.png").toString(), colour));
        }
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("prediction " + pred.resolve("b.png") + " has 3 channel(s)"), r.err());
        Files.writeString(pred.resolve("b.png"), "not a png");
        Run broken = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy",
                "camvid-11");
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("Cannot decode the prediction " + pred.resolve("b.png")), broken.err());
    }

    @Test
    void universalScoresOfADatasetMapGroundTruthAndExcludeUnreachableClasses() throws Exception {
        // cityscapes-19: 0 road, 12 rider; universal: rider -> 127 bicyclist, road -> its universal id.
        Path g = dir.resolve("cs/gt");
        Path p = dir.resolve("cs/pred");
        writeLabel(g.resolve("x.png"), 1, 3, 12, 12, 255);
        writeLabel(p.resolve("x.png"), 1, 3, 127, 0, 5);
        Run r = CliTest.run("score", "--pred", p.toString(), "--gt", g.toString(), "--taxonomy", "universal",
                "--dataset", "cityscapes-19", "--json");
        assertEquals(0, r.code(), r.err());
        double[] iou = array(r.out(), "iou");
        assertEquals(194, iou.length);
        assertEquals(1 / (2 + 1e-10), iou[127], 1e-15, "rider mapped to bicyclist: 1 of 2 right");
        String excluded = r.out().replaceAll(".*\"excluded\":\\[([^\\]]*)\\].*", "$1").strip();
        List<Integer> ids = new ArrayList<>();
        for (String s : excluded.split(",")) {
            ids.add(Integer.parseInt(s));
        }
        assertFalse(ids.contains(127));
        assertTrue(ids.contains(0), "backpack is not a Cityscapes class");
        int counted = 194 - ids.size();
        assertTrue(counted >= 19 && counted < 194, "counted " + counted);
        assertEquals(1 / (2 + 1e-10) / counted, field(r.out(), "mIoU"), 1e-15);
        assertEquals(1 / (2 + 1e-10), field(r.out(), "allAcc"), 1e-15);
    }

    @Test
    void withoutGroundTruthItIsAUsageError() {
        Run r = CliTest.run("score", "--pred", pred.toString(), "--taxonomy", "camvid-11");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("No ground truth given"), r.err());
        assertEquals(2, CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy",
                "camvid-12").code());
    }

    @Test
    void optionsThatWouldBeIgnoredAreUsageErrors() {
        Run r = CliTest.run("score", "--pred", pred.toString(), "--gt", gt.toString(), "--taxonomy", "camvid-11",
                "--split", "train");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--split train only applies without --gt"), r.err());
        Run h = CliTest.run("score", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("--pred=DIR") && h.out().contains("--gt=LIST_OR_DIR"), h.out());
    }
}
