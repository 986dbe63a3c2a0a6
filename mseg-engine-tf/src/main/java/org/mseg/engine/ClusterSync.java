package org.mseg.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TType;

/**
 * What the processes of a cluster do together outside the training step, with one collective member per process
 * (group key 2, on each task's first device):
 * <ul>
 * <li>{@link #handshake}: every task contributes a few numbers at its own slot of a vector and receives everyone's
 * (a sum of vectors that are zero elsewhere), so that tasks that would train different things, or resumed from
 * different steps, stop before the first step instead of exchanging meaningless gradients;</li>
 * <li>{@link #broadcast}: every variable of the graph (weights, BN statistics, momentum, the loss scaler's state)
 * takes task 0's value: task 0 contributes its values, the others zeros, and the sum is exact. Then every process
 * starts from the same state whatever it initialised or restored, as MultiWorkerMirroredStrategy does;</li>
 * <li>{@link #sum}: the element-wise sum of a vector over the tasks (validation counts);</li>
 * <li>{@link #barrier}: returns once every task has reached it, so that no task exits while another still reads
 * the last step's tensors from it.</li>
 * </ul>
 */
final class ClusterSync {

    /** Numbers each task contributes to the handshake. */
    static final int FIELDS = 4;
    /** The group key of these collectives (the step's replicas use 1). */
    private static final int GROUP_KEY = 2;
    /** Their instance keys start above this, apart from the step's. */
    private static final int KEY_BASE = 1 << 24;

    private final ReplicaLayout layout;
    private final Placeholder<TFloat64> handshakeIn;
    private final Operand<TFloat64> handshakeOut;
    private final Op broadcast;
    private final Operand<TFloat32> barrier;
    private final Placeholder<TFloat64> sumIn;
    private final Operand<TFloat64> sumOut;
    /** The length every {@link #sum} passes (-1 before the first). */
    private int sumLength = -1;
    private final int variables;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ClusterSync(Graph graph, Ops tf, ReplicaLayout layout) {
        this.layout = layout;
        List<GraphOperation> vars = new ArrayList<>();
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
            GraphOperation op = it.next();
            if (op.type().equals("VariableV2")) {
                vars.add(op);
            }
        }
        this.variables = vars.size();
        Collectives c = Collectives.group(layout.tasks(), GROUP_KEY, KEY_BASE,
                layout.local().usesGpu() ? "nccl" : "ring");
        boolean chief = layout.task() == 0;
        List<Op> assigns = new ArrayList<>();
        for (GraphOperation v : vars) {
            Output ref = v.output(0);
            String type = ref.dataType().name();
            Operand value = tf.identity(ref);
            Operand mine = chief ? value : tf.zerosLike(value);
            Operand sum;
            if (type.equals(DataType.DT_FLOAT.name()) || type.equals(DataType.DT_FLOAT_REF.name())) {
                sum = c.sum(tf, (Operand<TFloat32>) mine, "broadcast " + v.name(), "broadcast");
            } else {
                // integer state (the fp16 loss scaler's counters): exact in float64
                Operand<TFloat64> wide = tf.dtypes.cast((Operand<? extends TType>) mine, TFloat64.class);
                sum = tf.dtypes.cast(c.sum(tf, wide, "broadcast " + v.name(), "broadcast"), value.type());
            }
            assigns.add(tf.assign(ref, sum));
        }
        this.broadcast = tf.withControlDependencies(assigns).noOp();
        this.barrier = c.sum(tf, tf.constant(1f), "barrier", "barrier");
        // a collective instance keeps the shape of its first run, so the handshake has its own, not sum's
        this.handshakeIn = tf.withName("cluster_handshake").placeholder(TFloat64.class,
                Placeholder.shape(Shape.of((long) layout.tasks() * FIELDS)));
        this.handshakeOut = c.sum(tf, handshakeIn, "handshake", "handshake");
        this.sumIn = tf.withName("cluster_sum").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
        this.sumOut = c.sum(tf, sumIn, "sum", "sum");
    }

    /**
     * The element-wise sum over every task of a vector of the same length in each (integers below 2^53 stay exact),
     * e.g. the validation counts of each task's share of the images. TensorFlow fixes a collective's shape at its first
     * run, so every call passes the same length.
     *
     * @throws IllegalArgumentException if {@code mine} has another length than in the first call
     */
    double[] sum(Session session, double[] mine) {
        if (sumLength < 0) {
            sumLength = mine.length;
        } else if (mine.length != sumLength) {
            throw new IllegalArgumentException("sums over the tasks have " + sumLength + " values (the first call's),"
                    + " got " + mine.length);
        }
        return run(session, sumIn, sumOut, mine);
    }

    private static double[] run(Session session, Placeholder<TFloat64> in, Operand<TFloat64> out, double[] values) {
        double[] result = new double[values.length];
        try (TFloat64 t = TFloat64.tensorOf(Shape.of(values.length), DataBuffers.of(values, true, false));
                Result r = session.runner().feed(in, t).fetch(out).run()) {
            ((TFloat64) r.get(0)).asRawTensor().data().asDoubles().read(result);
        }
        return result;
    }

    /**
     * Exchanges {@link #FIELDS} numbers with every task.
     *
     * @param mine this task's numbers (integers below 2^53 travel exactly)
     * @return {@code [task][field]}
     */
    double[][] handshake(Session session, double[] mine) {
        if (mine.length != FIELDS) {
            throw new IllegalArgumentException(FIELDS + " fields expected, got " + mine.length);
        }
        // every task's numbers at its own slot, zeros elsewhere: the sum is everyone's
        double[] in = new double[layout.tasks() * FIELDS];
        System.arraycopy(mine, 0, in, layout.task() * FIELDS, FIELDS);
        double[] all = run(session, handshakeIn, handshakeOut, in);
        double[][] out = new double[layout.tasks()][FIELDS];
        for (int task = 0; task < layout.tasks(); task++) {
            System.arraycopy(all, task * FIELDS, out[task], 0, FIELDS);
        }
        return out;
    }

    /** Sets every variable of every task to task 0's value. */
    void broadcast(Session session) {
        session.run(broadcast);
    }

    /** Variables the broadcast covers. */
    int variables() {
        return variables;
    }

    /** Waits until every task has called this. */
    void barrier(Session session) {
        try (Result r = session.runner().fetch(barrier).run()) {
            float reached = ((TFloat32) r.get(0)).getFloat();
            if (reached != layout.tasks()) {
                throw new IllegalStateException("barrier counted " + reached + " of " + layout.tasks() + " tasks");
            }
        }
    }
}
