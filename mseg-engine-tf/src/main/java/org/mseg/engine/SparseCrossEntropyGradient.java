package org.mseg.engine;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.nn.SparseSoftmaxCrossEntropyWithLogits;
import org.tensorflow.types.TFloat32;

/**
 * The gradient TensorFlow Java 1.1.0 lacks for {@code SparseSoftmaxCrossEntropyWithLogits}:
 * {@code d/dlogits = dLoss[:, None] · backprop} (the op's own second output, softmax − onehot), zeros for the labels
 * (1.1.0 crashes on a {@code null} "no gradient").
 *
 * <p>TensorFlow keeps custom gradients in a process-wide table with room for ten entries, so registration happens at
 * most once per JVM, guarded here; a registration made earlier by other code is kept.
 */
final class SparseCrossEntropyGradient {

    private static boolean registered;

    private SparseCrossEntropyGradient() {
    }

    /** Registers the gradient unless this JVM already has one; must run before gradients are built. */
    @SuppressWarnings("unchecked")
    static synchronized void ensureRegistered() {
        if (registered) {
            return;
        }
        TensorFlow.registerCustomGradient(SparseSoftmaxCrossEntropyWithLogits.Inputs.class, (tf, in, gradIn) -> {
            Operand<TFloat32> dLoss = (Operand<TFloat32>) gradIn.get(0);
            Operand<TFloat32> backprop =
                    ((SparseSoftmaxCrossEntropyWithLogits<TFloat32>) in.getOutputs()).backprop();
            return List.of(tf.math.mul(tf.expandDims(dLoss, tf.constant(-1)), backprop), tf.zerosLike(in.labels));
        });
        // false means an earlier registration (ours from another class loader, or someone else's) is in place
        registered = true;
    }
}
