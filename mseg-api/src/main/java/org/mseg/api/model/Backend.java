package org.mseg.api.model;

/**
 * The compute backend a model or strategy is built into (for MSeg's engine: a TensorFlow graph). The API stays free
 * of backend types; providers ask for the backend's own object with {@link #unwrap(Class)}.
 */
public interface Backend {

    /** Backend name, e.g. {@code tensorflow}. */
    String name();

    /**
     * The backend object of the given type.
     *
     * @throws IllegalArgumentException if this backend offers no object of that type
     */
    <T> T unwrap(Class<T> type);
}
