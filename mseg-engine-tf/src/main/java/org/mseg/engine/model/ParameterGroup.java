package org.mseg.engine.model;

import java.util.List;
import java.util.Objects;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Variables trained with a common learning-rate multiplier (PSPNet: pretrained backbone ×1, new head ×10; HRNet has a
 * single group ×1).
 *
 * @param name         group name, for logs
 * @param variables    the trainable variables of the group
 * @param lrMultiplier factor applied to the scheduled learning rate
 */
public record ParameterGroup(String name, List<Variable<TFloat32>> variables, float lrMultiplier) {

    /** Validates and copies. */
    public ParameterGroup {
        Objects.requireNonNull(name, "name");
        variables = List.copyOf(variables);
        if (!(lrMultiplier > 0) || Float.isInfinite(lrMultiplier)) {
            throw new IllegalArgumentException("lrMultiplier of group " + name + " must be positive, was "
                    + lrMultiplier);
        }
    }
}
