package org.mseg.engine.model;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A segmentation model as the TensorFlow engine trains, checkpoints and runs it: the view a
 * {@link org.mseg.api.model.ModelProvider} returns from {@code SegmentationModel.unwrap(GraphModel.class)}.
 *
 * <p>Contract. {@code ModelProvider.create(spec, backend)} receives a {@link GraphBackend}; it creates every variable
 * of the model at once, in {@link GraphBackend#tf()}'s root scope, with names that are stable across builds (the
 * checkpoint format restores variables by op name), initialised from {@link GraphBackend#seed()} so that a run is
 * reproducible. Forward passes over those variables are added later, possibly several (one per dataset for MGDA, an
 * inference pass for evaluation); each pass reads float32 NHWC images and returns float32 logits at input
 * resolution. The engine adds the optimizer, the losses and the strategy's ops around it and never looks inside.
 *
 * <p>State dicts. {@link #importStateDict} and {@link #exportStateDict} hold the model's rules for state dicts (key
 * names, layouts); {@code mseg-cli model import --arch NAME}, {@code --pretrained file.pth} and
 * {@code --pretrained CHECKPOINT_DIR} use them. The defaults speak TensorFlow's terms ({@link VariableStateDict}:
 * keys are the variables' op names, layouts are TensorFlow's), so any model's weights move between its graphs; a
 * model with upstream PyTorch weights overrides both with upstream's key names and layouts (HRNet does).
 */
public interface GraphModel {

    /** Number of output classes. */
    int numClasses();

    /**
     * The trainable variables by learning-rate group. Models with pretrained and new parts (PSPNet) return several
     * groups with their multipliers; HRNet returns one group ×1.
     */
    List<ParameterGroup> parameterGroups();

    /** Every variable of the model (trainable and running statistics), for weight loading and inspection. */
    List<Variable<TFloat32>> allVariables();

    /**
     * Adds a forward pass.
     *
     * @param name     unique op-name scope of the pass
     * @param input    float32 NHWC images with static height and width
     * @param training batch statistics and running-statistics updates (true) or running statistics (false)
     */
    ModelOutputs forward(String name, Operand<TFloat32> input, boolean training);

    /**
     * Adds a forward pass computing in {@code precision}: float32 master variables, the layers in bfloat16 or float16
     * for the mixed precisions, float32 logits and representation in every case. The default builds float32 passes
     * only.
     *
     * @throws ConfigException if the model cannot compute in that precision
     */
    default ModelOutputs forward(String name, Operand<TFloat32> input, boolean training, Precision precision) {
        if (precision != Precision.FP32) {
            throw new ConfigException("TRAIN.precision " + precision.configName() + ": " + getClass().getSimpleName()
                    + " computes in fp32 only; use precision: fp32");
        }
        return forward(name, input, training);
    }

    /**
     * Adds a training forward pass over one replica's share of a step whose crops are split over
     * {@code replicas.replicas()} devices: BatchNorm batch statistics must be computed over all replicas' crops
     * ({@link CrossReplica#sum} of the local sums), as MSeg's synchronized BN does, and every replica must compute the
     * same running-statistics update. The engine calls it with {@link CrossReplica#NONE} only when there is one
     * replica. The default serves one replica and refuses several, since a model that does not override it would
     * normalise each device's crops on their own.
     *
     * @throws ConfigException if the model cannot synchronise its batch statistics over several replicas
     */
    default ModelOutputs forward(String name, Operand<TFloat32> input, boolean training, Precision precision,
            CrossReplica replicas) {
        if (replicas.replicas() == 1 || !training) {
            return forward(name, input, training, precision);
        }
        throw new ConfigException("TRAIN.devices: " + getClass().getSimpleName() + " computes its batch statistics on"
                + " each device alone; training on " + replicas.replicas() + " devices needs a model that implements"
                + " GraphModel.forward(..., CrossReplica) (synchronized BatchNorm). Train it on one device"
                + " (devices: cpu)");
    }

    /**
     * Loads a state dict into the model's variables of {@code session}, by the model's own key names and layouts.
     * Keys are checked before any tensor is read: {@code reader} is called only for the keys that load. The default
     * reads {@link VariableStateDict}'s terms: keys are {@link #allVariables()}' op names, layouts TensorFlow's.
     *
     * @param shapes every key of the state dict with its shape
     * @param reader the tensor of a key of {@code shapes}
     * @return which keys loaded, which the dict lacked, which the model does not have
     * @throws StateDictException if a shape does not match
     */
    default LoadReport importStateDict(Session session, Map<String, long[]> shapes,
            Function<String, TorchTensor> reader) {
        return VariableStateDict.load(session, allVariables(), shapes, reader);
    }

    /**
     * The model's weights from {@code session} as a state dict, in the terms {@link #importStateDict} reads back (by
     * default {@link VariableStateDict}'s).
     */
    default Map<String, TorchTensor> exportStateDict(Session session) {
        return VariableStateDict.export(session, allVariables());
    }
}
