package org.mseg.engine;

import java.util.Map;
import org.mseg.api.model.Backend;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;

/** Registers {@link StandardStrategy} as {@code --strategy standard}. */
public final class StandardStrategyProvider implements TrainingStrategyProvider {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public StandardStrategyProvider() {
    }

    @Override
    public String name() {
        return StandardStrategy.NAME;
    }

    @Override
    public String description() {
        return "all datasets in one batch, mean of the per-dataset losses, SGD (MSeg's default)";
    }

    @Override
    public TrainingStrategy create(Map<String, Object> options, Backend backend) {
        return new StandardStrategy();
    }
}
