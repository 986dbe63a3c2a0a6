package org.mseg.api.model;

/**
 * A segmentation model built into a {@link Backend}: input images to per-pixel class logits at input resolution.
 * Backend-specific handles (tensors, variables) are reached through {@link #unwrap(Class)}.
 */
public interface SegmentationModel {

    /** What was built. */
    ModelSpec spec();

    /** Number of trainable scalars. */
    long trainableParameterCount();

    /**
     * The backend-specific view of this model.
     *
     * @throws IllegalArgumentException if the model has no view of that type
     */
    <T> T unwrap(Class<T> type);
}
