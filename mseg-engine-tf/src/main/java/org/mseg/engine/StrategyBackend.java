package org.mseg.engine;

import org.mseg.api.model.Backend;
import org.mseg.engine.model.GraphBackend;

/**
 * The {@link Backend} the engine hands to {@link org.mseg.api.train.TrainingStrategyProvider#create}: it names the
 * engine ({@code tensorflow}) and offers no object, because a strategy receives its graph later, through
 * {@link GraphTrainingStrategy#build(StrategyContext)}.
 */
public final class StrategyBackend implements Backend {

    /** The one instance. */
    public static final StrategyBackend INSTANCE = new StrategyBackend();

    private StrategyBackend() {
    }

    @Override
    public String name() {
        return GraphBackend.NAME;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new IllegalArgumentException("the TensorFlow training engine gives strategies their graph through"
                + " GraphTrainingStrategy.build(StrategyContext), not through the backend (asked for "
                + type.getName() + "; the graph's Ops are in the context)");
    }
}
