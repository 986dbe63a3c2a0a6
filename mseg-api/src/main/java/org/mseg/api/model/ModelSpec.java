package org.mseg.api.model;

import java.util.Objects;

/**
 * What to build: an architecture, one of its variants, and the number of output classes.
 *
 * @param arch       architecture name ({@code TRAIN.arch}), e.g. {@code hrnet}
 * @param variant    variant of the architecture, e.g. {@code w48} or {@code tiny}
 * @param numClasses number of logits
 */
public record ModelSpec(String arch, String variant, int numClasses) {
    public ModelSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(variant, "variant");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
    }
}
