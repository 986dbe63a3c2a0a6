package org.mseg.api.model;

import java.util.Objects;

/**
 * One row of a model's layer table ({@code mseg-cli model summary}).
 *
 * @param name        block name, e.g. {@code stage3.2.fuse_layers.1}
 * @param kind        what the block is
 * @param outputShape output shape without the batch dimension, e.g. {@code 179x179x48}
 * @param parameters  trainable scalars of the block
 */
public record LayerSummary(String name, String kind, String outputShape, long parameters) {
    public LayerSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outputShape, "outputShape");
    }
}
