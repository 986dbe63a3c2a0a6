package org.mseg.api.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;

/**
 * Numeric precision of training ({@code TRAIN.precision}). Upstream MSeg expressed it with NVIDIA apex AMP's
 * {@code opt_level}; {@link #fromOptLevel(String)} maps the levels onto this enum so that old files keep their meaning.
 */
public enum Precision {
    /** Everything in 32-bit floats; apex {@code O0}, what the MSeg release models were trained with. */
    FP32("fp32", false),
    /** Mixed precision: float32 master weights, bfloat16 compute; no loss scaling needed. */
    BF16("bf16", true),
    /** Mixed precision: float32 master weights, float16 compute with dynamic loss scaling; apex {@code O1}/{@code O2}. */
    FP16("fp16", true),
    /** Pure float16: weights and compute in float16, no float32 master copy; apex {@code O3}. */
    FP16_PURE("fp16-pure", false);

    private final String configName;
    private final boolean mixed;

    Precision(String configName, boolean mixed) {
        this.configName = configName;
        this.mixed = mixed;
    }

    /** The value configuration files use ({@code fp32}, {@code bf16}, {@code fp16}, {@code fp16-pure}). */
    public String configName() {
        return configName;
    }

    /** Whether weights are kept in float32 while computing in a lower precision. */
    public boolean mixed() {
        return mixed;
    }

    /** The configuration names of all values, in declaration order. */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(Precision::configName).toList();
    }

    /**
     * The precision named by a {@code TRAIN.precision} value.
     *
     * @throws ConfigException if the name is unknown; the message lists the valid names
     */
    public static Precision fromConfigName(String name) {
        for (Precision p : values()) {
            if (p.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        String hint = Names.closest(name, configNames()).map(n -> " — did you mean " + n + "?").orElse("");
        throw new ConfigException("unknown precision '" + name + "'" + hint + " (valid: "
                + String.join(", ", configNames()) + ")");
    }

    /**
     * Maps an apex AMP {@code opt_level} onto a precision: {@code O0} → {@link #FP32}; {@code O1} and {@code O2}
     * (mixed precision with float32 master weights) → {@link #FP16}; {@code O3} (pure float16) → {@link #FP16_PURE}.
     *
     * @throws ConfigException if the level is not one of O0–O3
     */
    public static Precision fromOptLevel(String optLevel) {
        switch (optLevel.toUpperCase(Locale.ROOT)) {
            case "O0":
                return FP32;
            case "O1":
            case "O2":
                return FP16;
            case "O3":
                return FP16_PURE;
            default:
                throw new ConfigException("unknown opt_level '" + optLevel + "' (valid: O0, O1, O2, O3)");
        }
    }
}
