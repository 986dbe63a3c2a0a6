package org.mseg.engine;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * MSeg's plain multi-dataset training: all datasets' crops in one batch (BN statistics over all of them), loss = mean
 * of the per-dataset mean cross-entropies (the average of the per-dataset gradients, as upstream's DDP all-reduce
 * computes it), one SGD step.
 */
public final class StandardStrategy implements TensorFlowStrategy {

    /** The strategy's name. */
    public static final String NAME = "standard";

    /** The strategy has no options. */
    public StandardStrategy() {
    }

    @Override
    public String name() {
        return NAME;
    }


    @Override
    public StepProgram build(StrategyContext context) {
        Operand<TFloat32> perDataset = context.datasetObjectives();
        Operand<TFloat32> objective = context.tf().math.mean(perDataset, context.tf().constant(0));
        Op train = context.minimize(context.gradients(objective));
        Operand<TFloat32> datasetLosses = context.loss().datasetLosses();
        return step -> {
            try (Result r = step.runner().fetch(objective).fetch(datasetLosses).addTarget(train).run()) {
                double loss = ((TFloat32) r.get(0)).getFloat();
                return new StepOutcome(loss, step.byDataset((TFloat32) r.get(1)), Map.of());
            }
        };
    }
}
