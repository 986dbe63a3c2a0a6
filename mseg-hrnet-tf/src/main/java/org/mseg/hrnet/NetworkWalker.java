package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The HRNetV2 forward pass written once over an abstract tensor type {@code X}, so the TensorFlow graph and the
 * shape-only layer summary cannot disagree about the structure.
 */
final class NetworkWalker {

    /** The primitive operations the forward pass needs. */
    interface Compute<X> {
        X conv(X x, Modules.Conv conv);

        X batchNorm(X x, Modules.BatchNorm bn);

        X relu(X x);

        X add(X a, X b);

        /** Bilinear resize of {@code x} to the spatial size of {@code like}, half-pixel centres. */
        X resizeHalfPixel(X x, X like);

        /** Concatenation along channels. */
        X concat(List<X> xs);

        /** Bilinear resize to {@code height × width}, align_corners = true. */
        X resizeAlignCorners(X x, int height, int width);

        /** Called after each summary-level block with its output. */
        void block(String name, String kind, X output);
    }

    /** Both outputs of a forward pass. */
    record Outputs<X>(X representation, X logits) {
    }

    private NetworkWalker() {
    }

    static <X> Outputs<X> run(Modules.Network net, X input, int height, int width, Compute<X> c) {
        Modules.ConvBn stem1 = net.stem1();
        X x = c.conv(input, stem1.conv());
        c.block("conv1", describe(stem1.conv()), x);
        x = c.relu(c.batchNorm(x, stem1.bn()));
        c.block("bn1", "BatchNorm2d + ReLU", x);
        Modules.ConvBn stem2 = net.stem2();
        x = c.conv(x, stem2.conv());
        c.block("conv2", describe(stem2.conv()), x);
        x = c.relu(c.batchNorm(x, stem2.bn()));
        c.block("bn2", "BatchNorm2d + ReLU", x);

        for (Modules.Bottleneck b : net.layer1()) {
            x = bottleneck(x, b, c);
            c.block(b.key(), "Bottleneck" + (b.downsample().isPresent() ? " (projection)" : ""), x);
        }

        List<X> outputs = List.of(x);
        for (Modules.Stage stage : net.stages()) {
            List<X> inputs = new ArrayList<>();
            List<Optional<Modules.TransitionBranch>> transitions = stage.transition().branches();
            for (int b = 0; b < transitions.size(); b++) {
                Optional<Modules.TransitionBranch> t = transitions.get(b);
                if (t.isEmpty()) {
                    inputs.add(outputs.get(b));
                    continue;
                }
                X y = t.get().newBranch() ? outputs.get(outputs.size() - 1) : outputs.get(b);
                for (Modules.ConvBn step : t.get().chain()) {
                    y = c.relu(c.batchNorm(c.conv(y, step.conv()), step.bn()));
                }
                c.block(t.get().key(), "Transition " + t.get().chain().size() + "× ("
                        + describe(t.get().chain().get(0).conv()) + " + BN + ReLU)", y);
                inputs.add(y);
            }
            for (Modules.HrModule module : stage.modules()) {
                inputs = module(inputs, module, c);
            }
            outputs = inputs;
        }

        X first = outputs.get(0);
        List<X> parts = new ArrayList<>();
        parts.add(first);
        for (int b = 1; b < outputs.size(); b++) {
            parts.add(c.resizeHalfPixel(outputs.get(b), first));
        }
        X representation = c.concat(parts);
        c.block("concat", "Upsample branches 1-3 (bilinear, half-pixel) + concat", representation);

        Modules.Head head = net.head();
        X y = c.conv(representation, head.conv0());
        c.block("last_layer.0", describe(head.conv0()), y);
        y = c.batchNorm(y, head.bn1());
        c.block("last_layer.1", "BatchNorm2d", y);
        y = c.relu(y);
        c.block("last_layer.2", "ReLU", y);
        y = c.conv(y, head.conv3());
        c.block("last_layer.3", describe(head.conv3()), y);
        X logits = c.resizeAlignCorners(y, height, width);
        c.block("upsample", "Upsample bilinear (align_corners=true) to input size", logits);
        return new Outputs<>(representation, logits);
    }

    private static <X> X bottleneck(X x, Modules.Bottleneck b, Compute<X> c) {
        X out = c.relu(c.batchNorm(c.conv(x, b.first().conv()), b.first().bn()));
        out = c.relu(c.batchNorm(c.conv(out, b.second().conv()), b.second().bn()));
        out = c.batchNorm(c.conv(out, b.third().conv()), b.third().bn());
        X residual = b.downsample().map(d -> c.batchNorm(c.conv(x, d.conv()), d.bn())).orElse(x);
        return c.relu(c.add(out, residual));
    }

    private static <X> X basicBlock(X x, Modules.BasicBlock b, Compute<X> c) {
        X out = c.relu(c.batchNorm(c.conv(x, b.first().conv()), b.first().bn()));
        out = c.batchNorm(c.conv(out, b.second().conv()), b.second().bn());
        X residual = b.downsample().map(d -> c.batchNorm(c.conv(x, d.conv()), d.bn())).orElse(x);
        return c.relu(c.add(out, residual));
    }

    private static <X> List<X> module(List<X> inputs, Modules.HrModule m, Compute<X> c) {
        List<X> branchOutputs = new ArrayList<>();
        for (int b = 0; b < m.branches().size(); b++) {
            X y = inputs.get(b);
            for (Modules.BasicBlock block : m.branches().get(b)) {
                y = basicBlock(y, block, c);
            }
            c.block(m.key() + ".branches." + b, m.branches().get(b).size() + "× BasicBlock", y);
            branchOutputs.add(y);
        }
        if (m.fuse().isEmpty()) {
            return branchOutputs;
        }
        List<X> fused = new ArrayList<>();
        for (int i = 0; i < m.fuse().size(); i++) {
            X sum = null;
            for (int j = 0; j < branchOutputs.size(); j++) {
                Optional<Modules.Fuse> f = m.fuse().get(i).get(j);
                X term = f.isEmpty() ? branchOutputs.get(j) : fuseTerm(branchOutputs.get(j), branchOutputs.get(i),
                        f.get(), c);
                sum = sum == null ? term : c.add(sum, term);
            }
            X out = c.relu(sum);
            c.block(m.key() + ".fuse_layers." + i, "Fuse " + branchOutputs.size() + " branches (sum + ReLU)", out);
            fused.add(out);
        }
        return fused;
    }

    private static <X> X fuseTerm(X x, X target, Modules.Fuse f, Compute<X> c) {
        List<Modules.ConvBn> chain = f.chain();
        if (f.from() > f.to()) {
            Modules.ConvBn step = chain.get(0);
            return c.resizeHalfPixel(c.batchNorm(c.conv(x, step.conv()), step.bn()), target);
        }
        X y = x;
        for (int k = 0; k < chain.size(); k++) {
            y = c.batchNorm(c.conv(y, chain.get(k).conv()), chain.get(k).bn());
            if (k < chain.size() - 1) {
                y = c.relu(y);
            }
        }
        return y;
    }

    static String describe(Modules.Conv conv) {
        return "Conv2d " + conv.kernel() + "x" + conv.kernel() + "/" + conv.stride() + " " + conv.in() + "->"
                + conv.out() + (conv.bias().isPresent() ? " +bias" : "");
    }
}
