package org.mseg.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * TensorFlow's collective all-reduce ({@code CollectiveReduceV2}) for the replicas of one training step. TF Java 1.1.0
 * has no wrapper for the V2 op (its {@code CollectiveReduce} is the V3 op, which needs a communicator resource), so it
 * is built by op name (tfjava-notes Q11): inputs {@code input}, {@code group_size}, {@code group_key},
 * {@code instance_key} and an empty {@code ordering_token} list; attributes {@code merge_op} {@code Add},
 * {@code final_op} {@code Id} (a plain sum), {@code communication_hint} and {@code timeout_seconds} (0, see
 * {@link #create}).
 *
 * <p>Every replica builds one member of each collective; members of the same collective share an instance key, which
 * {@link #key} derives from a logical name, so replicas that build their parts in the same order meet. The op has no
 * gradient in TensorFlow; the one registered here is the all-reduce of the incoming gradients (the derivative of a sum
 * that every replica receives), with an instance key derived from the forward key and the gradient computation being
 * built ({@link #withGradientTag}): MGDA differentiates the same forward collectives once per dataset.
 */
final class Collectives {

    /** The op's type name. */
    static final String OP = "CollectiveReduceV2";
    /** The collectives and gradient tag of the {@code addGradients} call running on this thread. */
    private static final ThreadLocal<Tag> GRADIENT_TAG = new ThreadLocal<>();
    /** The lane of the forward pass's collectives (BN statistics, loss counts and sums). */
    static final String FORWARD = "forward";
    private static boolean registered;

    private final int groupSize;
    private final int groupKey;
    private final int keyBase;
    private final String hint;
    private final Map<String, Integer> keys = new HashMap<>();
    /** Instance key of every member built here, by op name (the gradient reads it). */
    private final Map<String, Integer> memberKeys = new HashMap<>();
    /**
     * The last member built on each device in each lane (the forward pass, one gradient computation): the next one
     * of the lane runs after it, so every device launches a lane's collectives in the same order.
     */
    private final Map<String, GraphOperation> lastInLane = new HashMap<>();

    private Collectives(int groupSize, int groupKey, int keyBase, String hint) {
        this.groupSize = groupSize;
        this.groupKey = groupKey;
        this.keyBase = keyBase;
        this.hint = hint;
    }

    /**
     * The collectives of the training step's replicas (group key 1), over every replica of every process. They have no
     * time limit ({@code timeout_seconds} 0): TensorFlow 2.18 starts a thread per execution of a collective with a
     * timeout, which sleeps for the whole timeout, so a few hundred collectives per step exhausted the process's
     * threads within 30 steps (measured). {@link PeerWatchdog} notices hung peers instead.
     *
     * @param hint {@code ring} for CPU devices, {@code nccl} for GPUs, {@code auto} to let TensorFlow choose
     */
    static Collectives create(int groupSize, String hint) {
        ensureGradientRegistered();
        return new Collectives(groupSize, 1, 0, hint);
    }

    /**
     * Collectives of another group of the same graph (e.g. one member per process, for start-up checks and the
     * broadcast of task 0's variables), with instance keys from {@code keyBase + 1} on.
     */
    static Collectives group(int groupSize, int groupKey, int keyBase, String hint) {
        ensureGradientRegistered();
        return new Collectives(groupSize, groupKey, keyBase, hint);
    }

    private record Tag(Collectives collectives, String name, RuntimeException[] failure) {
    }

    /** The instance key of a logical collective (the same for every replica's member). */
    synchronized int key(String logicalName) {
        return keys.computeIfAbsent(logicalName, k -> keyBase + keys.size() + 1);
    }

    /**
     * One replica's member of the all-reduce (sum) keyed {@code logicalName}, built with {@code tf} (its device), in
     * the forward lane: see {@link #sum(Ops, Operand, String, String)}.
     */
    <T extends TNumber> Operand<T> sum(Ops tf, Operand<T> input, String logicalName) {
        return sum(tf, input, logicalName, FORWARD);
    }

    /**
     * One replica's member of the all-reduce (sum) keyed {@code logicalName}, built with {@code tf} (its device). It
     * runs after the member built before it on the same device in the same {@code lane}, so every device launches a
     * lane's collectives in the same order (NCCL needs that). Lanes are kept apart so that a session run needing one
     * gradient computation does not also run another's (MGDA's update run would otherwise recompute every dataset's
     * gradients).
     */
    <T extends TNumber> Operand<T> sum(Ops tf, Operand<T> input, String logicalName, String lane) {
        return member(tf, input, key(logicalName), lane, deviceOf(tf));
    }

    /**
     * {@link #sum} outside the device's launch order: for a value a step may not need at all (the batch-wide logits of
     * a strategy that never reads them), which an ordered member would force to run every step.
     */
    <T extends TNumber> Operand<T> unorderedSum(Ops tf, Operand<T> input, String logicalName) {
        return member(tf, input, key(logicalName), null, null);
    }

    /**
     * @param device the member's device (any form TensorFlow writes, see {@link #localDevice}); with {@code lane}, it
     *               runs after the lane's previous member on that device
     */
    @SuppressWarnings("unchecked")
    private <T extends TNumber> Operand<T> member(Ops tf, Operand<T> input, int instanceKey, String lane,
            String device) {
        String local = lane == null ? null : localDevice(device);
        String chain = local == null ? null : local + " " + lane;
        GraphOperation previous;
        synchronized (this) {
            previous = chain == null ? null : lastInLane.get(chain);
        }
        org.tensorflow.OperationBuilder builder = tf.scope().opBuilder(OP, "CollectiveReduceV2")
                .addInput(input.asOutput());
        if (previous != null) {
            builder.addControlInput(previous);
        }
        GraphOperation op = (GraphOperation) builder
                .addInput(tf.constant(groupSize).asOutput())
                .addInput(tf.constant(groupKey).asOutput())
                .addInput(tf.constant(instanceKey).asOutput())
                .addInputList(new Output<?>[0])
                .setAttr("merge_op", "Add")
                .setAttr("final_op", "Id")
                .setAttr("communication_hint", hint)
                .setAttr("timeout_seconds", 0f)
                .build();
        synchronized (this) {
            if (chain != null) {
                lastInLane.put(chain, op);
            }
            memberKeys.put(op.name(), instanceKey);
        }
        return (Operand<T>) (Operand<?>) op.output(0);
    }

    private static String deviceOf(Ops tf) {
        try {
            String d = tf.scope().getDeviceString();
            return d == null || d.isEmpty() ? null : d;
        } catch (UnsupportedOperationException e) {
            return null; // a gradient function's scope: its device is set afterwards (Placement)
        }
    }

    /**
     * The device within its process ({@code /job:worker/replica:0/task:1/device:CPU:0} and {@code /device:CPU:0} both
     * give {@code CPU:0}), which keys the launch order; null for none.
     */
    static String localDevice(String device) {
        if (device == null || device.isEmpty()) {
            return null;
        }
        int at = device.toLowerCase(java.util.Locale.ROOT).lastIndexOf("device:");
        String tail = at < 0 ? device : device.substring(at + "device:".length());
        return tail.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Runs {@code build} (which calls {@code Graph.addGradients}) with {@code tag} naming the gradient computation,
     * so that the all-reduce gradients it creates get keys of their own, equal across replicas.
     */
    <R> R withGradientTag(String tag, Supplier<R> build) {
        Tag previous = GRADIENT_TAG.get();
        Tag current = new Tag(this, tag, new RuntimeException[1]);
        GRADIENT_TAG.set(current);
        try {
            R result = build.get();
            if (current.failure()[0] != null) {
                // TensorFlow does not pass an exception of a Java gradient function on: rethrow it here
                throw current.failure()[0];
            }
            return result;
        } finally {
            if (previous == null) {
                GRADIENT_TAG.remove();
            } else {
                GRADIENT_TAG.set(previous);
            }
        }
    }

    private static synchronized void ensureGradientRegistered() {
        if (registered) {
            return;
        }
        TensorFlow.registerCustomGradient(OP, (tf, op, gradients) -> {
            Tag tag = GRADIENT_TAG.get();
            Integer forward = null;
            if (tag != null) {
                synchronized (tag.collectives()) {
                    forward = tag.collectives().memberKeys.get(op.name());
                }
            }
            if (forward == null) {
                IllegalStateException e = new IllegalStateException("the gradient of the cross-replica sum "
                        + op.name() + " is built outside the engine's replicated gradients"
                        + " (StrategyContext.gradients); a strategy must not call tf.gradients through a synchronized"
                        + " forward pass");
                if (tag != null) {
                    tag.failure()[0] = e;
                }
                throw e;
            }
            @SuppressWarnings("unchecked")
            Operand<TNumber> upstream = (Operand<TNumber>) (Operand<?>) gradients.get(0);
            Collectives c = tag.collectives();
            // in the lane of its gradient computation, on the device of its forward member (a gradient function's own
            // scope has no device yet): every device then launches them in the order TensorFlow built them, which is
            // the same on every replica of every process. Unordered, a pass that differentiates several objectives at
            // once (MGDA) had hundreds in flight across processes, each holding a thread of TensorFlow's collective
            // executor, until thread creation failed.
            Operand<?> reduced = c.member(tf, upstream, c.key("gradient " + tag.name() + " of " + forward), tag.name(),
                    op.device());
            return List.of(reduced, tf.zerosLike(op.input(1)), tf.zerosLike(op.input(2)),
                    tf.zerosLike(op.input(3)));
        });
        registered = true;
    }
}
