package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.cli.CliTest.Run;
import org.mseg.taxonomy.TaxonomyConverter;

/** {@code infer}'s batch behaviour, output folder and window choice, on a tiny random checkpoint. */
class InferCommandTest {
    @TempDir
    static Path dir;
    /** A training checkpoint whose config trained 33 × 33 crops. */
    static Path trained;

    @BeforeAll
    static void setUp() throws Exception {
        List<String> names = TaxonomyConverter.of(PluginEnvironment.boot()).universal().classNames();
        trained = dir.resolve("ckpt");
        TestCheckpoints.write(trained, TestCheckpoints.tinyHrnet(194), 5L, "universal", names,
                Map.of("iteration", 1, "config", Map.of("train_h", 33, "train_w", 33)));
    }

    static Path image(String name, int h, int w) {
        Path p = dir.resolve(name);
        try (Mat m = new Mat(h, w, CV_8UC3, new Scalar(40, 120, 200, 0))) {
            assertTrue(imwrite(p.toString(), m));
        }
        return p;
    }

    @Test
    void anUnreadableInputDoesNotStopTheBatchAndTheFailuresAreListedAtTheEnd() throws Exception {
        Path first = image("first.png", 30, 40);
        Path broken = dir.resolve("broken.jpg");
        Files.write(broken, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path missing = dir.resolve("missing.png");
        Path last = image("last.png", 30, 40);
        Path out = dir.resolve("batch");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                out.toString(), first.toString(), broken.toString(), missing.toString(), last.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(Files.isRegularFile(out.resolve("first_gray.png")), r.out() + r.err());
        assertTrue(Files.isRegularFile(out.resolve("last_gray.png")), "the input after the failures ran too: "
                + r.out() + r.err());
        String summary = r.err().substring(r.err().indexOf("2 of 4 inputs failed"));
        assertTrue(summary.contains(broken + ": cannot decode image"), summary);
        assertTrue(summary.contains(missing + ": does not exist"), summary);
        assertFalse(summary.contains("first.png") || summary.contains("last.png"), summary);
    }

    @Test
    void truncatedAndOversizedImagesAreListedFailuresFoundFromTheirBytesBeforeDecoding() throws Exception {
        Path jpeg = image("cut.jpg", 400, 600); // large enough that 40 % keeps the header tables
        byte[] whole = Files.readAllBytes(jpeg);
        Files.write(jpeg, java.util.Arrays.copyOf(whole, whole.length * 2 / 5)); // libjpeg would decode grey rows
        Path huge = dir.resolve("huge.png"); // a 20000 x 20000 header with no pixel data behind it
        Files.write(huge, pngHeaderOnly(20000, 20000));
        Path good = image("good.png", 30, 40);
        Path out = dir.resolve("checked");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                out.toString(), jpeg.toString(), huge.toString(), good.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(Files.isRegularFile(out.resolve("good_gray.png")), r.out() + r.err());
        assertFalse(Files.exists(out.resolve("cut_gray.png")), "a truncated JPEG is no prediction: " + r.out());
        String summary = r.err().substring(r.err().indexOf("2 of 3 inputs failed"));
        assertTrue(summary.contains(jpeg + ": cannot decode image") && summary.contains("truncated"), summary);
        assertTrue(summary.contains(huge + ": image") && summary.contains("400,000,000 pixels")
                && summary.contains("--max-image-pixels"), summary);
        Run raised = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                dir.resolve("raised").toString(), "--max-image-pixels", "10", good.toString());
        assertEquals(1, raised.code(), "a limit below the good image's 1200 pixels refuses it too: " + raised.err());
    }

    /** A PNG signature, an IHDR chunk declaring {@code w x h} 8-bit RGB, and IEND: a valid header, no data. */
    private static byte[] pngHeaderOnly(int w, int h) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(b, "IHDR", java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(java.nio.ByteBuffer b, String type, byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        crc.update(t);
        crc.update(data);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    }

    @Test
    void inputsSharingAStemWriteToOutputsOfTheirOwn() throws Exception {
        Path png = image("same.png", 30, 40);
        Path jpg = image("same.jpg", 30, 40);
        Path other = Files.createDirectories(dir.resolve("other")).resolve("same.png");
        Files.copy(png, other);
        Path out = dir.resolve("same-stems");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                out.toString(), png.toString(), jpg.toString(), other.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String stem : List.of("same.png", "same.jpg", "same.png-2")) {
            assertTrue(Files.isRegularFile(out.resolve(stem + "_gray.png")), stem + ": " + r.out());
        }
        assertFalse(Files.exists(out.resolve("same_gray.png")), "no input's outputs overwrite another's");
        assertEquals(List.of("street", "a.jpg", "a.png", "a.png-2"), InferCommand.outputStems(List.of(
                Path.of("street.jpg"), Path.of("a.jpg"), Path.of("x/a.png"), Path.of("y/a.png"))));
    }

    @Test
    void outNamingAnExistingFileSaysItMustBeAFolder() throws Exception {
        Path file = dir.resolve("not-a-folder.txt");
        Files.writeString(file, "x");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--out", file.toString(),
                image("x.png", 20, 20).toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(file.toAbsolutePath().toString()) && r.err().contains("must be a folder"),
                r.err());
    }

    @Test
    void theWindowIsTheCheckpointsTrainingCropUnlessTold() {
        Path img = image("w.png", 30, 40);
        Run own = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                dir.resolve("w1").toString(), img.toString());
        assertEquals(0, own.code(), own.out() + own.err());
        assertTrue(own.out().contains("window 33 x 33 (the checkpoint's training crop"), own.out());
        Run told = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--crop", "41",
                "--out", dir.resolve("w2").toString(), img.toString());
        assertEquals(0, told.code(), told.out() + told.err());
        assertTrue(told.out().contains("window 41 x 41") && !told.out().contains("training crop"), told.out());
    }

    @Test
    void anMp4ClipBecomesAnOverlaidH264Mp4WithEveryFrame() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        try (FfmpegVideoWriter writer = FfmpegVideoWriter.open(clip, "mp4", 64, 48, 10)) {
            for (int i = 0; i < 10; i++) {
                try (Mat f = new Mat(48, 64, CV_8UC3, new Scalar(20 * i, 100, 250 - 20 * i, 0))) {
                    writer.write(f);
                }
            }
        }
        assertEquals(10, countFrames(clip, 64, 48), "the test clip itself");
        Path out = dir.resolve("video");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                out.toString(), clip.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Path overlay = out.resolve("clip_overlay.mp4").toAbsolutePath();
        assertTrue(r.out().contains(overlay + " (libopenh264, 64 x 48, 10 frames"), r.out());
        assertEquals(10, countFrames(overlay, 64, 48));
        assertFalse(Files.exists(out.resolve(".clip_overlay.tmp.mp4")));
    }

    @Test
    void mkvAndWebmClipsAreReadToo() {
        Path mkv = dir.resolve("matroska.mkv");
        Path webm = dir.resolve("vp8.webm");
        for (Path clip : List.of(mkv, webm)) {
            String container = clip.toString().endsWith(".mkv") ? "matroska" : "webm";
            try (FfmpegVideoWriter writer = FfmpegVideoWriter.open(clip, container, 48, 32, 10)) {
                for (int i = 0; i < 10; i++) {
                    try (Mat f = new Mat(32, 48, CV_8UC3, new Scalar(25 * i, 60, 200, 0))) {
                        writer.write(f);
                    }
                }
            }
        }
        Path out = dir.resolve("containers");
        Run r = CliTest.run("infer", "--checkpoint", trained.toString(), "--base-size", "native", "--out",
                out.toString(), mkv.toString(), webm.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(10, countFrames(out.resolve("matroska_overlay.mp4"), 48, 32));
        assertEquals(10, countFrames(out.resolve("vp8_overlay.mp4"), 48, 32));
        assertTrue(r.out().contains(mkv + " -> ") && r.out().contains(webm + " -> "), r.out());
    }

    private static int countFrames(Path video, int width, int height) {
        int frames = 0;
        try (FfmpegVideoReader reader = FfmpegVideoReader.open(video); Mat frame = new Mat()) {
            assertEquals(10, reader.fps(), 0.01);
            while (reader.read(frame)) {
                assertEquals(width, frame.cols());
                assertEquals(height, frame.rows());
                frames++;
            }
        }
        return frames;
    }
}
