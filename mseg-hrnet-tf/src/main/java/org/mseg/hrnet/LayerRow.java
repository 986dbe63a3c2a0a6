package org.mseg.hrnet;

import java.util.Objects;

/**
 * One row of the model summary: a block of the network (named by its PyTorch module path where it has one), what it
 * is, the shape of its output for a given input size (NHWC without the batch dimension), and its trainable
 * parameters.
 *
 * @param name       e.g. {@code layer1.0}, {@code stage3.2.fuse_layers.1}, {@code last_layer.3}
 * @param kind       human-readable description, e.g. {@code Bottleneck (projection)}
 * @param height     output height
 * @param width      output width
 * @param channels   output channels
 * @param parameters trainable scalars of the block (BN running statistics excluded)
 */
public record LayerRow(String name, String kind, int height, int width, int channels, long parameters) {

    /** Checks the components. */
    public LayerRow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (parameters < 0) {
            throw new IllegalArgumentException("parameters must not be negative, was " + parameters);
        }
    }

    /** The output shape as {@code HxWxC}, e.g. {@code 179x179x48}. */
    public String outputShape() {
        return height + "x" + width + "x" + channels;
    }
}
