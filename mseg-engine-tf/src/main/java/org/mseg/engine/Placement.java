package org.mseg.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Input;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;

/**
 * Places the ops built in a block of code on one device, after the fact. {@code Graph.addGradients} (and a model's
 * forward pass, which builds with the model's own ops) ignore the device of the caller's scope, so without this every
 * replica's backward pass would run on the first device (tfjava-notes Q11). Usage: {@code int m = mark(g); ...build...;
 * place(g, m, "/device:CPU:1")}; it must run before a session is created on the graph.
 */
final class Placement {

    /** TensorFlow's reference data types are the plain ones plus 100 ({@code DT_FLOAT_REF} = 101). */
    private static final int REF_TYPES = 100;

    private Placement() {
    }

    /** The number of ops in the graph now: ops created later are placed by {@link #place}. */
    static int mark(Graph graph) {
        int n = 0;
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /**
     * Requests {@code device} for every op created since {@code mark} (TensorFlow creates ops in order), except ops
     * that update a variable (they stay with it), and makes those ops read the variables of another device through
     * one {@code Identity} per variable on {@code device}: the tower's copy of the weights for the step. The explicit
     * copy is needed, not just tidier: with oneDNN, TensorFlow's graph rewrite of a {@code BiasAdd} whose bias lives on
     * another virtual CPU device left the step waiting forever (TF 2.18, measured).
     *
     * @param onDevice ops on {@code device}, to build the identities with
     * @return the number of ops in the graph now (a {@link #mark} for the next block, without walking the graph again)
     */
    static int place(Graph graph, int mark, String device, Ops onDevice) {
        TF_Graph handle = NativeHandles.graph(graph, "placing a replica's ops on its device");
        List<GraphOperation> created = new ArrayList<>();
        int index = 0;
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); index++) {
            GraphOperation op = it.next();
            if (index >= mark && !updatesVariable(op)) {
                created.add(op);
            }
        }
        for (GraphOperation op : created) {
            tensorflow.TF_SetRequestedDevice(handle, op.getUnsafeNativeHandle(), device);
        }
        Map<String, Operand<?>> localReads = new HashMap<>();
        for (GraphOperation op : created) {
            for (int i = 0; i < op.numInputs(); i++) {
                GraphOperation source = (GraphOperation) op.input(i).op();
                if (!source.type().equals("VariableV2") || source.device().equals(device)) {
                    continue;
                }
                Output<?> variable = op.input(i);
                Operand<?> local = localReads.computeIfAbsent(source.name() + ":" + variable.index(),
                        k -> onDevice.identity(variable));
                redirect(handle, local.asOutput(), op, i);
            }
        }
        return index + localReads.size(); // each identity is one op
    }

    private static void redirect(TF_Graph graph, Output<?> source, GraphOperation consumer, int input) {
        TF_Status status = tensorflow.TF_NewStatus();
        try (TF_Output from = new TF_Output(); TF_Input to = new TF_Input()) {
            from.oper(((GraphOperation) source.op()).getUnsafeNativeHandle()).index(source.index());
            to.oper(consumer.getUnsafeNativeHandle()).index(input);
            tensorflow.TF_UpdateEdge(graph, from, to, status);
            if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK) {
                throw new IllegalStateException("could not make " + consumer.name() + " read its device's copy of "
                        + source.op().name() + ": " + tensorflow.TF_Message(status).getString());
            }
        } finally {
            tensorflow.TF_DeleteStatus(status);
        }
    }

    /**
     * Whether the op takes a reference input (an {@code Assign} of BN running statistics, an optimizer update):
     * TensorFlow keeps such an op with its variable, so it keeps its device.
     */
    private static boolean updatesVariable(GraphOperation op) {
        for (int i = 0; i < op.numInputs(); i++) {
            try (TF_Input in = new TF_Input()) {
                in.oper(op.getUnsafeNativeHandle()).index(i);
                if (tensorflow.TF_OperationInputType(in) > REF_TYPES) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Ops that place what they build on a plan device ({@code cpu:1}, {@code gpu:0}). */
    static Ops on(Ops tf, String planDevice) {
        return on(tf, planDevice, -1);
    }

    /**
     * Ops that place what they build on a plan device of a cluster task ({@code /job:worker/replica:0/task:T}), or of
     * this process when {@code task < 0}.
     */
    static Ops on(Ops tf, String planDevice, int task) {
        String[] parts = planDevice.split(":");
        org.tensorflow.DeviceSpec.Builder spec = org.tensorflow.DeviceSpec.newBuilder()
                .deviceType(org.tensorflow.DeviceSpec.DeviceType.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)))
                .deviceIndex(Integer.parseInt(parts[1]));
        if (task >= 0) {
            spec.job(TaskServer.JOB).replica(0).task(task);
        }
        return tf.withDevice(spec.build());
    }

    /** TensorFlow's name of a plan device ({@code cpu:1} → {@code /device:CPU:1}). */
    static String deviceName(String planDevice) {
        return deviceName(planDevice, -1);
    }

    /**
     * TensorFlow's name of a plan device of a cluster task ({@code cpu:1} of task 2 →
     * {@code /job:worker/replica:0/task:2/device:CPU:1}), or of this process when {@code task < 0}.
     */
    static String deviceName(String planDevice, int task) {
        int colon = planDevice.indexOf(':');
        String local = "/device:" + planDevice.substring(0, colon).toUpperCase(java.util.Locale.ROOT)
                + planDevice.substring(colon);
        return task < 0 ? local : TaskServer.taskDevicePrefix(task) + local;
    }
}
