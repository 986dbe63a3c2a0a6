package org.mseg.hrnet;

import java.util.Objects;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One model tensor: its PyTorch {@code state_dict} key (without a {@code module.} prefix), what it is, the TensorFlow
 * variable that holds it, and its shape in PyTorch layout. The variable's op name is the key itself (under the scope
 * of the {@code Ops} the model was built with), so checkpoints written by {@code Session.save} use the same names.
 *
 * @param torchKey   e.g. {@code stage2.0.branches.1.3.bn2.running_var}
 * @param kind       what the tensor is
 * @param variable   the TensorFlow variable (NHWC/HWIO layout)
 * @param torchShape the shape PyTorch stores, e.g. OIHW for convolution weights
 */
public record HrnetParameter(String torchKey, ParameterKind kind, Variable<TFloat32> variable, Shape torchShape) {

    /** Checks that no component is null. */
    public HrnetParameter {
        Objects.requireNonNull(torchKey, "torchKey");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(torchShape, "torchShape");
    }

    /** Shape of the TensorFlow variable (HWIO for convolution weights). */
    public Shape shape() {
        return variable.shape();
    }

    /** Number of scalars. */
    public long size() {
        return torchShape.size();
    }

    /** Whether the optimizer trains it (false for BN running statistics). */
    public boolean trainable() {
        return kind.trainable();
    }
}
