package org.mseg.engine.model;

import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * One forward pass of a {@link GraphModel}.
 *
 * @param input            the image batch it reads (float32 NHWC)
 * @param logits           class logits at input resolution {@code [N, H, W, K]}
 * @param auxLogits        an auxiliary head's logits at input resolution, if the model has one (PSPNet)
 * @param representation   the feature map before the classifier (CCSA's embedding)
 * @param statisticsUpdate the BN running-statistics update of a training pass; empty for inference passes
 */
public record ModelOutputs(Operand<TFloat32> input, Operand<TFloat32> logits, Optional<Operand<TFloat32>> auxLogits,
        Operand<TFloat32> representation, Optional<Op> statisticsUpdate) {

    /** Checks for nulls. */
    public ModelOutputs {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(auxLogits, "auxLogits");
        Objects.requireNonNull(representation, "representation");
        Objects.requireNonNull(statisticsUpdate, "statisticsUpdate");
    }
}
