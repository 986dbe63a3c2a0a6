package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.json.Json;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.inference.ClassProjection;
import org.mseg.engine.inference.InferenceSettings;
import org.mseg.engine.inference.SlidingWindow;
import org.mseg.engine.inference.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mseg-cli bench infer}: single-scale inference throughput of a model (random weights) on a synthetic image,
 * at several base sizes, with the full inference path (resize, padding, sliding windows, flips, softmax, resize back,
 * arg-max). The baseline measured in the same run is one bare forward pass of one window.
 */
@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Images/s of MSeg's single-scale inference (windows + flips + softmax + resize back) per base"
                + " size, for a model (--arch, default hrnet w48) with random weights on a synthetic image, beside one"
                + " bare forward pass of one window measured in the same run."})
final class BenchInferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PluginOptions plugins;

    @Mixin
    ModelOptions model;

    @Option(names = "--num-classes", defaultValue = "194", paramLabel = "N",
            description = "Classes (default: ${DEFAULT-VALUE}).")
    int numClasses;

    @Option(names = "--image", defaultValue = "1080x1920", paramLabel = "HxW",
            description = "Synthetic image size (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--base", defaultValue = "360,720,1080", split = ",", paramLabel = "N[,N...]",
            hideParamSyntax = true,
            description = "Base sizes (shorter side) to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> bases;

    @Option(names = "--crop", defaultValue = "713", paramLabel = "N", description = "Window (default: 713).")
    int crop;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Windows per model call, each with its flip (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--images", defaultValue = "2", paramLabel = "N",
            description = "Timed images per base size (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        ModelProvider provider = model.provider(plugins.environment());
        ModelSpec modelSpec = model.spec(provider, numClasses);
        ModelOptions.checkInputSize(provider, modelSpec, "--crop", crop, crop);
        int[] hw = ModelCommand.size("--image", image);
        if (images < 1) {
            throw new ConfigException("--images must be at least 1, got " + images);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("arch", provider.name());
        out.put("variant", modelSpec.variant());
        out.put("num_classes", numClasses);
        out.put("image", List.of(hw[0], hw[1]));
        out.put("crop", crop);
        out.put("window_batch", batch);
        out.put("processors", Runtime.getRuntime().availableProcessors());
        ModelCommand.Bench.loadAverage().ifPresent(l -> out.put("load_average_before", l));
        PrintWriter w = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (LoadedModel model = LoadedModel.random(provider, modelSpec, crop, crop, 1L);
                Mat bgr = syntheticImage(hw[0], hw[1])) {
            float[] window = new float[crop * crop * 3];
            Random rnd = new Random(3);
            for (int i = 0; i < window.length; i++) {
                window[i] = (float) rnd.nextGaussian();
            }
            model.logits(window, 1); // warm-up: graph optimisation
            double forward = median(timed(() -> model.logits(window, 1), images + 1));
            float[] pair = new float[2 * window.length * batch];
            model.logits(pair, 2 * batch); // warm-up of the batch shape the segmenter feeds
            out.put("forward_s_per_window", forward);
            for (int base : bases) {
                InferenceSettings s = new InferenceSettings(base, List.of(1.0), crop, crop, true, batch);
                Segmenter seg = new Segmenter(model, ClassProjection.identity(numClasses), s);
                int[] scaled = s.scaledSize(hw[0], hw[1], 1.0);
                int windows = SlidingWindow.grid(Math.max(scaled[0], crop), Math.max(scaled[1], crop), crop, crop)
                        .size();
                double perImage = median(timed(() -> seg.predict(bgr), images));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("base_size", base);
                r.put("scaled", List.of(scaled[0], scaled[1]));
                r.put("windows", windows);
                r.put("forward_passes", windows * 2);
                r.put("s_per_image", perImage);
                r.put("images_per_second", 1 / perImage);
                r.put("ratio_to_bare_forward", perImage / forward);
                r.put("overhead_vs_forwards", perImage / (forward * windows * 2));
                rows.add(r);
                if (!json) {
                    w.printf(Locale.ROOT, "base %4d: %dx%d, %d windows (%d passes with flips): %.2f s/image,"
                            + " %.3f images/s, %.2f× one bare forward, %.2f× its passes%n", base, scaled[0],
                            scaled[1], windows, windows * 2, perImage, 1 / perImage, perImage / forward,
                            perImage / (forward * windows * 2));
                    w.flush();
                }
            }
        }
        out.put("results", rows);
        ModelCommand.Bench.loadAverage().ifPresent(l -> out.put("load_average_after", l));
        if (json) {
            w.println(Json.write(out, false));
        } else {
            w.printf(Locale.ROOT, "baseline: one bare %dx%d forward pass (batch 1) = %.2f s%n", crop, crop,
                    (Double) out.get("forward_s_per_window"));
        }
        w.flush();
        return MsegCommand.OK;
    }

    private static List<Double> timed(Runnable r, int n) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        return times;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A smooth synthetic street-like image (gradients and blocks), deterministic. */
    static Mat syntheticImage(int h, int w) {
        Mat m = new Mat(h, w, CV_8UC3);
        ByteBuffer b = m.createBuffer();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                boolean sky = y < h / 3;
                boolean block = ((x / 97) + (y / 61)) % 3 == 0;
                b.put(i, (byte) (sky ? 200 : block ? 60 : 110 + (x % 50)));
                b.put(i + 1, (byte) (sky ? 160 : block ? 70 : 110));
                b.put(i + 2, (byte) (sky ? 120 : block ? 150 : 100 + (y % 40)));
            }
        }
        return m;
    }
}
