package org.mseg.api.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to build: an architecture, one of its variants, the number of output classes, and the provider's own
 * parameters.
 *
 * <p>The parameters are the provider's to define. For a training run they are the resolved values of the provider's
 * {@link ModelProvider#configKeys() configuration keys} (flat key → value); for a checkpoint they are what
 * {@link ModelProvider#checkpointParameters} returned when it was written, so a provider can rebuild exactly the
 * network it saved. Values are JSON-typed (strings, numbers, booleans, lists and maps of them).
 *
 * @param arch       architecture name ({@code TRAIN.arch}), e.g. {@code hrnet}
 * @param variant    variant of the architecture, e.g. {@code w48} or {@code tiny}
 * @param numClasses number of logits
 * @param parameters the provider's own parameters, possibly empty
 */
public record ModelSpec(String arch, String variant, int numClasses, Map<String, Object> parameters) {

    /** Validates and copies the parameters (keeping their order). */
    public ModelSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(variant, "variant");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A spec without provider parameters: the provider's defaults for the variant. */
    public ModelSpec(String arch, String variant, int numClasses) {
        this(arch, variant, numClasses, Map.of());
    }

    /** This spec with another number of classes. */
    public ModelSpec withNumClasses(int classes) {
        return new ModelSpec(arch, variant, classes, parameters);
    }
}
