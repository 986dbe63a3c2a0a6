package org.mseg.mgda;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;

/**
 * The MGDA settings of one run.
 *
 * @param mode           which gradients the Gram matrix is built from ({@value #MODE_KEY}, default {@code params})
 * @param normalization  how per-dataset gradients are rescaled before solving ({@value #NORMALIZATION_KEY}, default
 *                       {@code none}, as MSeg)
 */
public record MgdaOptions(MgdaMode mode, GradientNormalization normalization) {

    /** Configuration key of {@link #mode()}. */
    public static final String MODE_KEY = "TRAIN.mgda_mode";
    /** Configuration key of {@link #normalization()}. */
    public static final String NORMALIZATION_KEY = "TRAIN.mgda_normalization";

    /** Every key {@link #fromMap} reads. */
    public static final Set<String> KEYS = Set.copyOf(orderedKeys());

    /** Checks for nulls. */
    public MgdaOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(normalization, "normalization");
    }

    /** MSeg's settings: {@code params} mode, no normalisation. */
    public static MgdaOptions defaults() {
        return new MgdaOptions(MgdaMode.DEFAULT, GradientNormalization.DEFAULT);
    }

    /**
     * Reads the options from resolved configuration values keyed {@code SECTION.key} ({@code TRAIN.mgda_mode}) or by
     * the bare key ({@code mgda_mode}), as the engine passes them. Absent keys, {@code null} and blank values take the
     * defaults. Keys outside the {@code mgda_} namespace belong to other components and are left to the configuration
     * schema.
     *
     * @throws ConfigException if an {@code mgda_} key is unknown (with a "did you mean" hint) or a value is not one of
     *     the valid names; the message names the key and the valid values
     */
    public static MgdaOptions fromMap(Map<String, ?> options) {
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            String key = e.getKey();
            String qualified = key.startsWith("TRAIN.") ? key : "TRAIN." + key;
            if (KEYS.contains(qualified)) {
                Object value = e.getValue();
                if (value == null || value instanceof String text && text.isBlank()) {
                    continue;
                }
                if (!(value instanceof String text)) {
                    throw new ConfigException(qualified + " must be a name, got " + value.getClass().getSimpleName()
                            + " '" + value + "'");
                }
                if (values.put(qualified, text.trim()) != null) {
                    throw new ConfigException(qualified + " is given twice (as " + qualified + " and as "
                            + qualified.substring("TRAIN.".length()) + ")");
                }
            } else if (qualified.substring(qualified.indexOf('.') + 1).startsWith("mgda_")) {
                String hint = Names.closest(qualified, KEYS).map(k -> " — did you mean " + k + "?").orElse("");
                throw new ConfigException("unknown MGDA option " + key + hint + " (known: " + orderedKeys() + ")");
            }
        }
        MgdaMode mode = MgdaMode.DEFAULT;
        if (values.containsKey(MODE_KEY)) {
            String name = values.get(MODE_KEY);
            try {
                mode = MgdaMode.fromConfigName(name);
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(MODE_KEY + ": " + ex.getMessage() + hint(name, MgdaMode.configNames()), ex);
            }
        }
        GradientNormalization normalization = GradientNormalization.DEFAULT;
        if (values.containsKey(NORMALIZATION_KEY)) {
            String name = values.get(NORMALIZATION_KEY);
            try {
                normalization = GradientNormalization.fromConfigName(name);
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(NORMALIZATION_KEY + ": " + ex.getMessage()
                        + hint(name, GradientNormalization.configNames()), ex);
            }
        }
        return new MgdaOptions(mode, normalization);
    }

    private static String hint(String name, java.util.List<String> valid) {
        return Names.closest(name, valid).map(n -> " — did you mean " + n + "?").orElse("");
    }

    private static Set<String> orderedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        keys.add(MODE_KEY);
        keys.add(NORMALIZATION_KEY);
        return keys;
    }
}
