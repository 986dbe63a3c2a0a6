package org.mseg.engine;

import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.ModelOutputs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.config.Precision;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TIntegral;

/** What a {@link GraphTrainingStrategy} gets to build its ops; see the contract there. */
public interface StrategyContext {

    /** Root-scope ops of the training graph. */
    Ops tf();

    /** The batch layout every step follows: which rows belong to which dataset. */
    List<DatasetSlice> slices();

    /** The model (its variables, to build further forward passes, e.g. one per dataset). */
    GraphModel model();

    /** Images placeholder {@code [N, H, W, 3]}, fed by the engine. */
    Placeholder<TFloat32> images();

    /**
     * Labels placeholder {@code [N, H, W]}, fed by the engine: uint8 with 255 = ignore, or uint16 with 65535 = ignore
     * for taxonomies of more than 255 classes.
     */
    Placeholder<? extends TIntegral> labels();

    /** The training forward pass over the whole batch (BN in training mode). */
    ModelOutputs forward();

    /** Cross-entropy of {@link #forward()}'s logits, per dataset and mean. */
    SegmentationLoss loss();

    /** The auxiliary head's loss when the model has one; combine as {@code main + auxWeight()·aux}. */
    Optional<SegmentationLoss> auxLoss();

    /** Weight of the auxiliary loss ({@code aux_weight}, 0.4 in MSeg). */
    float auxWeight();

    /**
     * The per-dataset training losses {@code L_d = main_d + auxWeight·aux_d} as one {@code [D]} vector (equal to
     * {@code loss().datasetLosses()} for models without an auxiliary head).
     */
    Operand<TFloat32> datasetObjectives();

    /**
     * The precision the model computes in. The loss, {@link #gradients} and {@link #minimize} work in float32 in every
     * precision; in {@link Precision#FP16} {@link #gradients} differentiates the loss-scaled objective and returns
     * unscaled gradients, which may then hold Inf or NaN: {@link #minimize} skips such a step and lowers the scale.
     * A strategy that inspects gradients between session runs may refuse fp16 with a
     * {@link org.mseg.api.ConfigException}.
     */
    Precision precision();

    /** The variables the optimizer updates; gradients are passed to {@link #minimize} in this order. */
    List<Variable<TFloat32>> variables();

    /**
     * Gradients of {@code objective} with respect to {@link #variables()}, in that order. Every variable must be
     * reachable from the objective (TensorFlow refuses otherwise); a "no gradient" result (a closed output) is replaced
     * by zeros, so the list never holds null handles.
     */
    List<Operand<TFloat32>> gradients(Operand<TFloat32> objective);

    /**
     * The training update for the given gradients: SGD with momentum and weight decay at the fed learning rate, plus
     * the BN running-statistics update of {@link #forward()}, behind the barrier that keeps runs reproducible. Build it
     * once; run it exactly once per step.
     */
    Op minimize(List<? extends Operand<TFloat32>> gradients);

    /**
     * Over how many devices the step's crops are split (1 on one device). With several, {@link #forward()},
     * {@link #loss()}, {@link #auxLoss()} and {@link #datasetObjectives()} are the values of the whole batch, gathered
     * from the devices' towers, and {@link #gradients} differentiates through every tower and sums; an objective must
     * therefore be built from those values (and the strategy's own inputs), not with {@code tf.gradients} of its own.
     */
    default int replicas() {
        return 1;
    }

    /** The strategy's resolved options (flat configuration key → value), as given to the provider. */
    Map<String, Object> options();
}
