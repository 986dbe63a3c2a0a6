package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_videoio.VideoWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.json.Json;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.StepReport;
import org.mseg.cli.CliTest.Run;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.TensorBoardListener;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.mseg.taxonomy.TaxonomyConverter;

/** {@code evaluate}, {@code infer} and {@code bench infer} end to end on a tiny random checkpoint and real files. */
class EvaluateInferCommandTest {
    @TempDir
    static Path dir;
    static Path checkpoint;
    static SyntheticMseg.Summary synth;

    @BeforeAll
    static void setUp() throws Exception {
        PluginEnvironment env = PluginEnvironment.boot();
        synth = SyntheticMseg.ensure(dir.resolve("data"), new SyntheticMseg.Options(2, 3, 48, 40, 5), env);
        checkpoint = dir.resolve("ckpt");
        List<String> names = TaxonomyConverter.of(env).universal().classNames();
        TestCheckpoints.write(checkpoint, TestCheckpoints.tinyHrnet(194), 11L, "universal", names, Map.of());
        // A small CamVid-like zero-shot dataset: 2 images with 11-class labels, listed beside the synthetic lists.
        Path camvid = synth.dataRoot().resolve("Camvid");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path img = camvid.resolve("images/val_" + i + ".png");
            Path lab = camvid.resolve("labels/val_" + i + ".png");
            Files.createDirectories(img.getParent());
            Files.createDirectories(lab.getParent());
            try (Mat m = new Mat(36, 52, CV_8UC3, new Scalar(40 + 60 * i, 120, 200, 0));
                    Mat l = new Mat(36, 52, CV_8UC1)) {
                ByteBuffer b = l.createBuffer();
                for (int p = 0; p < 36 * 52; p++) {
                    b.put(p, (byte) (p % 52 < 26 ? 3 : (p / 52 < 5 ? 255 : 8)));
                }
                assertTrue(imwrite(img.toString(), m));
                assertTrue(imwrite(lab.toString(), l));
            }
            lines.add("images/val_" + i + ".png labels/val_" + i + ".png");
        }
        Path list = synth.listsFolder().resolve("camvid-11/list/val.txt");
        Files.createDirectories(list.getParent());
        Files.write(list, lines);
    }

    private static String[] evaluateArgs(Path out, String datasets, String... extra) {
        List<String> a = new ArrayList<>(List.of("evaluate", "--checkpoint", checkpoint.toString(), "--dataset",
                datasets, "--data-root", synth.dataRoot().toString(), "--lists", synth.listsFolder().toString(),
                "--base-size", "0", "--crop", "33", "--batch", "2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void evaluateScoresZeroShotTrainingAndRelabeledDatasetsAndWritesTheReport() throws Exception {
        Path out = dir.resolve("eval");
        Run r = CliTest.run(evaluateArgs(out, "bdd,camvid-11,cityscapes-19-relabeled"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("harmonic mean"), r.out());
        assertTrue(r.out().contains("relabeled protocol vs cityscapes-19"), r.out());
        Map<?, ?> summary = (Map<?, ?>) Json.parse(Files.readString(out.resolve("summary.json")), "summary");
        Map<?, ?> ds = (Map<?, ?>) summary.get("datasets");
        assertEquals(List.of("bdd", "camvid-11", "cityscapes-19-relabeled"), new ArrayList<>(ds.keySet()));
        assertEquals("camvid-11", ((Map<?, ?>) ds.get("camvid-11")).get("eval_taxonomy"));
        assertEquals("universal", ((Map<?, ?>) ds.get("bdd")).get("eval_taxonomy"));
        for (String folder : List.of("bdd_universal", "camvid-11", "cityscapes-19_universal_relabeled")) {
            Path f = out.resolve(folder).resolve("native").resolve("ss");
            assertTrue(Files.isRegularFile(f.resolve("results.txt")), f.toString());
            assertTrue(Files.isRegularFile(f.resolve("results.json")), f.toString());
            assertTrue(Files.isRegularFile(f.resolve("confusion_matrix.png")), f.toString());
        }
        try (Mat pred = imread(out.resolve("camvid-11/native/ss/gray/val_1.png").toString(), IMREAD_UNCHANGED)) {
            assertEquals(36, pred.rows());
            assertEquals(52, pred.cols());
            ByteBuffer b = pred.createBuffer();
            for (int i = 0; i < 36 * 52; i++) {
                assertTrue((b.get(i) & 0xFF) < 11, "zero-shot predictions are camvid-11 ids");
            }
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("camvid-11") && html.contains("cityscapes-19-relabeled"), "report lists datasets");
        assertTrue(html.contains("camvid-11/native/ss/confusion_matrix.png"), "relative heatmap link");
        assertTrue(html.contains("examples/"), "example panels are linked");
        // Example panels are PNG now (were JPEG: JPEG smeared the label colours) and carry a colour legend.
        assertTrue(Files.isRegularFile(out.resolve("camvid-11/native/ss/examples/val_0.png")));
        try (Mat panel = imread(out.resolve("camvid-11/native/ss/examples/val_0.png").toString())) {
            assertTrue(panel.cols() > 4 * 52, "four panels and a legend: " + panel.cols());
        }
        assertTrue(r.out().contains("report: " + out.resolve("report.html").toAbsolutePath().toUri()), r.out());

        double hmean = ((Number) summary.get("harmonic_mean_mIoU")).doubleValue();
        Run cached = CliTest.run(evaluateArgs(out, "bdd,camvid-11,cityscapes-19-relabeled", "--has-prediction",
                "--json"));
        assertEquals(0, cached.code(), cached.err());
        Map<?, ?> again = (Map<?, ?>) Json.parse(cached.out().strip(), "stdout");
        assertEquals(hmean, ((Number) again.get("harmonic_mean_mIoU")).doubleValue(), 1e-12,
                "cached predictions score the same");
    }

    @Test
    void theReportOfACheckpointInARunLinksTheRunAndDrawsItsCurves() throws Exception {
        Path run = dir.resolve("run-20261206");
        Path iter = run.resolve("checkpoints/iter_4");
        Files.createDirectories(iter);
        try (java.util.stream.Stream<Path> files = Files.list(checkpoint)) {
            for (Path f : files.toList()) {
                Files.copy(f, iter.resolve(f.getFileName()));
            }
        }
        try (TensorBoardListener board = new TensorBoardListener(run.resolve("tensorboard"))) {
            for (int i = 1; i <= 4; i++) {
                board.onStep(new StepReport(i, 4, 3.0 - 0.5 * i, Map.of("bdd-relabeled", 2.0 / i,
                        "ade20k-150-relabeled", 2.5 / i), 0.01 * (5 - i), 12, 0.1, 1, Map.of()));
            }
            board.onValidation("bdd-relabeled", 0.25, Map.of());
        }
        Path out = dir.resolve("eval-run");
        Run r = CliTest.run("evaluate", "--checkpoint", run.toString(), "--dataset", "camvid-11", "--data-root",
                synth.dataRoot().toString(), "--lists", synth.listsFolder().toString(), "--base-size", "0",
                "--crop", "33", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("href=\"" + run.toAbsolutePath().toUri()), "links the run folder");
        assertTrue(html.contains("Training loss") && html.contains("Learning rate")
                && html.contains("Validation mIoU"), "three charts");
        assertTrue(html.contains("<svg") && html.contains("<polyline"), "inline SVG curves");
        assertTrue(html.contains("bdd-relabeled") && html.contains("ade20k-150-relabeled") && html.contains("total"),
                "a loss line per dataset");
        assertFalse(html.contains("<script"), "no script");
    }

    @Test
    void evaluateErrorsNameTheProblem() {
        Run unknown = CliTest.run(evaluateArgs(dir.resolve("e1"), "camvid-12"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("camvid-11"), unknown.err());
        Run noDataset = CliTest.run("evaluate", "--checkpoint", checkpoint.toString());
        assertEquals(2, noDataset.code());
        assertTrue(noDataset.err().contains("--dataset"), noDataset.err());
        Run missingCkpt = CliTest.run("evaluate", "--checkpoint", dir.resolve("nope").toString(), "--dataset", "bdd");
        assertEquals(2, missingCkpt.code());
        assertTrue(missingCkpt.err().contains("does not exist"), missingCkpt.err());
    }

    @Test
    void inferWritesLabelColourOverlayAndConfidenceForImagesFoldersAndVideos() throws Exception {
        Path images = dir.resolve("in");
        Files.createDirectories(images);
        for (String n : List.of("a.jpg", "b.png")) {
            try (Mat m = new Mat(30, 44, CV_8UC3, new Scalar(n.startsWith("a") ? 30 : 200, 90, 160, 0))) {
                assertTrue(imwrite(images.resolve(n).toString(), m));
            }
        }
        Path video = dir.resolve("clip.avi");
        VideoWriter vw = new VideoWriter(video.toString(), VideoWriter.fourcc((byte) 'M', (byte) 'J', (byte) 'P',
                (byte) 'G'), 10, new Size(40, 32), true);
        assertTrue(vw.isOpened());
        for (int i = 0; i < 3; i++) {
            try (Mat f = new Mat(32, 40, CV_8UC3, new Scalar(20 * i, 100, 150, 0))) {
                vw.write(f);
            }
        }
        vw.release();
        vw.close();
        Path out = dir.resolve("infer");
        Run r = CliTest.run("infer", "--checkpoint", checkpoint.toString(), "--crop", "33", "--base-size", "0",
                "--confidence", "npy", "--out", out.toString(), images.toString(), video.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String stem : List.of("a", "b")) {
            try (Mat gray = imread(out.resolve(stem + "_gray.png").toString(), IMREAD_UNCHANGED);
                    Mat colour = imread(out.resolve(stem + "_color.png").toString(), IMREAD_UNCHANGED);
                    // The overlay is PNG now (was JPEG).
                    Mat overlay = imread(out.resolve(stem + "_overlay.png").toString(), IMREAD_UNCHANGED)) {
                assertEquals(30, gray.rows());
                assertEquals(44, gray.cols());
                assertEquals(CV_8U, gray.depth());
                assertEquals(30, overlay.rows());
                assertEquals(3, colour.channels());
                assertTrue(colour.cols() > 44, "the colour picture carries a legend");
            }
            NpyArray conf = Npy.read(out.resolve(stem + "_confidence.npy"));
            assertEquals(List.of(30L, 44L), List.of(conf.shape()[0], conf.shape()[1]));
            for (float v : conf.data()) {
                assertTrue(v > 0 && v <= 1.0001f, "a probability: " + v);
            }
        }
        // Motion-JPEG AVI input keeps working; the overlay is now H.264 in MP4 (was Motion-JPEG AVI).
        assertTrue(Files.size(out.resolve("clip_overlay.mp4")) > 0);
        assertTrue(r.out().contains("3 frames"), r.out());

        // --classes and --taxonomy restrict what the arg-max can choose; --confidence png is 16-bit.
        Path sub = dir.resolve("infer-sub");
        Run s = CliTest.run("infer", "--checkpoint", checkpoint.toString(), "--crop", "33", "--base-size", "0",
                "--taxonomy", "camvid-11", "--classes", "Sky,Road", "--confidence", "--no-overlay", "--out",
                sub.toString(), images.resolve("a.jpg").toString());
        assertEquals(0, s.code(), s.out() + s.err());
        List<String> camvid = TaxonomyConverter.of(PluginEnvironment.boot()).taxonomy("camvid-11").classNames();
        try (Mat gray = imread(sub.resolve("a_gray.png").toString(), IMREAD_UNCHANGED);
                Mat conf = imread(sub.resolve("a_confidence.png").toString(), IMREAD_UNCHANGED)) {
            ByteBuffer b = gray.createBuffer();
            for (int i = 0; i < 30 * 44; i++) {
                int id = b.get(i) & 0xFF;
                assertTrue(id == camvid.indexOf("Sky") || id == camvid.indexOf("Road"), "id " + id);
            }
            assertEquals(CV_16U, conf.depth());
        }
        assertFalse(Files.exists(sub.resolve("a_overlay.png")));
    }

    @Test
    void inferRunsAnImportedPytorchCheckpointAndEvaluateAsksForItsTaxonomy() throws Exception {
        Path fixture = Path.of("..", "mseg-hrnet-tf", "src", "test", "resources", "fixtures", "tiny-41x57");
        Path imported = dir.resolve("imported");
        Run imp = CliTest.run("model", "import", "--from", fixture.resolve("model.pth").toString(), "--arch", "hrnet",
                "--spec", fixture.resolve("spec.json").toString(), "--out", imported.toString());
        assertEquals(0, imp.code(), imp.out() + imp.err());
        Path img = dir.resolve("pt.png");
        try (Mat m = new Mat(41, 57, CV_8UC3, new Scalar(90, 60, 30, 0))) {
            assertTrue(imwrite(img.toString(), m));
        }
        Path out = dir.resolve("pt-out");
        Run r = CliTest.run("infer", "--checkpoint", imported.toString(), "--crop", "41", "--base-size", "native",
                "--out", out.toString(), img.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        try (Mat gray = imread(out.resolve("pt_gray.png").toString(), IMREAD_UNCHANGED)) {
            assertEquals(41, gray.rows());
            ByteBuffer b = gray.createBuffer();
            for (int i = 0; i < 41 * 57; i++) {
                assertTrue((b.get(i) & 0xFF) < 7, "7 logits");
            }
        }
        Run e = CliTest.run("evaluate", "--checkpoint", imported.toString(), "--dataset", "camvid-11");
        assertEquals(2, e.code());
        assertTrue(e.err().contains("--taxonomy NAME"), e.err());
    }

    @Test
    void inferErrorsNameTheFixes() throws Exception {
        Run badClass = CliTest.run("infer", "--checkpoint", checkpoint.toString(), "--classes", "persn",
                dir.resolve("in").toString());
        assertEquals(2, badClass.code());
        assertTrue(badClass.err().contains("did you mean person"), badClass.err());
        Path fake = dir.resolve("movie.mp4");
        Files.write(fake, new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'});
        Run mp4 = CliTest.run("infer", "--checkpoint", checkpoint.toString(), "--crop", "33", "--out",
                dir.resolve("o").toString(), fake.toString());
        assertEquals(1, mp4.code());
        // MP4 is readable now; a broken one fails naming the file and a re-encoding command (was: convert to MJPEG).
        assertTrue(mp4.err().contains(fake.toString()) && mp4.err().contains("-c:v libx264"), mp4.err());
    }

    @Test
    void benchInferReportsWindowsAndTheRatioToABareForwardPass() {
        Run r = CliTest.run("bench", "infer", "--variant", "tiny", "--image", "40x48", "--base", "24,48", "--crop",
                "33", "--images", "1", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().strip(), "stdout");
        List<?> rows = (List<?>) m.get("results");
        assertEquals(2, rows.size());
        assertEquals(1, ((Number) ((Map<?, ?>) rows.get(0)).get("windows")).intValue(), "24x29 fits one window");
        assertEquals(6, ((Number) ((Map<?, ?>) rows.get(1)).get("windows")).intValue(), "48x58: 2 x 3 windows");
        assertTrue(((Number) ((Map<?, ?>) rows.get(1)).get("ratio_to_bare_forward")).doubleValue() > 1);
    }
}
