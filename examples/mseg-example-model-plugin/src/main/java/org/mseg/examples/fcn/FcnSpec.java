package org.mseg.examples.fcn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.api.ConfigException;
import org.mseg.api.model.ModelSpec;

/**
 * The shape of an {@code example-fcn} network: its variant (the number of 3×3 layers) and its width.
 *
 * @param variant {@code small} (four 3×3 layers) or {@code tiny} (three)
 * @param width   channels of the first layer ({@code TRAIN.fcn_width}); the layers at 1/2 and 1/4 resolution have
 *                twice as many
 */
record FcnSpec(String variant, int width) {

    /** The variants, the default first. */
    static final List<String> VARIANTS = List.of("small", "tiny");

    /** The configuration key of the width, as declared by the provider. */
    static final String WIDTH_KEY = "TRAIN.fcn_width";

    /** The width when {@code TRAIN.fcn_width} is unset. */
    static final int DEFAULT_WIDTH = 16;

    /** The largest width accepted; far beyond what the example is for. */
    static final int MAX_WIDTH = 1024;

    /**
     * One 3×3 convolution + batch norm + ReLU.
     *
     * @param index  1-based layer number, used in the variable names ({@code conv<i>.weight}, {@code bn<i>.gamma})
     * @param in     input channels
     * @param out    output channels
     * @param stride 1, or 2 to halve the resolution
     */
    record Layer(int index, int in, int out, int stride) {
        /** Trainable scalars: the kernel and the batch norm's gamma and beta. */
        long parameters() {
            return 9L * in * out + 2L * out;
        }
    }

    /** Validates the fields. */
    FcnSpec {
        if (!VARIANTS.contains(variant)) {
            throw unknownVariant(variant);
        }
        if (width < 1 || width > MAX_WIDTH) {
            throw new ConfigException(WIDTH_KEY + " must be a whole number in 1.." + MAX_WIDTH + ", was " + width);
        }
    }

    /** The spec of a variant with the default width. */
    static FcnSpec named(String variant) {
        return new FcnSpec(variant, DEFAULT_WIDTH);
    }

    /**
     * The shape a model spec asks for: its variant and {@code fcn_width} from its parameters (a training run passes
     * the key without its section, a checkpoint stores it so; {@code TRAIN.fcn_width} is accepted too).
     *
     * @throws ConfigException naming the key if the spec is not for this provider, the variant is unknown, a
     *                         parameter is unknown or the width is not a whole number in range
     */
    static FcnSpec of(ModelSpec spec) {
        if (!spec.arch().equals(FcnModelProvider.NAME)) {
            throw new ConfigException("model spec names arch '" + spec.arch() + "', not '" + FcnModelProvider.NAME
                    + "'");
        }
        if (!VARIANTS.contains(spec.variant())) {
            throw unknownVariant(spec.variant());
        }
        int width = DEFAULT_WIDTH;
        for (Map.Entry<String, Object> e : spec.parameters().entrySet()) {
            String key = e.getKey();
            if (!key.equals(WIDTH_KEY) && !WIDTH_KEY.equals("TRAIN." + key)) {
                throw new ConfigException("arch '" + FcnModelProvider.NAME + "' has no parameter '" + key
                        + "'; its only configuration key is " + WIDTH_KEY);
            }
            width = width(e.getValue(), width);
        }
        return new FcnSpec(spec.variant(), width);
    }

    private static int width(Object value, int fallback) {
        if (value == null || value instanceof String s && s.isBlank()) {
            return fallback;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) <= MAX_WIDTH) {
                return (int) d;
            }
        } else if (value instanceof String s) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new ConfigException(WIDTH_KEY + " must be a whole number in 1.." + MAX_WIDTH + ", was '" + value + "'");
    }

    private static ConfigException unknownVariant(String variant) {
        return new ConfigException("TRAIN.variant '" + variant + "' is not a variant of arch '"
                + FcnModelProvider.NAME + "'; its variants: " + String.join(", ", VARIANTS));
    }

    /** What a checkpoint stores to rebuild this network. */
    Map<String, Object> toParameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fcn_width", (long) width); // Long: what checkpoint.json reads an integer back as
        return out;
    }

    /** The 3×3 layers: full resolution, 1/2, 1/4, and for {@code small} one more at 1/4. */
    List<Layer> layers() {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer(1, 3, width, 1));
        layers.add(new Layer(2, width, 2 * width, 2));
        layers.add(new Layer(3, 2 * width, 2 * width, 2));
        if (variant.equals("small")) {
            layers.add(new Layer(4, 2 * width, 2 * width, 1));
        }
        return layers;
    }

    /** Channels of the representation (the features the classifier reads). */
    int featureChannels() {
        return 2 * width;
    }

    /** Trainable scalars of the backbone (the 3×3 layers). */
    long backboneParameters() {
        return layers().stream().mapToLong(Layer::parameters).sum();
    }

    /** Trainable scalars of the 1×1 classifier: weight and bias. */
    long headParameters(int numClasses) {
        return (long) featureChannels() * numClasses + numClasses;
    }
}
