package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.TestMats;
import org.mseg.datasets.transform.TransformParams;

/**
 * Opt-in ({@code -Dloader.bench=true}): the crop-window train chain against the whole-image chain it replaced, on
 * 1920×1080 JPEG/PNG pairs at MSeg's 1080p release parameters, one thread, alternating the two chains round by round
 * so that both see the same machine load; likewise the old decoding (imread, fresh Mats) against
 * {@link SampleReader#readInto}. Prints ms per crop for each stage and crops/s before and after, and their ratio.
 */
@EnabledIfSystemProperty(named = "loader.bench", matches = "true")
class TrainChainBenchmarkTest {
    private static final int W = 1920;
    private static final int H = 1080;
    private static final int PAIRS = 4;
    private static final TransformParams RELEASE_1080 = new TransformParams(1080, 0.5, 2.0, -10, 10, 713, 713, 255);

    @TempDir
    Path dir;

    @Test
    void cropWindowChainAgainstWholeImageChain() throws Exception {
        int rounds = Integer.getInteger("loader.bench.rounds", 5);
        int perRound = Integer.getInteger("loader.bench.crops", 12);
        Path[][] files = writePairs();
        opencv_core.setNumThreads(1);
        int pixels = 713 * 713;
        float[] images = new float[pixels * 3];
        byte[] labels = new byte[pixels];
        float[] images2 = new float[pixels * 3];
        byte[] labels2 = new byte[pixels];
        PooledTrainChain window = new PooledTrainChain(RELEASE_1080);
        FullFrameTrainChain whole = new FullFrameTrainChain(RELEASE_1080);
        StringBuilder list = new StringBuilder();
        for (Path[] pair : files) {
            list.append(pair[0].getFileName()).append(' ').append(pair[1].getFileName()).append('\n');
        }
        Path listFile = Files.writeString(dir.resolve("list.txt"), list);
        SampleReader reader = new SampleReader(SplitList.fromFile(listFile, true), dir, 19);
        long decodeJpeg = 0;
        long toFloat = 0;
        long decodePng = 0;
        long readInto = 0;
        long[] chain = new long[2];
        int crops = 0;
        try (Workspace ws = new Workspace(); Workspace ws2 = new Workspace(); Mat rgb = new Mat();
                Mat image = new Mat(); Mat label = new Mat()) {
            for (int round = -1; round < rounds; round++) {
                for (int k = 0; k < perRound; k++) {
                    Path[] pair = files[k % PAIRS];
                    // The decoding the loader did before: imread (fresh Mats), then copies into reused buffers.
                    long t0 = System.nanoTime();
                    try (Mat bgr = imread(pair[0].toString(), IMREAD_COLOR)) {
                        long t1 = System.nanoTime();
                        cvtColor(bgr, rgb, COLOR_BGR2RGB);
                        rgb.convertTo(image, CV_32F);
                        long t2 = System.nanoTime();
                        try (Mat png = imread(pair[1].toString(), IMREAD_UNCHANGED)) {
                            png.copyTo(label);
                        }
                        long t3 = System.nanoTime();
                        // Today's: file bytes into a reused buffer, imdecode into reused Mats.
                        reader.readInto(reader.list().entries().get(k % PAIRS), ws.decoded());
                        long t4 = System.nanoTime();
                        assertArrayEquals(TestMats.floats(image), TestMats.floats(ws.decoded().image()));
                        assertArrayEquals(TestMats.bytes(label), TestMats.bytes(ws.decoded().label()));
                        long seed = 1000L * round + k;
                        // Alternate which chain goes first, so neither always runs on a cache warmed by the other.
                        for (int which = 0; which < 2; which++) {
                            int c = (which + k) % 2;
                            long s = System.nanoTime();
                            if (c == 0) {
                                window.apply(ws.decoded().image(), ws.decoded().label(), new SplittableRandom(seed),
                                        ws, images, labels, 0, null);
                            } else {
                                whole.apply(image, label, new SplittableRandom(seed), ws2, images2, labels2, 0, null);
                            }
                            if (round >= 0) {
                                chain[c] += System.nanoTime() - s;
                            }
                        }
                        assertArrayEquals(images2, images);
                        assertArrayEquals(labels2, labels);
                        if (round >= 0) {
                            decodeJpeg += t1 - t0;
                            toFloat += t2 - t1;
                            decodePng += t3 - t2;
                            readInto += t4 - t3;
                            crops++;
                        }
                    }
                }
            }
        }
        double decode = (decodeJpeg + toFloat + decodePng) / 1e6 / crops;
        double decodeNow = readInto / 1e6 / crops;
        double windowMs = chain[0] / 1e6 / crops;
        double wholeMs = chain[1] / 1e6 / crops;
        System.out.printf(Locale.ROOT, "train chain benchmark, %d crops each, 1 thread, load average %s%n", crops,
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(Locale.ROOT, "  decode JPEG %.1f ms, BGR->RGB float %.1f ms, decode PNG %.1f ms per crop%n",
                decodeJpeg / 1e6 / crops, toFloat / 1e6 / crops, decodePng / 1e6 / crops);
        System.out.printf(Locale.ROOT, "  readInto (file bytes + imdecode into reused Mats + RGB float) %.1f ms per"
                + " crop, against %.1f ms%n", decodeNow, decode);
        System.out.printf(Locale.ROOT, "  before: imread + whole-image chain %.1f ms -> %.2f crops/s%n",
                wholeMs + decode, 1000 / (wholeMs + decode));
        System.out.printf(Locale.ROOT, "  after: readInto + crop-window chain %.1f ms -> %.2f crops/s%n",
                windowMs + decodeNow, 1000 / (windowMs + decodeNow));
        System.out.printf(Locale.ROOT, "  chains alone: whole-image %.1f ms, crop-window %.1f ms (x%.2f)%n", wholeMs,
                windowMs, wholeMs / windowMs);
        System.out.printf(Locale.ROOT, "  ratio after/before, crops/s with decoding: %.2f%n",
                (wholeMs + decode) / (windowMs + decodeNow));
    }

    /** Textured JPEG images with PNG labels, like the CLI's loader benchmark writes. */
    private Path[][] writePairs() {
        Path[][] files = new Path[PAIRS][];
        SplittableRandom random = new SplittableRandom(2020);
        byte[] pixels = new byte[W * H * 3];
        byte[] ids = new byte[W * H];
        for (int k = 0; k < PAIRS; k++) {
            int cell = 40 + 20 * k;
            for (int r = 0; r < H; r++) {
                for (int c = 0; c < W; c++) {
                    int i = r * W + c;
                    double wave = 60 * Math.sin(c * 0.009 + k) * Math.cos(r * 0.007);
                    int region = (r / cell + c / (cell + 17)) % 19;
                    int noise = random.nextInt(-12, 13);
                    pixels[3 * i] = clamp(90 + region * 7 + wave + noise);
                    pixels[3 * i + 1] = clamp(120 + wave * 0.5 - region * 3 + noise);
                    pixels[3 * i + 2] = clamp(60 + r * 120.0 / H + region * 5 - wave + noise);
                    ids[i] = (byte) ((r + c) % 97 == 0 ? 255 : region);
                }
            }
            files[k] = new Path[] {dir.resolve("img_" + k + ".jpg"), dir.resolve("lab_" + k + ".png")};
            try (Mat bgr = new Mat(H, W, CV_8UC3); Mat lab = new Mat(H, W, CV_8UC1)) {
                bgr.data().put(pixels);
                lab.data().put(ids);
                imwrite(files[k][0].toString(), bgr);
                imwrite(files[k][1].toString(), lab);
            }
        }
        return files;
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, (int) v));
    }
}
