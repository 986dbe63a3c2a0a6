package org.mseg.engine.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What a training forward pass needs to compute batch statistics over the whole step when the step's crops are split
 * over several devices (synchronized BatchNorm, as MSeg's {@code nn.SyncBatchNorm}): the sum of a tensor over every
 * replica. A model computes a BN layer's batch mean and variance from {@link #sum sums} of its local sums, so that
 * every replica normalises with the statistics of all crops of the step and updates identical running statistics.
 * With one replica ({@link #NONE}) {@code sum} is the identity and a model keeps its fused single-device BN.
 */
public interface CrossReplica {

    /** One replica: nothing to synchronise. */
    CrossReplica NONE = new CrossReplica() {
        @Override
        public int replicas() {
            return 1;
        }

        @Override
        public Operand<TFloat32> sum(Operand<TFloat32> local) {
            return local;
        }
    };

    /** Number of replicas the step's batch is split over. */
    int replicas();

    /**
     * The element-wise sum of {@code local} over all replicas; every replica receives the same value. Differentiable:
     * the gradient of each replica's input is the sum of the gradients arriving at every replica's output. Replicas
     * must call it in the same order with tensors of the same shape (each call is one collective operation).
     */
    Operand<TFloat32> sum(Operand<TFloat32> local);
}
