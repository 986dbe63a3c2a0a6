package org.mseg.datasets.transform;

import java.util.Map;
import org.mseg.api.ConfigException;

/**
 * The transform parameters of an MSeg training config.
 *
 * @param shortSize   {@code short_size}: shorter side after {@link ResizeShort}
 * @param scaleMin    {@code scale_min} of {@link RandScale}
 * @param scaleMax    {@code scale_max} of {@link RandScale}
 * @param rotateMin   {@code rotate_min} of {@link RandRotate}, degrees
 * @param rotateMax   {@code rotate_max} of {@link RandRotate}, degrees
 * @param trainH      {@code train_h}: crop height
 * @param trainW      {@code train_w}: crop width
 * @param ignoreLabel {@code ignore_label}: label of padded and rotated-in pixels (255)
 */
public record TransformParams(int shortSize, double scaleMin, double scaleMax, double rotateMin, double rotateMax,
        int trainH, int trainW, int ignoreLabel) {

    /** The config keys read by {@link #fromConfig(Map)}. */
    public static final java.util.List<String> KEYS = java.util.List.of("short_size", "scale_min", "scale_max",
            "rotate_min", "rotate_max", "train_h", "train_w", "ignore_label");

    public TransformParams {
        check(shortSize >= 1, "short_size", shortSize, "a positive number of pixels");
        check(scaleMin > 0, "scale_min", scaleMin, "positive");
        check(scaleMax >= scaleMin, "scale_max", scaleMax, "at least scale_min (" + scaleMin + ")");
        check(rotateMax >= rotateMin, "rotate_max", rotateMax, "at least rotate_min (" + rotateMin + ")");
        check(trainH >= 1, "train_h", trainH, "a positive number of pixels");
        check(trainW >= 1, "train_w", trainW, "a positive number of pixels");
        check(ignoreLabel >= 0 && ignoreLabel <= 255, "ignore_label", ignoreLabel, "in 0..255 (8-bit labels)");
    }

    private static void check(boolean ok, String key, Object value, String requirement) {
        if (!ok) {
            throw new ConfigException("TRAIN." + key + " = " + value + " is invalid: it must be " + requirement + ".");
        }
    }

    /**
     * Reads the parameters from a config section holding MSeg's keys ({@link #KEYS}); other keys are left to their
     * owners.
     *
     * @throws ConfigException if a key is missing, not a number, not an integer where one is needed, or out of range
     */
    public static TransformParams fromConfig(Map<String, ?> config) {
        return new TransformParams(integer(config, "short_size"), number(config, "scale_min"),
                number(config, "scale_max"), number(config, "rotate_min"), number(config, "rotate_max"),
                integer(config, "train_h"), integer(config, "train_w"), integer(config, "ignore_label"));
    }

    private static double number(Map<String, ?> config, String key) {
        Object v = config.get(key);
        if (v == null) {
            throw new ConfigException("Missing TRAIN." + key + ". Add it to the config or pass --set TRAIN." + key
                    + "=<value>.");
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("TRAIN." + key + " = '" + v + "' is not a number.", e);
        }
    }

    private static int integer(Map<String, ?> config, String key) {
        double d = number(config, key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new ConfigException("TRAIN." + key + " = " + config.get(key) + " must be a whole number.");
        }
        return (int) d;
    }
}
