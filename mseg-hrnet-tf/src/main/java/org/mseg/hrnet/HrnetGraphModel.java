package org.mseg.hrnet;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.mseg.api.config.Precision;
import org.mseg.engine.model.CrossReplica;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.LoadReport;
import org.mseg.engine.model.ModelOutputs;
import org.mseg.engine.model.ParameterGroup;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The engine's view of an {@link Hrnet}: one parameter group ×1, no auxiliary head (upstream's aux loss is 0), and
 * upstream's PyTorch state-dict keys and layouts ({@link StateDictLoader}).
 */
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
        return forward(name, input, training, precision, CrossReplica.NONE);
    }

    @Override
    public ModelOutputs forward(String name, Operand<TFloat32> input, boolean training, Precision precision,
            CrossReplica replicas) {
        HrnetForward f = hrnet.forward(name, input, training ? BatchNormMode.TRAINING : BatchNormMode.INFERENCE,
                precision, replicas);
        return new ModelOutputs(f.input(), f.logits(), Optional.empty(), f.representation(), f.runningStatUpdate());
    }

    @Override
    public LoadReport importStateDict(Session session, Map<String, long[]> shapes,
            Function<String, TorchTensor> reader) {
        StateDictLoader.Partition<long[]> parts = StateDictLoader.partition(shapes);
        return StateDictLoader.load(session, hrnet, parts.model(), reader).withSkipped(parts.skipped());
    }

    @Override
    public Map<String, TorchTensor> exportStateDict(Session session) {
        return StateDictLoader.export(session, hrnet);
    }
}
