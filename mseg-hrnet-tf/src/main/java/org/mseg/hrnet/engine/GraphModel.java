package org.mseg.hrnet.engine;

import java.util.List;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A segmentation model as the TensorFlow engine trains it: its variables already exist in the graph; forward passes
 * over them can be added. See {@link HrnetGraphModel} for HRNet.
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
}
