package org.mseg.engine;

/** What a {@link GraphTrainingStrategy} runs each step. */
@FunctionalInterface
public interface StepProgram {

    /**
     * Runs one training step: exactly one optimizer update (the op from {@link StrategyContext#minimize}) and any
     * number of other session runs. Tensors the program creates itself must be closed by it; the engine owns and
     * closes the images, labels and learning-rate feeds of {@link StepContext#runner()}.
     *
     * @return the loss and per-dataset losses for logging (the engine stops on a non-finite loss)
     */
    StepOutcome run(StepContext step);
}
