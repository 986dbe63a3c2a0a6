package org.mseg.hrnet.engine;

import java.util.List;
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
}
