package org.mseg.api.train;

import java.util.Map;
import java.util.Set;
import org.mseg.api.Provider;
import org.mseg.api.model.Backend;

/**
 * Service provider interface for training strategies ({@code --strategy standard|mgda|ccsa}). Each step a strategy
 * receives one sub-batch per configured dataset; {@code standard} concatenates them, MGDA weighs per-dataset
 * gradients, CCSA adds a cross-dataset loss on the model's representation.
 *
 * <p>Providers are registered with {@code provides ... with ...} and a {@code META-INF/services} file and are found
 * by name. The strategy they create is backend-neutral here; MSeg's TensorFlow engine asks it for
 * {@code org.mseg.engine.GraphTrainingStrategy} through {@link TrainingStrategy#unwrap(Class)} and documents
 * the graph-building contract there. The {@code backend} passed to {@link #create} only names the engine
 * ({@code tensorflow}); the graph itself is handed to the strategy when the engine builds it.
 */
public interface TrainingStrategyProvider extends Provider {

    /**
     * Configuration keys (in {@code SECTION.key} form, e.g. {@code TRAIN.mgda_mode}) that this strategy reads, so that
     * configuration validation accepts them; empty by default.
     */
    default Set<String> configKeys() {
        return Set.of();
    }

    /**
     * Creates the strategy for one run.
     *
     * @param options the resolved values of {@link #configKeys()} (flat key → value)
     * @param backend the engine's backend
     * @throws org.mseg.api.ConfigException if an option value is invalid; names the key
     */
    TrainingStrategy create(Map<String, Object> options, Backend backend);
}
