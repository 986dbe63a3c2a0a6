package org.mseg.mgda;

import java.util.Map;
import java.util.Set;
import org.mseg.api.model.Backend;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;

/**
 * Registers {@link MgdaStrategy} as {@code --strategy mgda}, configured by {@code TRAIN.mgda_mode}
 * ({@code params|rep}, default {@code params}) and {@code TRAIN.mgda_normalization}
 * ({@code none|l2|loss|loss+}, default {@code none}).
 */
public final class MgdaStrategyProvider implements TrainingStrategyProvider {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public MgdaStrategyProvider() {
    }

    @Override
    public String name() {
        return MgdaStrategy.NAME;
    }

    @Override
    public String description() {
        return "MGDA: per-dataset gradients weighted by the min-norm point of their convex hull (MSeg baseline)";
    }

    @Override
    public Set<String> configKeys() {
        return MgdaOptions.KEYS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.mseg.api.ConfigException if an option is unknown or invalid; names the key
     */
    @Override
    public TrainingStrategy create(Map<String, Object> options, Backend backend) {
        return new MgdaStrategy(MgdaOptions.fromMap(options));
    }
}
