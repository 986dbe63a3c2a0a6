package org.mseg.api.train;

import java.util.Map;

/**
 * What one training step did, given to {@link TrainingListener#onStep}.
 *
 * @param iteration        number of completed steps after this one (1 for the first step)
 * @param maxIterations    the step at which training stops
 * @param loss             the value the strategy minimised this step
 * @param datasetLosses    mean cross-entropy over each dataset's non-ignored pixels, by dataset, in batch order
 * @param learningRate     the base learning rate used this step (before per-group multipliers)
 * @param cropsPerSecond   crops trained per second of wall time this step
 * @param dataWaitFraction share of this step's wall time spent waiting for the data loader, in [0, 1]
 * @param stepSeconds      wall time of the step in seconds (waiting for data included)
 * @param extras           strategy-specific scalars (e.g. MGDA's {@code alpha/<dataset>}); may be empty
 */
public record StepReport(long iteration, long maxIterations, double loss, Map<String, Double> datasetLosses,
        double learningRate, double cropsPerSecond, double dataWaitFraction, double stepSeconds,
        Map<String, Double> extras) {

    /** Copies the maps (keeping their iteration order). */
    public StepReport {
        datasetLosses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(datasetLosses));
        extras = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extras));
    }
}
