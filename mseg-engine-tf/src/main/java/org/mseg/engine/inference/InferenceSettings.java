package org.mseg.engine.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mseg.api.ConfigException;
import org.mseg.api.config.MsegConfig;

/**
 * How images are run through a model (MSEG.md g.1–g.2): the shorter side resized to {@code scale · baseSize} for
 * each scale (0 = the image's own size), windows of {@code cropHeight × cropWidth}, horizontal-flip averaging, and
 * how many windows go through the model at once.
 *
 * @param baseSize     shorter side before scaling; {@link #NATIVE} keeps each image's own size, {@link #FIT} resizes
 *                     each image so that it fits one window (upstream's batched configs, whose {@code base_size} is
 *                     empty)
 * @param scales       scales of the base size; several = multi-scale, probabilities averaged
 * @param cropHeight   window height, {@code 8k + 1}
 * @param cropWidth    window width, {@code 8k + 1}
 * @param flip         average each window with its horizontal flip (always on upstream)
 * @param windowBatch  windows per model call (each doubled by its flip)
 */
public record InferenceSettings(int baseSize, List<Double> scales, int cropHeight, int cropWidth, boolean flip,
        int windowBatch) {

    /** {@code baseSize} value: run each image at its own size. */
    public static final int NATIVE = 0;
    /** {@code baseSize} value: shorter side {@code floor(short · crop / long)}, so the image fits one window. */
    public static final int FIT = -1;

    /** MSeg's multi-scale set. */
    public static final List<Double> MULTI_SCALE = List.of(0.5, 0.75, 1.0, 1.25, 1.5, 1.75);

    /** Validates and copies. */
    public InferenceSettings {
        if (baseSize < FIT) {
            throw new ConfigException("base_size must be positive, " + NATIVE + " (native size) or " + FIT
                    + " (fit one window), got " + baseSize);
        }
        scales = List.copyOf(scales);
        if (scales.isEmpty()) {
            throw new ConfigException("scales must list at least one scale");
        }
        for (double s : scales) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new ConfigException("scales must be positive numbers, got " + s);
            }
        }
        if (cropHeight < 9 || cropWidth < 9 || (cropHeight - 1) % 8 != 0 || (cropWidth - 1) % 8 != 0) {
            throw new ConfigException("test_h and test_w must be 8·k + 1 (e.g. 473, 593, 713), got " + cropHeight
                    + " × " + cropWidth);
        }
        if (windowBatch < 1) {
            throw new ConfigException("the window batch must be at least 1, got " + windowBatch);
        }
    }

    /** MSeg's single-scale default at a base size: 713 windows, flip on, one window per call. */
    public static InferenceSettings singleScale(int baseSize) {
        return new InferenceSettings(baseSize, List.of(1.0), 713, 713, true, 1);
    }

    /**
     * The settings of a test configuration ({@code TEST.base_size}, {@code test_h}, {@code test_w}, {@code scales},
     * {@code batch_size_val} as the window batch). An empty {@code base_size} (the batched configs) means
     * {@link #FIT}.
     */
    public static InferenceSettings fromConfig(MsegConfig config) {
        int base = config.has("base_size") && config.get("base_size") != null ? config.getInt("base_size") : FIT;
        List<Double> scales = new ArrayList<>();
        for (Object o : config.getList("scales")) {
            scales.add(((Number) o).doubleValue());
        }
        int batch = config.has("batch_size_val") ? Math.max(1, config.getInt("batch_size_val")) : 1;
        return new InferenceSettings(base, scales, config.getInt("test_h"), config.getInt("test_w"), true, batch);
    }

    /**
     * Parses a scale option: {@code ss} (1.0), {@code ms} (MSeg's six scales) or a comma-separated list.
     *
     * @throws ConfigException naming the option and the accepted forms
     */
    public static List<Double> parseScales(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("ss")) {
            return List.of(1.0);
        }
        if (t.equals("ms")) {
            return MULTI_SCALE;
        }
        List<Double> out = new ArrayList<>();
        for (String part : t.split(",")) {
            try {
                out.add(Double.parseDouble(part.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigException("--scales '" + text + "': '" + part.trim() + "' is not a number; use ss, ms"
                        + " or a list such as 0.5,1.0,1.5");
            }
        }
        return out;
    }

    /**
     * Parses a base-size option: a positive number, {@code native} (or 0) or {@code fit}.
     *
     * @throws ConfigException naming the accepted forms
     */
    public static int parseBaseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("native") || t.equals("0")) {
            return NATIVE;
        }
        if (t.equals("fit")) {
            return FIT;
        }
        try {
            int v = Integer.parseInt(t);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("--base-size '" + text + "': use a positive number (e.g. 360, 720, 1080), native"
                + " or fit");
    }

    /** The base size as folder names show it: the number, {@code native} or {@code fit}. */
    public String baseTag() {
        return baseSize == NATIVE ? "native" : baseSize == FIT ? "fit" : Integer.toString(baseSize);
    }

    /** {@code ss} for one scale, {@code ms} for several (upstream's folder names). */
    public String scaleTag() {
        return scales.size() == 1 ? "ss" : "ms";
    }

    /** A copy with another base size. */
    public InferenceSettings withBaseSize(int size) {
        return new InferenceSettings(size, scales, cropHeight, cropWidth, flip, windowBatch);
    }

    /** A copy with other scales. */
    public InferenceSettings withScales(List<Double> newScales) {
        return new InferenceSettings(baseSize, newScales, cropHeight, cropWidth, flip, windowBatch);
    }

    /** A copy with another window batch. */
    public InferenceSettings withWindowBatch(int batch) {
        return new InferenceSettings(baseSize, scales, cropHeight, cropWidth, flip, batch);
    }

    /** A copy with another crop. */
    public InferenceSettings withCrop(int height, int width) {
        return new InferenceSettings(baseSize, scales, height, width, flip, windowBatch);
    }

    /**
     * The size an image is resized to at one scale (upstream {@code resize_by_scaled_short_side}): the shorter side
     * becomes {@code round(scale · base)}, the longer side keeps the aspect ratio, both rounded like Python's
     * {@code round} (half to even).
     *
     * @return {@code {height, width}}
     */
    public int[] scaledSize(int height, int width, double scale) {
        int shortOrig = Math.min(height, width);
        int base = switch (baseSize) {
            case NATIVE -> shortOrig;
            case FIT -> (int) Math.floor((double) shortOrig * Math.min(cropHeight, cropWidth)
                    / Math.max(height, width));
            default -> baseSize;
        };
        int shortSide = (int) Math.rint(scale * base);
        if (shortSide < 1) {
            throw new ConfigException("scale " + scale + " of base size " + base + " leaves no pixels");
        }
        if (height > width) {
            return new int[] {(int) Math.rint(shortSide / (double) width * height), shortSide};
        }
        return new int[] {shortSide, (int) Math.rint(shortSide / (double) height * width)};
    }
}
