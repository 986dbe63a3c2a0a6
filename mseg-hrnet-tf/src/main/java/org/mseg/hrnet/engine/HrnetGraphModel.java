package org.mseg.hrnet.engine;

import java.util.List;
import java.util.Optional;
import org.mseg.api.config.Precision;
import org.mseg.hrnet.BatchNormMode;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetForward;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** {@link GraphModel} view of an {@link Hrnet}: one parameter group, no auxiliary head (upstream's aux loss is 0). */
public final class HrnetGraphModel implements GraphModel {

    private final Hrnet hrnet;

    /** Wraps a model whose variables are already in the graph. */
    public HrnetGraphModel(Hrnet hrnet) {
        this.hrnet = hrnet;
    }

    /** The wrapped model. */
    public Hrnet hrnet() {
        return hrnet;
    }

    @Override
    public int numClasses() {
        return hrnet.numClasses();
    }

    @Override
    public List<ParameterGroup> parameterGroups() {
        return List.of(new ParameterGroup("all", hrnet.trainableVariables(), 1f));
    }

    @Override
    public List<Variable<TFloat32>> allVariables() {
        return List.copyOf(hrnet.variablesByTorchKey().values());
    }

    @Override
    public ModelOutputs forward(String name, Operand<TFloat32> input, boolean training) {
        return forward(name, input, training, Precision.FP32);
    }

    @Override
    public ModelOutputs forward(String name, Operand<TFloat32> input, boolean training, Precision precision) {
        HrnetForward f = hrnet.forward(name, input, training ? BatchNormMode.TRAINING : BatchNormMode.INFERENCE,
                precision);
        return new ModelOutputs(f.input(), f.logits(), Optional.empty(), f.representation(), f.runningStatUpdate());
    }
}
