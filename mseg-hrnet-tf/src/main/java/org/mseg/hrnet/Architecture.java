package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link Modules.Network} tree, creating variables in the order of upstream's {@code state_dict}
 * (module registration order of {@code HighResolutionNet}).
 */
final class Architecture {

    private Architecture() {
    }

    static Modules.Network build(ParameterFactory f, HrnetSpec spec, int numClasses) {
        int stem = spec.stemChannels();
        Modules.ConvBn stem1 = f.convBn("conv1", "bn1", 3, stem, 3, 2);
        Modules.ConvBn stem2 = f.convBn("conv2", "bn2", stem, stem, 3, 2);

        List<Modules.Bottleneck> layer1 = new ArrayList<>();
        int planes = spec.stage1Planes();
        int expanded = spec.stage1OutputChannels();
        for (int i = 0; i < spec.stage1Blocks(); i++) {
            String key = "layer1." + i;
            int in = i == 0 ? stem : expanded;
            Modules.ConvBn first = f.convBn(key + ".conv1", key + ".bn1", in, planes, 1, 1);
            Modules.ConvBn second = f.convBn(key + ".conv2", key + ".bn2", planes, planes, 3, 1);
            Modules.ConvBn third = f.convBn(key + ".conv3", key + ".bn3", planes, expanded, 1, 1);
            Optional<Modules.ConvBn> downsample = in == expanded ? Optional.empty()
                    : Optional.of(f.convBn(key + ".downsample.0", key + ".downsample.1", in, expanded, 1, 1));
            layer1.add(new Modules.Bottleneck(key, first, second, third, downsample));
        }

        List<Modules.Stage> stages = new ArrayList<>();
        List<Integer> previous = List.of(expanded);
        for (int stage = 2; stage <= 4; stage++) {
            List<Integer> widths = spec.branchWidths().subList(0, stage);
            Modules.Transition transition = transition(f, "transition" + (stage - 1), previous, widths);
            List<Modules.HrModule> modules = new ArrayList<>();
            for (int m = 0; m < spec.modules(stage); m++) {
                modules.add(module(f, "stage" + stage + "." + m, widths, spec.blocksPerBranch()));
            }
            stages.add(new Modules.Stage(stage, transition, List.copyOf(modules)));
            previous = widths;
        }

        int r = spec.representationChannels();
        Modules.Head head = new Modules.Head(
                f.conv("last_layer.0", r, r, 1, 1, true),
                f.batchNorm("last_layer.1", r),
                f.conv("last_layer.3", r, numClasses, 1, 1, true));
        return new Modules.Network(stem1, stem2, List.copyOf(layer1), List.copyOf(stages), head);
    }

    /** Upstream {@code _make_transition_layer}. */
    private static Modules.Transition transition(ParameterFactory f, String key, List<Integer> previous,
            List<Integer> current) {
        List<Optional<Modules.TransitionBranch>> branches = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            String branchKey = key + "." + i;
            if (i < previous.size()) {
                if (previous.get(i).equals(current.get(i))) {
                    branches.add(Optional.empty());
                } else {
                    Modules.ConvBn convBn = f.convBn(branchKey + ".0", branchKey + ".1", previous.get(i),
                            current.get(i), 3, 1);
                    branches.add(Optional.of(new Modules.TransitionBranch(branchKey, i, false, List.of(convBn))));
                }
            } else {
                int in = previous.get(previous.size() - 1);
                int chainLength = i + 1 - previous.size();
                List<Modules.ConvBn> chain = new ArrayList<>();
                for (int j = 0; j < chainLength; j++) {
                    int out = j == chainLength - 1 ? current.get(i) : in;
                    String k = branchKey + "." + j;
                    chain.add(f.convBn(k + ".0", k + ".1", in, out, 3, 2));
                }
                branches.add(Optional.of(new Modules.TransitionBranch(branchKey, i, true, List.copyOf(chain))));
            }
        }
        return new Modules.Transition(key, List.copyOf(branches));
    }

    /** Upstream {@code HighResolutionModule} with BasicBlocks, multi-scale output, SUM fusion. */
    private static Modules.HrModule module(ParameterFactory f, String key, List<Integer> widths, int blocks) {
        List<List<Modules.BasicBlock>> branches = new ArrayList<>();
        for (int b = 0; b < widths.size(); b++) {
            int c = widths.get(b);
            List<Modules.BasicBlock> branch = new ArrayList<>();
            for (int k = 0; k < blocks; k++) {
                String blockKey = key + ".branches." + b + "." + k;
                branch.add(new Modules.BasicBlock(blockKey,
                        f.convBn(blockKey + ".conv1", blockKey + ".bn1", c, c, 3, 1),
                        f.convBn(blockKey + ".conv2", blockKey + ".bn2", c, c, 3, 1),
                        Optional.empty()));
            }
            branches.add(List.copyOf(branch));
        }
        List<List<Optional<Modules.Fuse>>> fuse = new ArrayList<>();
        if (widths.size() > 1) {
            for (int i = 0; i < widths.size(); i++) {
                List<Optional<Modules.Fuse>> row = new ArrayList<>();
                for (int j = 0; j < widths.size(); j++) {
                    String fuseKey = key + ".fuse_layers." + i + "." + j;
                    if (j > i) {
                        Modules.ConvBn convBn = f.convBn(fuseKey + ".0", fuseKey + ".1", widths.get(j),
                                widths.get(i), 1, 1);
                        row.add(Optional.of(new Modules.Fuse(fuseKey, j, i, List.of(convBn))));
                    } else if (j == i) {
                        row.add(Optional.empty());
                    } else {
                        List<Modules.ConvBn> chain = new ArrayList<>();
                        for (int k = 0; k < i - j; k++) {
                            int out = k == i - j - 1 ? widths.get(i) : widths.get(j);
                            String step = fuseKey + "." + k;
                            chain.add(f.convBn(step + ".0", step + ".1", widths.get(j), out, 3, 2));
                        }
                        row.add(Optional.of(new Modules.Fuse(fuseKey, j, i, List.copyOf(chain))));
                    }
                }
                fuse.add(List.copyOf(row));
            }
        }
        return new Modules.HrModule(key, List.copyOf(branches), List.copyOf(fuse));
    }
}
