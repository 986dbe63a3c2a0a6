package org.mseg.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.model.CrossReplica;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.ModelOutputs;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TIntegral;

/**
 * The replicas of a training step over several devices of one process: data parallelism with one shared copy of the
 * variables (on the plan's first device), one tower per device and TensorFlow's collective all-reduce.
 *
 * <p>Each tower takes a contiguous, fixed share of the batch's rows (the plan's split, {@link #rowsOf}), runs the
 * model's training forward pass on it with synchronized BatchNorm ({@link CrossReplica}: batch statistics over all
 * rows of the step), and the loss sums of its rows. What the strategy sees is global: per-dataset losses, pixel
 * losses, logits and representation of the whole batch, each the cross-replica sum of the towers' contributions
 * (a tower contributes its share of a sum, or its rows of a concatenation padded with zeros) — the same values as one
 * device computing the whole batch, summation order aside.
 *
 * <p>Gradients ({@link #gradients}). A strategy's objective {@code f} is built on those global values {@code G_k}; the
 * towers' contributions {@code c_{k,r}} sum to them. By the chain rule, {@code ∂f/∂θ = Σ_r Σ_k (∂f/∂G_k)·∂c_{k,r}/∂θ}:
 * the small head {@code ∂f/∂G_k} is differentiated once, each tower back-propagates it through its own forward pass
 * ({@code Graph.addGradients} with {@code ∂f/∂G_k} as the initial gradients; the BN all-reduces pass gradients between
 * towers through their registered gradient), its gradient ops are placed on its device ({@link Placement}), and the
 * towers' gradients are summed with one all-reduce per bucket of variables. The shared variables are then updated once
 * with that sum, so every replica sees the same weights, momentum and BN running statistics by construction.
 */
final class Towers {

    /** Gradients are all-reduced in flat buckets of at most this many floats (32 MiB), as DDP buckets them. */
    static final long BUCKET_FLOATS = 8L << 20;

    private final Graph graph;
    private final DevicePlan plan;
    private final ReplicaLayout layout;
    private final Ops head;
    private final List<Ops> onDevice = new ArrayList<>();
    private final Collectives collectives;
    private final int[] offsets;
    private final int[] counts;
    private final int rows;
    private final List<Global> globals = new ArrayList<>();
    private final ModelOutputs forward;
    private final SegmentationLoss loss;
    private final Optional<SegmentationLoss> auxLoss;
    private int gradientCalls;
    private Op allReduceProbe;

    /** A global value: the sum over towers of their contributions (each of the global shape). */
    private record Global(Operand<TFloat32> value, List<Operand<TFloat32>> contributions) {
    }

    /**
     * @param images the rows of the step fed to this process ({@link ReplicaLayout#fedRows}: every row, or its
     *               replicas')
     */
    Towers(Graph graph, Ops head, ReplicaLayout layout, GraphModel model, Operand<TFloat32> images,
            Operand<? extends TIntegral> labels, List<DatasetSlice> slices, Precision precision, int ignoreLabel) {
        this.graph = graph;
        this.layout = layout;
        this.plan = layout.local();
        this.head = head;
        int n = plan.replicas();
        this.rows = slices.stream().mapToInt(DatasetSlice::count).sum();
        // this process's towers' share of the split over every replica of every process
        int[][] local = layout.localRows(rows);
        this.offsets = local[0];
        this.counts = local[1];
        int firstFed = layout.fedRows(rows)[0];
        // no timeout_seconds: see PeerWatchdog for why, and for what notices a hung peer instead
        this.collectives = Collectives.create(layout.totalReplicas(), plan.usesGpu() ? "nccl" : "ring");
        for (String d : plan.devices()) {
            onDevice.add(Placement.on(Ops.create(graph), d, layout.placementTask()));
        }
        long height = images.shape().get(1);
        long width = images.shape().get(2);
        List<ModelOutputs> outputs = new ArrayList<>();
        List<SegmentationLoss.Partial> partials = new ArrayList<>();
        List<Optional<SegmentationLoss.Partial>> auxPartials = new ArrayList<>();
        int mark = Placement.mark(graph);
        for (int r = 0; r < n; r++) {
            Ops tf = onDevice.get(r);
            Operand<TFloat32> in = tf.slice(images, tf.constant(new int[] {offsets[r] - firstFed, 0, 0, 0}),
                    tf.constant(new int[] {counts[r], (int) height, (int) width, 3}));
            Operand<? extends TIntegral> lab = sliceRows(tf, labels, r, firstFed);
            ModelOutputs out = model.forward(r == 0 ? "train" : "train_replica" + r, in, true, precision,
                    new Sync(r));
            outputs.add(out);
            partials.add(SegmentationLoss.partial(tf, out.logits(), lab, slices, offsets[r], counts[r], ignoreLabel));
            int tower = r;
            auxPartials.add(out.auxLogits().map(a -> SegmentationLoss.partial(tf, a, lab, slices, offsets[tower],
                    counts[tower], ignoreLabel)));
            // the model builds with its own (first-device) ops: move the tower's forward pass to its device
            mark = placeOn(r, mark);
        }
        this.loss = globalLoss("loss", partials, slices.size());
        this.auxLoss = auxPartials.get(0).isPresent()
                ? Optional.of(globalLoss("aux", auxPartials.stream().map(Optional::get).toList(), slices.size()))
                : Optional.empty();
        ModelOutputs first = outputs.get(0);
        this.forward = new ModelOutputs(images,
                concat("logits", outputs.stream().map(ModelOutputs::logits).toList()),
                first.auxLogits().isPresent()
                        ? Optional.of(concat("aux_logits", outputs.stream().map(o -> o.auxLogits().get()).toList()))
                        : Optional.empty(),
                concat("representation", outputs.stream().map(ModelOutputs::representation).toList()),
                // SyncBN: every tower computed the same statistics; the shared running statistics update once
                first.statisticsUpdate());
    }

    /**
     * The plan's split of {@code rows} batch rows over {@code replicas} towers: contiguous, the first
     * {@code rows mod replicas} towers one row more.
     *
     * @throws ConfigException if a tower would get no row
     */
    static void rowsOf(int rows, int replicas, int[] offsets, int[] counts) {
        if (replicas > rows) {
            throw new ConfigException("TRAIN.devices: " + replicas + " replicas (devices of all processes) for " + rows
                    + " crops per step; every replica needs at least one crop (raise the batch size or use fewer"
                    + " devices or processes)");
        }
        int offset = 0;
        for (int r = 0; r < replicas; r++) {
            counts[r] = rows / replicas + (r < rows % replicas ? 1 : 0);
            offsets[r] = offset;
            offset += counts[r];
        }
    }

    private Operand<? extends TIntegral> sliceRows(Ops tf, Operand<? extends TIntegral> labels, int r, int firstFed) {
        long height = labels.shape().get(1);
        long width = labels.shape().get(2);
        return tf.slice(labels, tf.constant(new int[] {offsets[r] - firstFed, 0, 0}),
                tf.constant(new int[] {counts[r], (int) height, (int) width}));
    }

    /** Replicas of every process. */
    int replicas() {
        return layout.totalReplicas();
    }

    ModelOutputs forward() {
        return forward;
    }

    SegmentationLoss loss() {
        return loss;
    }

    Optional<SegmentationLoss> auxLoss() {
        return auxLoss;
    }

    /**
     * The per-dataset losses of the whole batch: each tower divides its sums by the step's labelled-pixel counts
     * (summed over towers), so the towers' shares add up to {@code Σ loss / Σ count} per dataset.
     */
    private SegmentationLoss globalLoss(String name, List<SegmentationLoss.Partial> partials, int datasets) {
        List<Operand<TFloat32>> shares = new ArrayList<>();
        List<Operand<TFloat32>> pixelLoss = new ArrayList<>();
        List<Operand<TFloat32>> pixelWeight = new ArrayList<>();
        for (int r = 0; r < partials.size(); r++) {
            Ops tf = onDevice.get(r);
            SegmentationLoss.Partial p = partials.get(r);
            Operand<TFloat32> count = collectives.sum(tf, p.datasetCount(), name + " counts");
            shares.add(p.datasetLosses(tf, count));
            pixelLoss.add(p.pixelLoss());
            pixelWeight.add(p.pixelWeight());
        }
        Operand<TFloat32> datasetLosses = global(name + " dataset losses", shares, Collectives.FORWARD);
        return SegmentationLoss.fromDatasetLosses(head, datasetLosses, datasets, concat(name + " pixel loss",
                pixelLoss), concat(name + " pixel weight", pixelWeight));
    }

    /** The batch-wide concatenation (along rows) of the towers' tensors: each pads its rows with zeros, then a sum. */
    private Operand<TFloat32> concat(String name, List<Operand<TFloat32>> perTower) {
        List<Operand<TFloat32>> padded = new ArrayList<>();
        for (int r = 0; r < perTower.size(); r++) {
            Operand<TFloat32> x = perTower.get(r);
            int rank = x.shape().numDimensions();
            int[][] pad = new int[rank][2];
            pad[0][0] = offsets[r];
            pad[0][1] = rows - offsets[r] - counts[r];
            Ops tf = onDevice.get(r);
            padded.add(tf.pad(x, tf.constant(pad), tf.constant(0f)));
        }
        return global(name, padded, null);
    }

    /** A differentiable global value: {@link #reduce}, remembered with its contributions for {@link #gradients}. */
    private Operand<TFloat32> global(String name, List<Operand<TFloat32>> contributions, String lane) {
        Operand<TFloat32> value = reduce(name, contributions, lane);
        globals.add(new Global(value, List.copyOf(contributions)));
        return value;
    }

    /**
     * The gradient of {@code objective} (built from the global values of this step) w.r.t. the shared variables:
     * summed over towers, on the first device.
     */
    @SuppressWarnings("unchecked")
    List<Operand<TFloat32>> gradients(Operand<TFloat32> objective, List<Variable<TFloat32>> variables) {
        int call = gradientCalls++;
        List<Global> known = reachable(objective, variables);
        Output<?>[] values = known.stream().map(g -> g.value().asOutput()).toArray(Output<?>[]::new);
        int mark = Placement.mark(graph);
        Output<?>[] headGradients = graph.addGradients("head_gradients_" + call, new Output<?>[] {objective.asOutput()},
                values, null);
        mark = placeOn(0, mark);
        Output<?>[] x = variables.stream().map(v -> v.asOutput()).toArray(Output<?>[]::new);
        List<List<Operand<TFloat32>>> perTower = new ArrayList<>();
        for (int r = 0; r < plan.replicas(); r++) {
            List<Output<?>> y = new ArrayList<>();
            List<Output<?>> dy = new ArrayList<>();
            for (int k = 0; k < known.size(); k++) {
                if (headGradients[k] != null && !headGradients[k].isClosed()) {
                    y.add(known.get(k).contributions().get(r).asOutput());
                    dy.add(headGradients[k]);
                }
            }
            if (y.isEmpty()) {
                throw new IllegalStateException("the objective " + objective.op().name() + " depends on none of the"
                        + " step's losses or outputs");
            }
            int tower = r;
            Output<?>[] grads = collectives.withGradientTag("call " + call, () -> graph.addGradients(
                    "tower" + tower + "_gradients_" + call, y.toArray(Output<?>[]::new), x, dy.toArray(Output<?>[]::new)));
            Ops tf = onDevice.get(r);
            List<Operand<TFloat32>> g = new ArrayList<>();
            for (int i = 0; i < grads.length; i++) {
                g.add(grads[i] == null || grads[i].isClosed() ? tf.zerosLike(variables.get(i))
                        : (Operand<TFloat32>) (Operand<?>) grads[i]);
            }
            mark = placeOn(r, mark);
            perTower.add(g);
        }
        return allReduce(call, perTower, variables);
    }

    /** {@link Placement#place}s the ops built since {@code mark} on tower {@code r}'s device; the next mark. */
    private int placeOn(int r, int mark) {
        return Placement.place(graph, mark, Placement.deviceName(plan.devices().get(r), layout.placementTask()),
                onDevice.get(r));
    }

    /**
     * The global values {@code objective} is computed from (TensorFlow differentiates only w.r.t. tensors the output
     * depends on). The search stops at global values, so it stays within the strategy's head; reaching a trained
     * variable on another path is refused.
     */
    private List<Global> reachable(Operand<TFloat32> objective, List<Variable<TFloat32>> variables) {
        Set<String> trained = new HashSet<>();
        variables.forEach(v -> trained.add(v.op().name()));
        Map<String, Global> byOp = new HashMap<>();
        for (Global g : globals) {
            byOp.put(g.value().op().name(), g);
        }
        Set<String> seen = new HashSet<>();
        Set<String> found = new HashSet<>();
        ArrayDeque<GraphOperation> queue = new ArrayDeque<>();
        queue.add((GraphOperation) objective.op());
        while (!queue.isEmpty()) {
            GraphOperation op = queue.poll();
            if (!seen.add(op.name())) {
                continue;
            }
            if (byOp.containsKey(op.name())) {
                found.add(op.name());
                continue;
            }
            if (trained.contains(op.name())) {
                // a path around the towers: its gradient would be lost, so say so instead
                throw new ConfigException("TRAIN.devices: the strategy's objective " + objective.op().name()
                        + " reads the variable " + op.name() + " other than through the step's losses and outputs"
                        + " (StrategyContext.loss(), forward(), datasetObjectives()); on " + layout.totalReplicas()
                        + " devices only those are differentiated through the towers. Train it on one device"
                        + " (devices: cpu)");
            }
            for (int i = 0; i < op.numInputs(); i++) {
                queue.add((GraphOperation) op.input(i).op());
            }
        }
        return globals.stream().filter(g -> found.contains(g.value().op().name())).toList();
    }

    /**
     * Sums the towers' gradients bucket by bucket; returns the sums as read on the first device. The buckets are
     * launched last variables first: the backward pass produces those gradients first, so their all-reduce can start
     * while it still runs. On CPUs the buckets have a launch order of their own, apart from the batch-norm gradient
     * all-reduces of the backward pass, so that a ready bucket does not wait for the whole backward pass; NCCL needs
     * one launch order per device for everything, so on GPUs they share the gradient computation's lane.
     */
    private List<Operand<TFloat32>> allReduce(int call, List<List<Operand<TFloat32>>> perTower,
            List<Variable<TFloat32>> variables) {
        Operand<TFloat32>[] sums = newArray(variables.size());
        List<int[]> buckets = buckets(variables);
        String lane = plan.usesGpu() ? "call " + call : "call " + call + " buckets";
        for (int bucket = buckets.size() - 1; bucket >= 0; bucket--) {
            int start = buckets.get(bucket)[0];
            int end = buckets.get(bucket)[1];
            List<Operand<TFloat32>> contributions = new ArrayList<>();
            for (int r = 0; r < perTower.size(); r++) {
                Ops tf = onDevice.get(r);
                List<Operand<TFloat32>> flat = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    flat.add(tf.reshape(perTower.get(r).get(i), tf.constant(new int[] {-1})));
                }
                contributions.add(flat.size() == 1 ? flat.get(0) : tf.concat(flat, tf.constant(0)));
            }
            Operand<TFloat32> sum = reduce("gradients " + call + " bucket " + bucket, contributions, lane,
                    layout.gradientWireType());
            long at = 0;
            for (int i = start; i < end; i++) {
                long n = variables.get(i).shape().size();
                Operand<TFloat32> part = head.slice(sum, head.constant(new long[] {at}), head.constant(new long[] {n}));
                sums[i] = head.reshape(part, head.constant(variables.get(i).shape().asArray()));
                at += n;
            }
        }
        return List.of(sums);
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32>[] newArray(int n) {
        return (Operand<TFloat32>[]) new Operand<?>[n];
    }

    /** The variables' all-reduce buckets: {@code [start, end)} index ranges of at most {@link #BUCKET_FLOATS}. */
    private static List<int[]> buckets(List<Variable<TFloat32>> variables) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        while (start < variables.size()) {
            long size = 0;
            int end = start;
            while (end < variables.size()
                    && (end == start || size + variables.get(end).shape().size() <= BUCKET_FLOATS)) {
                size += variables.get(end).shape().size();
                end++;
            }
            out.add(new int[] {start, end});
            start = end;
        }
        return out;
    }

    /**
     * Seconds one step's gradient all-reduce takes on its own: the same buckets, summed over the same devices, from
     * buffers of zeros (built on the first call; they run outside the step, so nothing overlaps them).
     */
    double timeGradientAllReduce(Session session, List<Variable<TFloat32>> variables, int runs) {
        if (allReduceProbe == null) {
            List<int[]> buckets = buckets(variables);
            List<Op> all = new ArrayList<>();
            for (int b = 0; b < buckets.size(); b++) {
                long size = 0;
                for (int i = buckets.get(b)[0]; i < buckets.get(b)[1]; i++) {
                    size += variables.get(i).shape().size();
                }
                for (int r = 0; r < plan.replicas(); r++) {
                    Ops tf = onDevice.get(r);
                    Operand<TFloat32> zeros = tf.fill(tf.constant(new long[] {size}), tf.constant(0f));
                    Class<? extends TNumber> wire = layout.gradientWireType();
                    Operand<? extends TNumber> sent = wire == null ? zeros : tf.dtypes.cast(zeros, wire);
                    all.add(tf.identity(collectives.unorderedSum(tf, sent, "all-reduce probe bucket " + b)));
                }
            }
            allReduceProbe = head.withControlDependencies(all).noOp();
        }
        session.run(allReduceProbe); // first run: executor set-up, collective group resolution
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            session.run(allReduceProbe);
        }
        return (System.nanoTime() - start) / 1e9 / runs;
    }

    /**
     * The all-reduce (sum) of one contribution per tower, as read on the first device; reading it runs every tower's
     * member (control dependencies), so no member waits for a partner that is never run.
     */
    private Operand<TFloat32> reduce(String name, List<Operand<TFloat32>> contributions, String lane) {
        return reduce(name, contributions, lane, null);
    }

    /**
     * {@link #reduce(String, List, String)} travelling in {@code wire} (bfloat16 or float16; null: float32): each
     * tower rounds its contribution on its device, and the first device widens the sum again.
     */
    @SuppressWarnings("unchecked")
    private Operand<TFloat32> reduce(String name, List<Operand<TFloat32>> contributions, String lane,
            Class<? extends TNumber> wire) {
        List<Op> others = new ArrayList<>();
        Operand<? extends TNumber> first = null;
        for (int r = 0; r < contributions.size(); r++) {
            Ops tf = onDevice.get(r);
            Operand<? extends TNumber> sent = wire == null ? contributions.get(r)
                    : tf.dtypes.cast(contributions.get(r), wire);
            Operand<? extends TNumber> member = lane != null ? collectives.sum(tf, sent, name, lane)
                    : collectives.unorderedSum(tf, sent, name);
            if (r == 0) {
                first = member;
            } else {
                others.add(tf.identity(member));
            }
        }
        Ops after = head.withControlDependencies(others);
        return wire == null ? (Operand<TFloat32>) after.identity(first) : after.dtypes.cast(first, TFloat32.class);
    }

    /** One tower's view of the other towers, for its forward pass's BN statistics. */
    private final class Sync implements CrossReplica {
        private final int replica;
        private int calls;

        Sync(int replica) {
            this.replica = replica;
        }

        @Override
        public int replicas() {
            return layout.totalReplicas();
        }

        @Override
        public Operand<TFloat32> sum(Operand<TFloat32> local) {
            return collectives.sum(onDevice.get(replica), local, "forward sum " + calls++);
        }
    }
}
