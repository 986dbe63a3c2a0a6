package org.mseg.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.family.TNumber;

/**
 * Where a training step's replicas are: this process's devices ({@code local}, one replica each) and its place among
 * the processes of a cluster. Replica {@code r} of task {@code t} is global replica {@code t·L + r} (every task has the
 * same number {@code L} of replicas), and the step's rows are split over the global replicas in that order, so a
 * cluster of 2 tasks × 1 device splits a batch exactly as 1 task × 2 devices.
 *
 * @param local          this process's devices (never {@link DevicePlan#single()} in a cluster: its devices are named)
 * @param task           this process's task index (0 outside a cluster)
 * @param tasks          processes of the cluster (1 outside a cluster)
 * @param timeoutSeconds how long a session run may wait for the other tasks (0: forever; set in a cluster)
 * @param gradientType   the type gradients are summed in across replicas: {@code fp32}, or {@code bf16}/{@code fp16}
 *                       to halve the bytes exchanged (rounded before the sum, widened after it)
 * @param wholeBatch     whether this process is fed every row of a step (its strategy reads the batch in Java), or
 *                       only its replicas' rows ({@link #fedRows})
 */
record ReplicaLayout(DevicePlan local, int task, int tasks, float timeoutSeconds, String gradientType,
        boolean wholeBatch) {

    ReplicaLayout {
        Objects.requireNonNull(local, "local");
        if (tasks < 1 || task < 0 || task >= tasks) {
            throw new IllegalArgumentException("task " + task + " of " + tasks);
        }
        if (tasks > 1 && local.devices().isEmpty()) {
            throw new IllegalArgumentException("a cluster task needs named devices, got " + local);
        }
        if (!GRADIENT_TYPES.contains(gradientType)) {
            throw new IllegalArgumentException("gradient type " + gradientType + " is not one of " + GRADIENT_TYPES);
        }
    }

    /** What {@link #gradientType} may be ({@code TRAIN.allreduce_precision}). */
    static final List<String> GRADIENT_TYPES = List.of("fp32", "bf16", "fp16");

    /** One process on {@code plan}, gradients summed in {@code gradientType}; it is fed every row. */
    static ReplicaLayout of(DevicePlan plan, String gradientType) {
        return new ReplicaLayout(plan, 0, 1, 0f, gradientType, true);
    }

    /**
     * Task {@code task} of {@code tasks} on {@code plan}: TensorFlow's default placement becomes the explicit
     * {@code cpu:0}, because ops of a cluster session name their task.
     */
    static ReplicaLayout cluster(DevicePlan plan, int task, int tasks, float timeoutSeconds, String gradientType,
            boolean wholeBatch) {
        DevicePlan named = plan.devices().isEmpty() ? new DevicePlan(List.of("cpu:0")) : plan;
        return new ReplicaLayout(named, task, tasks, timeoutSeconds, gradientType, wholeBatch);
    }

    /**
     * The split of a step of {@code rows} crops over this process's replicas ({@link Towers#rowsOf} over the replicas
     * of every process): {@code [0]} their first rows, {@code [1]} their row counts.
     */
    int[][] localRows(int rows) {
        int[] offsets = new int[totalReplicas()];
        int[] counts = new int[totalReplicas()];
        Towers.rowsOf(rows, totalReplicas(), offsets, counts);
        int from = firstReplica();
        return new int[][] {Arrays.copyOfRange(offsets, from, from + localReplicas()),
            Arrays.copyOfRange(counts, from, from + localReplicas())};
    }

    /**
     * The rows of a step of {@code rows} crops that this process is fed, {@code {first, count}}: all of them, or the
     * contiguous rows of its replicas.
     */
    int[] fedRows(int rows) {
        if (wholeBatch || !distributed()) {
            return new int[] {0, rows};
        }
        int[][] local = localRows(rows);
        return new int[] {local[0][0], Arrays.stream(local[1]).sum()};
    }

    /** The type gradients travel in between replicas: null for float32, else bfloat16 or float16. */
    Class<? extends TNumber> gradientWireType() {
        return switch (gradientType) {
            case "bf16" -> TBfloat16.class;
            case "fp16" -> TFloat16.class;
            default -> null;
        };
    }

    /** Whether the replicas span several processes. */
    boolean distributed() {
        return tasks > 1;
    }

    /** Replicas of this process. */
    int localReplicas() {
        return local.replicas();
    }

    /** Replicas of all processes. */
    int totalReplicas() {
        return local.replicas() * tasks;
    }

    /** The global index of this process's first replica. */
    int firstReplica() {
        return task * local.replicas();
    }

    /** The task index that device names carry: this task's in a cluster, -1 (none) in one process. */
    int placementTask() {
        return distributed() ? task : -1;
    }
}
