package org.mseg.hrnet;

import java.util.List;
import java.util.Optional;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The HRNetV2 module tree as plain values holding their variables. It mirrors upstream {@code seg_hrnet.py}, so every
 * {@code key} below is a PyTorch module path and the variables are named {@code key + ".weight"} etc.
 */
final class Modules {

    private Modules() {
    }

    /** {@code nn.Conv2d} with padding {@code (kernel − 1) / 2}. */
    record Conv(String key, int in, int out, int kernel, int stride, Variable<TFloat32> weight,
            Optional<Variable<TFloat32>> bias) {
    }

    /** {@code BatchNorm2d} (affine, with running statistics). */
    record BatchNorm(String key, int channels, Variable<TFloat32> gamma, Variable<TFloat32> beta,
            Variable<TFloat32> runningMean, Variable<TFloat32> runningVar) {
    }

    /** A convolution followed by batch norm (the {@code .0} and {@code .1} of an upstream Sequential). */
    record ConvBn(Conv conv, BatchNorm bn) {
    }

    /** ResNet Bottleneck (expansion 4), projection shortcut only where channels change. */
    record Bottleneck(String key, ConvBn first, ConvBn second, ConvBn third, Optional<ConvBn> downsample) {
    }

    /** ResNet BasicBlock. */
    record BasicBlock(String key, ConvBn first, ConvBn second, Optional<ConvBn> downsample) {
    }

    /**
     * A non-identity transition into branch {@code branch}: a chain of conv → BN → ReLU. A new branch reads the last
     * (lowest-resolution) output of the previous stage; an existing branch whose width changes reads its own.
     */
    record TransitionBranch(String key, int branch, boolean newBranch, List<ConvBn> chain) {
    }

    /** {@code transition{n}}: one entry per branch of the next stage, empty where upstream has {@code None}. */
    record Transition(String key, List<Optional<TransitionBranch>> branches) {
    }

    /**
     * {@code fuse_layers.i.j} from branch {@code from = j} into branch {@code to = i}. For {@code j > i} a single
     * conv1×1 → BN followed by a half-pixel bilinear resize; for {@code j < i} a chain of stride-2 conv3×3 → BN with
     * ReLU between them (not after the last).
     */
    record Fuse(String key, int from, int to, List<ConvBn> chain) {
    }

    /** A HighResolutionModule: parallel branches, then (with more than one branch) the fuse layers. */
    record HrModule(String key, List<List<BasicBlock>> branches, List<List<Optional<Fuse>>> fuse) {
    }

    /** Transition into stage {@code index} (2..4) followed by its modules. */
    record Stage(int index, Transition transition, List<HrModule> modules) {
    }

    /** {@code last_layer}: conv1×1 (bias) → BN → ReLU → conv1×1 (bias) to the classes. */
    record Head(Conv conv0, BatchNorm bn1, Conv conv3) {
    }

    /** The whole network. */
    record Network(ConvBn stem1, ConvBn stem2, List<Bottleneck> layer1, List<Stage> stages, Head head) {
    }
}
