package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.MsegException;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.plugin.Names;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.datasets.ImageFiles;
import org.mseg.datasets.viz.Legend;
import org.mseg.datasets.viz.Overlay;
import org.mseg.datasets.viz.Palette;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.inference.ClassProjection;
import org.mseg.engine.inference.InferenceSettings;
import org.mseg.engine.inference.Prediction;
import org.mseg.engine.inference.Segmenter;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.mseg.taxonomy.TaxonomyConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli infer}: runs a checkpoint on images, folders of images and videos (MSEG.md g.7, with what MSeg's
 * users asked for: per-pixel confidence, class subsets, a target taxonomy, CPU-only).
 */
@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment images, folders of images or videos with a checkpoint.",
                "The window is the checkpoint's training crop (train_h x train_w) unless --crop, --config or --set"
                        + " TEST.test_h/test_w name one.",
                "Per image: <stem>_gray.png (class ids), <stem>_color.png (colours + legend of the classes present),"
                        + " <stem>_overlay.png (names at region centres), and with --confidence"
                        + " <stem>_confidence.png (16-bit, 65535 = 1.0) or <stem>_confidence.npy (float32).",
                "Per video (any FFmpeg reads: MP4/H.264, MKV, WebM, MOV, Motion-JPEG AVI, ...): <stem>_overlay.mp4"
                        + " (H.264), with a progress bar and frames/s."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:done", "1:an input is missing or unreadable (the others are still processed; the failures are"
                + " listed at the end)", "2:usage or configuration error"})
final class InferCommand implements Callable<Integer> {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");
    static final Set<String> VIDEO_EXTENSIONS = Set.of("avi", "mp4", "mov", "mkv", "m4v", "mpg", "mpeg", "webm");

    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Mixin
    InferenceOptions inference;


    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Images, folders of images, or videos.")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "mseg-infer",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--taxonomy", paramLabel = "NAME",
            description = "Predict in this taxonomy instead of the model's: a universal model's probabilities are"
                    + " summed into a test dataset's classes (e.g. cityscapes-19 is not a test taxonomy, camvid-11 is).")
    String taxonomy;

    @Option(names = "--classes", paramLabel = "NAME[,NAME...]", split = ",", hideParamSyntax = true,
            description = "Restrict the arg-max to these classes (names or ids of the output taxonomy).")
    List<String> classes;

    @Option(names = "--confidence", paramLabel = "png|npy", arity = "0..1", fallbackValue = "png",
            description = "Also write the probability of the chosen class per pixel: png (16-bit) or npy (float32).")
    String confidence;





    @Option(names = "--max-image-pixels", paramLabel = "N", defaultValue = "" + ImageFiles.DEFAULT_MAX_PIXELS,
            description = "Largest input image (width x height) to decode; larger files are refused from their header"
                    + " and listed as failures (default: ${DEFAULT-VALUE} = 8192x8192, as DATA.max_image_pixels).")
    long maxImagePixels;

    @Option(names = "--no-overlay", description = "Skip the colour and overlay pictures (label maps only).")
    boolean noOverlay;

    @Override
    public Integer call() {
        if (confidence != null && !confidence.equals("png") && !confidence.equals("npy")) {
            throw new ConfigException("--confidence must be png or npy, got '" + confidence + "'");
        }
        PluginEnvironment env = plugins.environment();
        MsegConfig cfg = inference.config(env);
        Path ckpt = inference.checkpoint();
        CheckpointMetadata meta = Checkpoints.read(ckpt);
        CheckpointOption.missingPlugins(ckpt, meta, env)
                .ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
        InferenceSettings settings = inference.settings(cfg);
        String window = "";
        if (inference.windowFromCheckpoint()) {
            int[] crop = InferenceOptions.trainingCrop(meta).orElse(null);
            if (crop != null) {
                settings = settings.withCrop(crop[0], crop[1]);
                window = " (the checkpoint's training crop; --crop N to change)";
            }
        }
        TaxonomyConverter converter = TaxonomyConverter.of(env);
        ClassProjection projection;
        List<String> names;
        if (taxonomy == null || taxonomy.equals(meta.taxonomy())) {
            projection = ClassProjection.identity(meta.numClasses());
            names = meta.classNames();
        } else {
            TaxonomyDefinition target = converter.taxonomy(taxonomy);
            TaxonomyDefinition model = converter.taxonomy(meta.taxonomy());
            projection = switch (model.kind()) {
                case UNIVERSAL -> ClassProjection.of(converter.universalToTest(target.name()));
                case NAIVE -> ClassProjection.of(converter.naiveToTest(target.name()));
                default -> throw new ConfigException("--taxonomy " + taxonomy + ": a model of taxonomy '"
                        + meta.taxonomy() + "' predicts only its own classes; --taxonomy needs a universal or naive"
                        + " model");
            };
            names = target.classNames();
        }
        boolean[] allowed = classes == null ? null : allowed(classes, names);
        List<Path> images = new ArrayList<>();
        List<Path> videos = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        collect(images, videos, failures);
        int inputCount = images.size() + videos.size() + failures.size();
        List<Path> inputs = new ArrayList<>(images);
        inputs.addAll(videos);
        List<String> stems = outputStems(inputs); // images first, then videos, as in 'inputs'

        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        createOutputFolder(out);
        Palette palette = Palette.standard();
        try (LoadedModel model = LoadedModel.open(ckpt, settings.cropHeight(), settings.cropWidth(), env.models())) {
            Segmenter segmenter = new Segmenter(model, projection, settings);
            w.printf(Locale.ROOT, "model %s (%s, %d classes) -> %d %s classes; base %s, scales %s, window %d x %d%s%n",
                    ckpt.toAbsolutePath(), meta.arch() + " " + meta.variant(), meta.numClasses(), names.size(),
                    taxonomy == null ? meta.taxonomy() : taxonomy, settings.baseTag(), settings.scales(),
                    settings.cropHeight(), settings.cropWidth(), window);
            w.flush();
            long t0 = System.nanoTime();
            int done = 0;
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                long s0 = System.nanoTime();
                // The header is checked before decoding: a huge or truncated file is a listed failure, not an OOM.
                try (Mat bgr = ImageFiles.read(image, "image", IMREAD_COLOR, maxImagePixels)) {
                    Prediction p = segmenter.predict(bgr, allowed);
                    String stem = stems.get(i);
                    writeOutputs(stem, bgr, p, names, palette);
                    w.printf(Locale.ROOT, "%s -> %s_*.png (%.2f s; %s)%n", image, out.resolve(stem).toAbsolutePath(),
                            (System.nanoTime() - s0) / 1e9, topClasses(p, names));
                    w.flush();
                    done++;
                } catch (MsegException e) {
                    failures.add(new Failure(image, e.getMessage()));
                    err.println("FAILED " + image + ": " + e.getMessage());
                    err.flush();
                }
            }
            if (done > 1) {
                double sec = (System.nanoTime() - t0) / 1e9;
                w.printf(Locale.ROOT, "%d images in %.1f s: %.2f images/s%n", done, sec, done / sec);
            }
            for (int i = 0; i < videos.size(); i++) {
                Path video = videos.get(i);
                try {
                    video(video, stems.get(images.size() + i), segmenter, names, palette, allowed, w);
                } catch (MsegException e) {
                    failures.add(new Failure(video, e.getMessage()));
                    err.println("FAILED " + video + ": " + e.getMessage());
                    err.flush();
                }
            }
        }
        w.flush();
        if (!failures.isEmpty()) {
            err.printf(Locale.ROOT, "%d of %d inputs failed (the others were written to %s):%n", failures.size(),
                    inputCount, out.toAbsolutePath());
            for (Failure f : failures) {
                err.printf(Locale.ROOT, "  %s: %s%n", f.input(), f.reason());
            }
            err.flush();
            return MsegCommand.FAILURE;
        }
        w.flush();
        return MsegCommand.OK;
    }

    /** An input that could not be processed, and why. */
    record Failure(Path input, String reason) {
    }

    /** Sorts the inputs into images and videos; a missing or unknown input is a failure, and the others still run. */
    private void collect(List<Path> images, List<Path> videos, List<Failure> failures) {
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                List<Path> found;
                try (Stream<Path> s = Files.list(in)) {
                    found = s.filter(p -> Files.isRegularFile(p) && IMAGE_EXTENSIONS.contains(extension(p)))
                            .sorted(Comparator.comparing(Path::toString)).toList();
                } catch (IOException e) {
                    failures.add(new Failure(in, "cannot list the folder: " + e.getMessage()));
                    continue;
                }
                if (found.isEmpty()) {
                    failures.add(new Failure(in, "the folder holds no images (" + String.join(", ",
                            IMAGE_EXTENSIONS.stream().sorted().toList()) + ")"));
                }
                images.addAll(found);
            } else if (!Files.isRegularFile(in)) {
                failures.add(new Failure(in, "does not exist"));
            } else if (VIDEO_EXTENSIONS.contains(extension(in))) {
                videos.add(in);
            } else if (IMAGE_EXTENSIONS.contains(extension(in))) {
                images.add(in);
            } else {
                failures.add(new Failure(in, "neither an image (" + String.join(", ",
                        IMAGE_EXTENSIONS.stream().sorted().toList()) + ") nor a video (" + String.join(", ",
                        VIDEO_EXTENSIONS.stream().sorted().toList()) + ")"));
            }
        }
    }

    /** Creates {@code --out}; an existing regular file there is a usage error that says so. */
    static void createOutputFolder(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ConfigException("--out " + out.toAbsolutePath() + " is a file; --out must be a folder (it is"
                    + " created if missing). Name another path or move the file away.");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new MsegException("cannot create the output folder " + out.toAbsolutePath() + ": " + e
                    + ". Pass --out with a folder you can write to.", e);
        }
    }

    /** The classes named by {@code --classes}, as names or ids of the output taxonomy. */
    static boolean[] allowed(List<String> wanted, List<String> names) {
        boolean[] allowed = new boolean[names.size()];
        for (String raw : wanted) {
            String c = raw.trim();
            int id = names.indexOf(c);
            if (id < 0 && c.matches("\\d+")) {
                id = Integer.parseInt(c);
                if (id >= names.size()) {
                    throw new ConfigException("--classes: id " + c + " is outside 0.." + (names.size() - 1));
                }
            }
            if (id < 0) {
                throw new ConfigException("--classes: unknown class '" + c + "'" + Names.closest(c, names)
                        .map(n -> " — did you mean " + n + "?").orElse("") + " ('mseg-cli taxonomy show NAME' lists"
                        + " the classes)");
            }
            allowed[id] = true;
        }
        return allowed;
    }

    private void writeOutputs(String stem, Mat bgr, Prediction p, List<String> names, Palette palette) {
        try (Mat label = p.labelMat()) {
            write(out.resolve(stem + "_gray.png"), label);
            if (!noOverlay) {
                try (Mat colour = palette.colorize(label);
                        Mat legend = Legend.withLegend(colour, label, names, palette);
                        Mat overlay = Overlay.draw(bgr, label, names, palette, 0.5)) {
                    write(out.resolve(stem + "_color.png"), legend);
                    // PNG: JPEG smears the label colours and the names drawn on them.
                    write(out.resolve(stem + "_overlay.png"), overlay);
                }
            }
        }
        if ("png".equals(confidence)) {
            try (Mat c16 = new Mat(p.height(), p.width(), CV_16UC1)) {
                ShortBuffer b = c16.createBuffer();
                float[] conf = p.confidence();
                for (int i = 0; i < conf.length; i++) {
                    b.put(i, (short) Math.round(Math.min(1f, Math.max(0f, conf[i])) * 65535f));
                }
                write(out.resolve(stem + "_confidence.png"), c16);
            }
        } else if ("npy".equals(confidence)) {
            Npy.write(out.resolve(stem + "_confidence.npy"), NpyArray.of(p.confidence(), p.height(), p.width()));
        }
    }

    private void video(Path video, String stem, Segmenter segmenter, List<String> names, Palette palette, boolean[] allowed,
            PrintWriter w) {
        try (FfmpegVideoReader reader = FfmpegVideoReader.open(video)) {
            double fps = reader.fps();
            if (!(fps > 0) || fps > 240) {
                fps = 30;
            }
            long total = reader.frameCount();
            Path target = out.resolve(stem + "_overlay.mp4").toAbsolutePath();
            Path tmp = out.resolve("." + stem + "_overlay.tmp.mp4").toAbsolutePath();
            FfmpegVideoWriter writer = null;
            long frames = 0;
            long t0 = System.nanoTime();
            ConsoleProgress.Mode progress = ConsoleProgress.mode(spec);
            ProgressBar bar = progress == ConsoleProgress.Mode.BAR && total > 0
                    ? ConsoleProgress.startBar(stem, total, 500) : null;
            try (Mat frame = new Mat()) {
                while (reader.read(frame)) {
                    Prediction p = segmenter.predict(frame, allowed);
                    try (Mat label = p.labelMat(); Mat overlay = Overlay.draw(frame, label, names, palette, 0.5)) {
                        if (writer == null) {
                            writer = FfmpegVideoWriter.open(tmp, "mp4", overlay.cols(), overlay.rows(), fps);
                        }
                        writer.write(overlay);
                    }
                    frames++;
                    double rate = frames / ((System.nanoTime() - t0) / 1e9);
                    if (bar != null) {
                        bar.stepTo(Math.min(frames, total));
                        bar.setExtraMessage(String.format(Locale.ROOT, " %.2f frames/s", rate));
                    } else if (progress == ConsoleProgress.Mode.LINES && frames % 25 == 0) {
                        w.printf(Locale.ROOT, "%s: %d%s frames, %.2f frames/s%n", video, frames,
                                total > 0 ? "/" + total : "", rate);
                        w.flush();
                    }
                }
            } catch (RuntimeException e) {
                if (writer != null) {
                    try {
                        writer.close();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                try {
                    Files.deleteIfExists(tmp); // no half-written video left behind
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            if (writer != null) {
                writer.close();
            }
            if (frames == 0) {
                throw new DatasetException("video " + video + " has no readable frames");
            }
            try {
                AtomicFiles.replace(tmp, target);
            } catch (IOException e) {
                throw new MsegException("cannot move " + tmp + " to " + target + ": " + e.getMessage(), e);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            w.printf(Locale.ROOT, "%s -> %s (%s, %d frames in %.1f s: %.2f frames/s)%n", video, target,
                    writer.describe(), frames, sec, frames / sec);
            w.flush();
        }
    }

    private static void write(Path file, Mat image) {
        ImageFiles.write(file, image);
    }

    /** The three largest classes of a prediction, for the log line. */
    static String topClasses(Prediction p, List<String> names) {
        long[] counts = new long[256];
        for (byte b : p.labels()) {
            counts[b & 0xFF]++;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (counts[i] > 0) {
                ids.add(i);
            }
        }
        ids.sort((a, b) -> Long.compare(counts[b], counts[a]));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(3, ids.size()); i++) {
            parts.add(String.format(Locale.ROOT, "%s %.0f%%", names.get(ids.get(i)),
                    100.0 * counts[ids.get(i)] / p.labels().length));
        }
        return String.join(", ", parts);
    }

    /**
     * The output name of each input, in order: its stem ({@code street} for {@code street.jpg}), or, where inputs share
     * a stem ({@code a.jpg} and {@code a.png}, or {@code a.jpg} in two folders), its file name with the extension,
     * then {@code -2}, {@code -3}, ... so that no input's outputs overwrite another's.
     */
    static List<String> outputStems(List<Path> inputs) {
        Map<String, Integer> perStem = new HashMap<>();
        inputs.forEach(p -> perStem.merge(stem(p), 1, Integer::sum));
        Set<String> used = new HashSet<>();
        List<String> stems = new ArrayList<>();
        for (Path p : inputs) {
            String base = perStem.get(stem(p)) > 1 ? p.getFileName().toString() : stem(p);
            String name = base;
            for (int n = 2; !used.add(name); n++) {
                name = base + "-" + n;
            }
            stems.add(name);
        }
        return stems;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
