package org.mseg.engine;

import org.mseg.api.train.TrainingStrategy;

/**
 * A training strategy of this engine: the API-side {@link TrainingStrategy} and its TensorFlow side
 * {@link GraphTrainingStrategy} in one object, which {@link #unwrap(Class)} hands out.
 */
public interface TensorFlowStrategy extends TrainingStrategy, GraphTrainingStrategy {

    /** This object when it is of the asked type ({@link GraphTrainingStrategy} for the engine). */
    @Override
    default <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new IllegalArgumentException("strategy '" + name() + "' offers " + GraphTrainingStrategy.class.getName()
                + ", not " + type.getName());
    }
}
