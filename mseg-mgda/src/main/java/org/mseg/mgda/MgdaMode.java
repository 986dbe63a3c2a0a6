package org.mseg.mgda;

import java.util.Arrays;
import java.util.List;

/** Which gradients the Gram matrix of the min-norm problem is built from ({@code TRAIN.mgda_mode}). */
public enum MgdaMode {
    /**
     * {@code params}: each dataset's gradient w.r.t. every trainable variable, as MSeg does it (every parameter is
     * shared; there are no task-specific heads).
     */
    PARAMS("params"),
    /**
     * {@code rep}: MGDA-UB, each dataset's gradient w.r.t. the model's shared representation (the feature map before
     * the classifier); cheaper, and an upper bound of the parameter problem. The update is still
     * {@code Σ α_d ∇θ L_d}.
     */
    REP("rep");

    /** MSeg's mode. */
    public static final MgdaMode DEFAULT = PARAMS;

    private final String configName;

    MgdaMode(String configName) {
        this.configName = configName;
    }

    /**
     * The name used in configuration files.
     *
     * @return {@code params} or {@code rep}
     */
    public String configName() {
        return configName;
    }

    /**
     * All configuration names.
     *
     * @return the names in declaration order, immutable
     */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(MgdaMode::configName).toList();
    }

    /**
     * Looks a mode up by its configuration name.
     *
     * @param name {@code params} or {@code rep}
     * @return the mode
     * @throws IllegalArgumentException for any other name; the message lists the valid names
     */
    public static MgdaMode fromConfigName(String name) {
        for (MgdaMode m : values()) {
            if (m.configName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown MGDA mode " + (name == null ? "null" : "'" + name + "'")
                + "; valid names: " + String.join(", ", configNames()));
    }
}
