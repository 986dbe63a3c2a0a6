package org.mseg.engine.model;

import java.util.Objects;
import org.mseg.api.model.Backend;
import org.tensorflow.op.Ops;

/**
 * The backend the TensorFlow engine hands to {@link org.mseg.api.model.ModelProvider#create}: the graph's root-scope
 * ops and the seed from which the model initialises its variables. Providers ask for it with
 * {@code backend.unwrap(GraphBackend.class)} (or for the {@link Ops} alone).
 *
 * @param tf   root-scope ops of the graph the model is built into
 * @param seed initialisation seed ({@code TRAIN.manual_seed}; 0 when unset)
 */
public record GraphBackend(Ops tf, long seed) implements Backend {

    /** The backend's name, as {@link org.mseg.api.model.ModelProvider#backend()} declares it. */
    public static final String NAME = "tensorflow";

    /** Checks for null. */
    public GraphBackend {
        Objects.requireNonNull(tf, "tf");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type == Ops.class) {
            return type.cast(tf);
        }
        throw new IllegalArgumentException("the TensorFlow engine's backend offers " + GraphBackend.class.getName()
                + " and " + Ops.class.getName() + ", not " + type.getName());
    }
}
