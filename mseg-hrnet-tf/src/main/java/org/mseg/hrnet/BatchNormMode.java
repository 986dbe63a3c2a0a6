package org.mseg.hrnet;

/** How the batch-norm layers of a forward pass behave. */
public enum BatchNormMode {
    /**
     * Normalise with the statistics of the current batch (biased variance) and expose ops that fold them into the
     * running statistics with PyTorch's momentum 0.01: {@code running = 0.99·running + 0.01·batch}, where the variance
     * folded in is the unbiased batch variance, exactly as {@code torch.nn.BatchNorm2d} does.
     */
    TRAINING,
    /** Normalise with the running statistics; nothing is updated. */
    INFERENCE
}
