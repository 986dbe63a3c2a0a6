package org.mseg.api.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a training run is about to do, given to {@link TrainingListener#onStart}.
 *
 * @param strategy       strategy name ({@code standard}, {@code mgda}, ...)
 * @param datasets       the training datasets, in batch order
 * @param cropsPerStep   crops consumed per step over all datasets
 * @param startIteration steps already completed (non-zero after a resume)
 * @param maxIterations  the step at which training stops
 * @param runDirectory   the run folder (checkpoints, logs, metrics)
 */
public record TrainingPlan(String strategy, List<String> datasets, int cropsPerStep, long startIteration,
        long maxIterations, Path runDirectory) {

    /** Validates and copies the dataset list. */
    public TrainingPlan {
        Objects.requireNonNull(strategy, "strategy");
        datasets = List.copyOf(datasets);
        Objects.requireNonNull(runDirectory, "runDirectory");
        if (startIteration < 0 || maxIterations < startIteration) {
            throw new IllegalArgumentException("need 0 <= startIteration <= maxIterations, was " + startIteration
                    + " and " + maxIterations);
        }
    }
}
