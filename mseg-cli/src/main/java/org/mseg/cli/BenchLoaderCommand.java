package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.MsegException;
import org.mseg.api.json.Json;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli bench loader}: crops per second of the multi-dataset loader running MSeg's full 1080p train chain,
 * decoding included, with N worker threads against a 1-thread baseline measured in the same run.
 *
 * <p>The data are generated 1920×1080 JPEG images (textured, not flat, so decoding costs what a photo costs) with PNG
 * labels, laid out as a Cityscapes dataset in a temporary folder that is deleted afterwards. OpenCV's own thread pool
 * is limited to one thread during the runs so that the loader's workers are the only parallelism measured.
 */
@Command(name = "loader", mixinStandardHelpOptions = true,
        description = {"Loader throughput: crops/s of MSeg's 1080p train chain (short side 1080, scale 0.5-2.0,"
                + " rotate +-10, 713x713 crops), decoding included, with N threads and with 1 thread as the baseline.",
                "Also runs the reference chain (the transforms one by one on whole images, which the loader matches"
                        + " crop for crop) on 1 thread in the same run and reports the loader's ratio to it.",
                "Reports crops/s, crops/s per thread, speed-up over 1 thread and peak RSS."})
final class BenchLoaderCommand implements Callable<Integer> {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    private static final String DATASET = "cityscapes-19";
    private static final String FOLDER = "Cityscapes";
    /** Linux reports process CPU times in clock ticks of 1/100 s (USER_HZ) on every mainstream architecture. */
    private static final double CLOCK_TICKS = 100.0;
    private static final TransformParams RELEASE_1080 = new TransformParams(1080, 0.5, 2.0, -10, 10, 713, 713, 255);

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--threads", paramLabel = "N", description = "Loader worker threads (default: processors).")
    Integer threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "20",
            description = "Seconds measured per run, after one warm-up batch (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--images", paramLabel = "K", defaultValue = "6",
            description = "Generated image/label pairs (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--no-reference", description = "Skip the reference run (MSeg's transforms one by one on whole"
            + " images, TransformChain.train, 1 thread), the baseline the loader's 1-thread rate is compared with.")
    boolean noReference;

    /** The result of one timed run. */
    record Run(int threads, long crops, double seconds, double cpuSeconds) {
        double cropsPerSecond() {
            return crops / seconds;
        }

        /** Crops per second of process CPU time: what a crop costs, whatever else runs on the machine. */
        double cropsPerCpuSecond() {
            return cpuSeconds > 0 ? crops / cpuSeconds : Double.NaN;
        }
    }

    @Override
    public Integer call() throws IOException {
        int n = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
        }
        if (!(seconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--seconds must be positive, got " + seconds);
        }
        if (images < 1) {
            throw new ParameterException(spec.commandLine(), "--images must be at least 1, got " + images);
        }
        int openCvThreads = opencv_core.getNumThreads();
        Path dir = Files.createTempDirectory("mseg-bench-loader");
        try {
            Path root = dir.resolve("mseg_dataset");
            Path lists = dir.resolve("lists");
            writeDataset(root.resolve(FOLDER), lists.resolve(DATASET).resolve("list").resolve("train.txt"), images);
            opencv_core.setNumThreads(1);
            Run reference = noReference ? null : measureReference(root, lists);
            List<Run> runs = new ArrayList<>();
            if (n > 1) {
                runs.add(measure(root, lists, 1));
            }
            runs.add(measure(root, lists, n));
            report(reference, runs.get(0), runs.get(runs.size() - 1), peakRssMb());
            return MsegCommand.OK;
        } finally {
            opencv_core.setNumThreads(openCvThreads);
            deleteTree(dir);
        }
    }

    private Run measure(Path root, Path lists, int n) {
        // n crops per batch and two batches ahead keep every worker busy.
        try (MultiDatasetLoader loader = MultiDatasetLoader.builder().environment(plugins.environment())
                .dataRoot(root).listsFolder(Optional.of(lists)).target(LabelTarget.UNIVERSAL)
                .streams(List.of(new StreamSpec(DATASET, "train", n))).params(RELEASE_1080).train(true)
                .threads(n).prefetch(2).seed(1).build()) {
            loader.next();
            double cpuStart = processCpuSeconds();
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            long crops = 0;
            long now;
            do {
                crops += loader.next().size();
                now = System.nanoTime();
            } while (now < deadline);
            return new Run(n, crops, (now - start) / 1e9, processCpuSeconds() - cpuStart);
        }
    }

    /**
     * The reference: each crop read with {@link SampleReader#read} (fresh Mats) and sent through
     * {@link TransformChain#train}, MSeg's transforms one after the other on whole images, on this thread. The
     * loader's chain is tested crop-for-crop identical to it.
     */
    private Run measureReference(Path root, Path lists) {
        SplitList list = SplitList.fromFile(lists.resolve(DATASET).resolve("list").resolve("train.txt"), true);
        SampleReader reader = new SampleReader(list, root.resolve(FOLDER), 19);
        TransformChain chain = TransformChain.train(RELEASE_1080, Optional.empty());
        SplittableRandom random = new SplittableRandom(1);
        try (Sample warm = reader.read(0)) {
            chain.apply(warm, random);
        }
        double cpuStart = processCpuSeconds();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long crops = 0;
        long now;
        do {
            try (Sample s = reader.read((int) (crops % list.size()))) {
                chain.apply(s, random);
            }
            crops++;
            now = System.nanoTime();
        } while (now < deadline);
        return new Run(1, crops, (now - start) / 1e9, processCpuSeconds() - cpuStart);
    }

    private void report(Run reference, Run baseline, Run run, double peakRssMb) {
        PrintWriter out = spec.commandLine().getOut();
        double speedUp = run.cropsPerSecond() / baseline.cropsPerSecond();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (reference != null) {
                m.put("reference_crops_per_s", round(reference.cropsPerSecond()));
                m.put("reference_crops_per_cpu_s", round(reference.cropsPerCpuSecond()));
                m.put("one_thread_vs_reference", round(baseline.cropsPerSecond() / reference.cropsPerSecond()));
            }
            m.put("crops_per_s", round(run.cropsPerSecond()));
            m.put("threads", run.threads());
            m.put("peak_rss_mb", round(peakRssMb));
            m.put("crops_per_s_per_thread", round(run.cropsPerSecond() / run.threads()));
            m.put("baseline_crops_per_s", round(baseline.cropsPerSecond()));
            m.put("speedup", round(speedUp));
            m.put("crops_per_cpu_s", round(run.cropsPerCpuSecond()));
            m.put("baseline_crops_per_cpu_s", round(baseline.cropsPerCpuSecond()));
            m.put("crops", run.crops());
            m.put("seconds", round(run.seconds()));
            m.put("image", WIDTH + "x" + HEIGHT);
            m.put("crop", RELEASE_1080.trainW() + "x" + RELEASE_1080.trainH());
            m.put("opencv_threads", 1);
            m.put("load_average", loadAverage());
            out.println(Json.write(m, false));
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, "Loader benchmark: %d generated %dx%d JPEG/PNG pairs, MSeg train chain (short side"
                + " 1080, scale 0.5-2.0, rotate +-10, crop 713x713), decoding included; %.0f s per run, OpenCV"
                + " limited to 1 thread.%n", images, WIDTH, HEIGHT, seconds);
        TextTable t = new TextTable("RUN", "THREADS", "CROPS", "SECONDS", "CROPS/S", "CROPS/S/THREAD", "SPEED-UP",
                "CROPS/CPU-S");
        if (reference != null) {
            t.row("reference", 1, reference.crops(), fmt(reference.seconds()), fmt(reference.cropsPerSecond()),
                    fmt(reference.cropsPerSecond()), "", fmt(reference.cropsPerCpuSecond()));
        }
        List<Run> rows = baseline == run ? List.of(run) : List.of(baseline, run);
        for (Run r : rows) {
            t.row("loader", r.threads(), r.crops(), fmt(r.seconds()), fmt(r.cropsPerSecond()),
                    fmt(r.cropsPerSecond() / r.threads()), fmt(r.cropsPerSecond() / baseline.cropsPerSecond()) + "x",
                    fmt(r.cropsPerCpuSecond()));
        }
        t.print(out);
        if (reference != null) {
            out.printf(Locale.ROOT, "Loader on 1 thread vs the reference (whole-image transforms, fresh Mats): %.2fx"
                    + " (MSeg's Python + cv2 chain on this machine: tools/bench_vs_upstream.sh --only loader)%n",
                    baseline.cropsPerSecond() / reference.cropsPerSecond());
        }
        out.printf(Locale.ROOT, "Peak RSS: %.0f MB; load average at the end: %s (CROPS/CPU-S is the cost of a crop"
                + " independent of other work on the machine)%n", peakRssMb, loadAverage());
        out.flush();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Peak resident set size of this process in MB ({@code VmHWM}), or NaN where /proc is not available. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** User + system CPU seconds of this process so far ({@code /proc/self/stat}), or NaN without /proc. */
    static double processCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.UTF_8);
            // Fields after the parenthesised command name; utime and stime are fields 14 and 15, in clock ticks.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Writes {@code count} textured 1920×1080 JPEG images and PNG labels of a few classes, and the list naming them.
     */
    static void writeDataset(Path folder, Path list, int count) {
        List<String> lines = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(2020);
        byte[] pixels = new byte[WIDTH * HEIGHT * 3];
        byte[] labels = new byte[WIDTH * HEIGHT];
        try {
            Files.createDirectories(folder.resolve("leftImg8bit"));
            Files.createDirectories(folder.resolve("gtFine"));
            for (int k = 0; k < count; k++) {
                double fx = 0.004 + 0.01 * random.nextDouble();
                double fy = 0.003 + 0.01 * random.nextDouble();
                int cell = 40 + 20 * k;
                for (int r = 0; r < HEIGHT; r++) {
                    for (int c = 0; c < WIDTH; c++) {
                        int i = r * WIDTH + c;
                        // Smooth structure plus sensor-like noise: compresses like a photo, not like a flat image.
                        double wave = 60 * Math.sin(c * fx + k) * Math.cos(r * fy);
                        int region = (r / cell + c / (cell + 17)) % 19;
                        int noise = random.nextInt(-12, 13);
                        pixels[3 * i] = clamp(90 + region * 7 + wave + noise);
                        pixels[3 * i + 1] = clamp(120 + wave * 0.5 - region * 3 + noise);
                        pixels[3 * i + 2] = clamp(60 + (r * 120.0 / HEIGHT) + region * 5 - wave + noise);
                        labels[i] = (byte) ((r + c) % 97 == 0 ? 255 : region);
                    }
                }
                String image = "leftImg8bit/img_" + k + ".jpg";
                String label = "gtFine/img_" + k + "_gtFine_labelIds.png";
                try (Mat bgr = new Mat(HEIGHT, WIDTH, CV_8UC3); Mat lab = new Mat(HEIGHT, WIDTH, CV_8UC1)) {
                    bgr.data().put(pixels);
                    lab.data().put(labels);
                    if (!imwrite(folder.resolve(image).toString(), bgr)
                            || !imwrite(folder.resolve(label).toString(), lab)) {
                        throw new MsegException("Cannot write benchmark images under " + folder
                                + "; check the free space of the temporary folder.");
                    }
                }
                lines.add(image + " " + label);
            }
            Files.createDirectories(list.getParent());
            Files.write(list, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, (int) v));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary folder is harmless; the benchmark result stands.
        }
    }
}
