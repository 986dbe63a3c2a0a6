package org.mseg.ccsa;

import java.util.Map;
import java.util.Set;
import org.mseg.api.model.Backend;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;

/**
 * Registers {@link CcsaStrategy} as {@code --strategy ccsa}, configured by {@code TRAIN.ccsa_alpha},
 * {@code TRAIN.ccsa_num_pos_pairs}, {@code TRAIN.ccsa_margin} and {@code TRAIN.ccsa_neg_to_pos_ratio}.
 */
public final class CcsaStrategyProvider implements TrainingStrategyProvider {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public CcsaStrategyProvider() {
    }

    @Override
    public String name() {
        return CcsaStrategy.NAME;
    }

    @Override
    public String description() {
        return "CCSA: cross-dataset contrastive alignment of the representation plus cross-entropy (MSeg baseline)";
    }

    @Override
    public Set<String> configKeys() {
        return CcsaOptions.KEYS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.mseg.api.ConfigException if an option is unknown or invalid; names the key
     */
    @Override
    public TrainingStrategy create(Map<String, Object> options, Backend backend) {
        return new CcsaStrategy(CcsaOptions.fromMap(options));
    }
}
