package org.mseg.api.model;

import java.util.List;
import org.mseg.api.Provider;

/**
 * Service provider interface for segmentation architectures, selected by {@link #name()} ({@code TRAIN.arch}).
 * Construction is cheap; the model itself is built on demand by {@link #create(ModelSpec, Backend)}.
 */
public interface ModelProvider extends Provider {

    /** The variants this architecture offers (e.g. widths), the default first. */
    List<String> variants();

    /** The backend this provider builds into, e.g. {@code tensorflow}. */
    String backend();

    /** Number of trainable parameters of a variant with the given number of classes, without building it. */
    long parameterCount(String variant, int numClasses);

    /**
     * The layer table of a model for an input of the given size, without training it; empty if the provider offers
     * none.
     *
     * @throws org.mseg.api.ConfigException if the variant is unknown or the input size is invalid for the model
     */
    default List<LayerSummary> summary(ModelSpec spec, int height, int width) {
        return List.of();
    }

    /**
     * Builds the model into the backend.
     *
     * @throws org.mseg.api.ConfigException if the variant is unknown; the message lists the known variants
     */
    SegmentationModel create(ModelSpec spec, Backend backend);
}
