package org.mseg.hrnet;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * One forward pass of an {@link Hrnet} built into its graph: the input it reads, the logits and representation it
 * produces, and (in {@link BatchNormMode#TRAINING}) the ops that update the BN running statistics. Several forward
 * passes (e.g. a training and an evaluation pass, or passes for different crop sizes) share the model's variables.
 *
 * <p>Op names live under the forward's name: {@code <name>/input} (when the forward created its placeholder),
 * {@code <name>/logits}, {@code <name>/representation}, {@code <name>/running_stat_update}.
 */
public final class HrnetForward {

    private final String name;
    private final BatchNormMode mode;
    private final Operand<TFloat32> input;
    private final Operand<TFloat32> logits;
    private final Operand<TFloat32> representation;
    private final List<Op> runningStatUpdates;
    private final Optional<Op> runningStatUpdate;
    private final Map<String, Shape> blockShapes;

    HrnetForward(String name, BatchNormMode mode, Operand<TFloat32> input, Operand<TFloat32> logits,
            Operand<TFloat32> representation, List<Op> runningStatUpdates, Optional<Op> runningStatUpdate,
            Map<String, Shape> blockShapes) {
        this.name = Objects.requireNonNull(name);
        this.mode = Objects.requireNonNull(mode);
        this.input = Objects.requireNonNull(input);
        this.logits = Objects.requireNonNull(logits);
        this.representation = Objects.requireNonNull(representation);
        this.runningStatUpdates = List.copyOf(runningStatUpdates);
        this.runningStatUpdate = Objects.requireNonNull(runningStatUpdate);
        this.blockShapes = Map.copyOf(blockShapes);
    }

    /** The name given to {@link Hrnet#forward}; also the op-name scope of this pass. */
    public String name() {
        return name;
    }

    /** Whether BN uses batch or running statistics. */
    public BatchNormMode mode() {
        return mode;
    }

    /** The input image batch: float32 NHWC with 3 channels, already normalised (feed it when it is a placeholder). */
    public Operand<TFloat32> input() {
        return input;
    }

    /** Class logits, float32 NHWC at the full input resolution ({@code [N, H, W, numClasses]}), no softmax. */
    public Operand<TFloat32> logits() {
        return logits;
    }

    /**
     * The HRNetV2 representation: the four branches upsampled to 1/4 resolution and concatenated, the input of
     * {@code last_layer} ({@code [N, (H−1)/4+1, (W−1)/4+1, 15·w]}).
     */
    public Operand<TFloat32> representation() {
        return representation;
    }

    /**
     * The individual running-statistics assignments, two per BN layer (mean, variance), in {@code state_dict} order;
     * empty in {@link BatchNormMode#INFERENCE}. Each one depends on the forward computation it summarises.
     */
    public List<Op> runningStatUpdates() {
        return runningStatUpdates;
    }

    /**
     * All {@link #runningStatUpdates()} grouped into one no-op to run as a target (or control dependency) of the
     * training step; empty in {@link BatchNormMode#INFERENCE}.
     */
    public Optional<Op> runningStatUpdate() {
        return runningStatUpdate;
    }

    /** Static output shape of each summary block (keys as in {@link Hrnet#summary}); for tests. */
    Map<String, Shape> blockShapes() {
        return blockShapes;
    }
}
