package org.mseg.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one step, for logging and the non-finite-loss check.
 *
 * @param loss          the value minimised (standard: mean of the dataset losses; MGDA: Σ α_d L_d)
 * @param datasetLosses mean cross-entropy per dataset, in slice order
 * @param extras        strategy scalars by name, logged and written to TensorBoard (e.g. {@code alpha/ade20k})
 */
public record StepOutcome(double loss, Map<String, Double> datasetLosses, Map<String, Double> extras) {

    /** Copies the maps, keeping their order. */
    public StepOutcome {
        datasetLosses = Collections.unmodifiableMap(new LinkedHashMap<>(datasetLosses));
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }
}
