package org.mseg.api.train;

/**
 * A training strategy instantiated for one run: decides, each step, how the per-dataset sub-batches become a loss and
 * an update. The API stays free of backend types; the training engine defines the backend-specific contract and
 * reaches it through {@link #unwrap(Class)} (MSeg's TensorFlow engine asks for
 * {@code org.mseg.engine.GraphTrainingStrategy}).
 */
public interface TrainingStrategy {

    /** The strategy's name, as selected with {@code --strategy}. */
    String name();

    /**
     * The backend-specific implementation.
     *
     * @throws IllegalArgumentException if the strategy has no view of that type
     */
    <T> T unwrap(Class<T> type);
}
