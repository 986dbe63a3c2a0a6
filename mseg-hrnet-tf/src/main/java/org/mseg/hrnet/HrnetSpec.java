package org.mseg.hrnet;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.mseg.api.ConfigException;

/**
 * The shape of an HRNetV2 network: everything except the number of classes.
 *
 * <p>The network is the one of upstream {@code seg_hrnet.py} with its hard-coded numbers made parameters:
 *
 * <ul>
 *   <li>stem: {@code conv3×3/2 (3→stemChannels) → BN → ReLU → conv3×3/2 (stemChannels→stemChannels) → BN → ReLU};
 *   <li>stage 1 ({@code layer1}): {@code stage1Blocks} Bottlenecks of {@code stage1Planes} planes, output
 *       {@code 4·stage1Planes} channels;
 *   <li>stages 2, 3 and 4: 2, 3 and 4 branches of widths {@code [w, 2w, 4w, 8w]} ({@code w = baseWidth}), each
 *       branch {@code blocksPerBranch} BasicBlocks, repeated in {@code modulesPerStage = [m2, m3, m4]}
 *       HighResolutionModules;
 *   <li>head: the four branches concatenated at 1/4 resolution ({@code 15·w} channels), then
 *       {@code conv1×1 → BN → ReLU → conv1×1 → classes}.
 * </ul>
 *
 * <p>Named variants:
 *
 * <ul>
 *   <li>{@link #w48()}, {@link #w32()}, {@link #w18()}: standard HRNetV2 (stem 64, stage 1 = 4 Bottlenecks of 64
 *       planes, 4 BasicBlocks per branch, modules (1, 4, 3)); {@code w48} is the MSeg model;
 *   <li>{@link #tiny()}: a network of about 250 thousand parameters with the same topology (all four branches,
 *       every kind of fuse and transition layer) for unit tests and CPU demos: stem 16, stage 1 = one Bottleneck of 16 planes
 *       (64 channels), {@code w = 8}, one BasicBlock per branch, modules (1, 1, 1). Its predictions are meaningless
 *       for real data.
 * </ul>
 *
 * @param name            variant name, used in logs and summaries
 * @param stemChannels    channels of the two stem convolutions (64 upstream)
 * @param stage1Planes    Bottleneck planes of stage 1 (64 upstream); stage 1 outputs {@code 4·stage1Planes} channels
 * @param stage1Blocks    number of Bottlenecks in stage 1 (4 upstream)
 * @param baseWidth       width {@code w} of the highest-resolution branch (48 for W48)
 * @param blocksPerBranch BasicBlocks per branch in every HighResolutionModule (4 upstream)
 * @param modulesPerStage number of HighResolutionModules in stages 2, 3 and 4 ((1, 4, 3) upstream)
 */
public record HrnetSpec(
        String name,
        int stemChannels,
        int stage1Planes,
        int stage1Blocks,
        int baseWidth,
        int blocksPerBranch,
        List<Integer> modulesPerStage) {

    /** Bottleneck channel expansion, as in ResNet. */
    public static final int BOTTLENECK_EXPANSION = 4;

    /** Number of resolution branches in the last stage. */
    public static final int BRANCHES = 4;

    private static final Map<String, Supplier<HrnetSpec>> VARIANTS = Map.of(
            "w48", HrnetSpec::w48,
            "w32", HrnetSpec::w32,
            "w18", HrnetSpec::w18,
            "tiny", HrnetSpec::tiny);

    /** Validates every field; the message names the field and its value. */
    public HrnetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modulesPerStage, "modulesPerStage");
        modulesPerStage = List.copyOf(modulesPerStage);
        requirePositive("stemChannels", stemChannels);
        requirePositive("stage1Planes", stage1Planes);
        requirePositive("stage1Blocks", stage1Blocks);
        requirePositive("baseWidth", baseWidth);
        requirePositive("blocksPerBranch", blocksPerBranch);
        if (modulesPerStage.size() != 3) {
            throw new IllegalArgumentException(
                    "modulesPerStage must list the module counts of stages 2, 3 and 4, was " + modulesPerStage);
        }
        for (int i = 0; i < 3; i++) {
            requirePositive("modulesPerStage[" + i + "] (stage " + (i + 2) + ")", modulesPerStage.get(i));
        }
    }

    private static void requirePositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("HRNet spec field " + field + " must be positive, was " + value);
        }
    }

    /** HRNetV2-W48, the MSeg model (65,985,554 parameters with 194 classes). */
    public static HrnetSpec w48() {
        return standard("w48", 48);
    }

    /** HRNetV2-W32. */
    public static HrnetSpec w32() {
        return standard("w32", 32);
    }

    /** HRNetV2-W18. */
    public static HrnetSpec w18() {
        return standard("w18", 18);
    }

    /**
     * A tiny network with the full HRNetV2 topology for tests and CPU demos: stem 16, one Bottleneck of 16 planes
     * (64 channels), branch widths (8, 16, 32, 64), one BasicBlock per branch, one module per stage.
     */
    public static HrnetSpec tiny() {
        return new HrnetSpec("tiny", 16, 16, 1, 8, 1, List.of(1, 1, 1));
    }

    private static HrnetSpec standard(String name, int width) {
        return new HrnetSpec(name, 64, 64, 4, width, 4, List.of(1, 4, 3));
    }

    /** Names accepted by {@link #named(String)}, sorted. */
    public static List<String> variantNames() {
        return VARIANTS.keySet().stream().sorted().toList();
    }

    /**
     * The named variant.
     *
     * @throws ConfigException if the name is unknown; the message lists the known names
     */
    public static HrnetSpec named(String name) {
        Supplier<HrnetSpec> spec = VARIANTS.get(name);
        if (spec == null) {
            throw new ConfigException("unknown HRNet variant '" + name + "'; known variants: "
                    + String.join(", ", variantNames()));
        }
        return spec.get();
    }

    /** Channels of branch {@code b} (0..3): {@code w·2^b}. */
    public int branchWidth(int branch) {
        if (branch < 0 || branch >= BRANCHES) {
            throw new IndexOutOfBoundsException("branch " + branch + " (HRNet has branches 0.." + (BRANCHES - 1) + ")");
        }
        return baseWidth << branch;
    }

    /** Channels of the four branches: {@code [w, 2w, 4w, 8w]}. */
    public List<Integer> branchWidths() {
        return List.of(branchWidth(0), branchWidth(1), branchWidth(2), branchWidth(3));
    }

    /** Channels leaving stage 1: {@code 4·stage1Planes}. */
    public int stage1OutputChannels() {
        return stage1Planes * BOTTLENECK_EXPANSION;
    }

    /** Channels of the concatenated head representation: {@code w + 2w + 4w + 8w}. */
    public int representationChannels() {
        return 15 * baseWidth;
    }

    /** Number of HighResolutionModules of stage {@code s} (2, 3 or 4). */
    public int modules(int stage) {
        if (stage < 2 || stage > 4) {
            throw new IndexOutOfBoundsException("stage " + stage + " (HRNet module stages are 2, 3 and 4)");
        }
        return modulesPerStage.get(stage - 2);
    }

    /**
     * Number of trainable scalars (convolution weights and biases, BN scales and offsets; no running statistics),
     * computed from the definition without building a graph. {@link Hrnet#trainableParameterCount()} counts the
     * same from the built variables.
     */
    public long parameterCount(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
        long s = stemChannels;
        long p = stage1Planes;
        long e = stage1OutputChannels();
        long total = conv(3, s, 3) + bn(s) + conv(s, s, 3) + bn(s);
        for (int i = 0; i < stage1Blocks; i++) {
            long in = i == 0 ? s : e;
            total += conv(in, p, 1) + bn(p) + conv(p, p, 3) + bn(p) + conv(p, e, 1) + bn(e);
            if (i == 0 && in != e) {
                total += conv(in, e, 1) + bn(e);
            }
        }
        long[] previous = {e};
        for (int stage = 2; stage <= 4; stage++) {
            int branches = stage;
            long[] widths = new long[branches];
            for (int b = 0; b < branches; b++) {
                widths[b] = branchWidth(b);
            }
            for (int b = 0; b < branches; b++) {
                if (b < previous.length) {
                    if (previous[b] != widths[b]) {
                        total += conv(previous[b], widths[b], 3) + bn(widths[b]);
                    }
                } else {
                    long in = previous[previous.length - 1];
                    int chain = b + 1 - previous.length;
                    for (int k = 0; k < chain; k++) {
                        long out = k == chain - 1 ? widths[b] : in;
                        total += conv(in, out, 3) + bn(out);
                    }
                }
            }
            long module = 0;
            for (int b = 0; b < branches; b++) {
                module += blocksPerBranch * 2L * (conv(widths[b], widths[b], 3) + bn(widths[b]));
            }
            for (int i = 0; i < branches; i++) {
                for (int j = 0; j < branches; j++) {
                    if (j > i) {
                        module += conv(widths[j], widths[i], 1) + bn(widths[i]);
                    } else if (j < i) {
                        for (int k = 0; k < i - j; k++) {
                            long out = k == i - j - 1 ? widths[i] : widths[j];
                            module += conv(widths[j], out, 3) + bn(out);
                        }
                    }
                }
            }
            total += module * modules(stage);
            previous = widths;
        }
        long r = representationChannels();
        total += conv(r, r, 1) + r + bn(r) + conv(r, numClasses, 1) + numClasses;
        return total;
    }

    private static long conv(long in, long out, int kernel) {
        return in * out * kernel * kernel;
    }

    private static long bn(long channels) {
        return 2 * channels;
    }

    /**
     * The fields a checkpoint stores to rebuild this network ({@link #fromParameters}), beside its name:
     * {@code stemChannels}, {@code stage1Planes}, {@code stage1Blocks}, {@code baseWidth}, {@code blocksPerBranch}
     * and {@code modulesPerStage}.
     */
    public Map<String, Object> toParameters() {
        // Longs, as Json parses integers: metadata read back from checkpoint.json then equals what was written
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("stemChannels", (long) stemChannels);
        m.put("stage1Planes", (long) stage1Planes);
        m.put("stage1Blocks", (long) stage1Blocks);
        m.put("baseWidth", (long) baseWidth);
        m.put("blocksPerBranch", (long) blocksPerBranch);
        m.put("modulesPerStage", modulesPerStage.stream().map(Integer::longValue).toList());
        return m;
    }

    /**
     * The parameter keys {@link #fromParameters} reads: the fields of {@link #toParameters()}, the aliases
     * {@code width} (for {@code baseWidth}) and {@code modules} (for {@code modulesPerStage}) of the PyTorch fixtures'
     * {@code spec.json}, and {@code inputShape}, which those files carry and which is ignored.
     */
    public static final List<String> PARAMETER_KEYS = List.of("stemChannels", "stage1Planes", "stage1Blocks",
            "baseWidth", "width", "blocksPerBranch", "modulesPerStage", "modules", "inputShape");

    /**
     * The spec of a variant: the named one when {@code parameters} is empty (a training configuration), else the one
     * the parameters describe (a checkpoint's, or a custom shape given to {@code model import --spec}), so that
     * custom widths round-trip.
     *
     * @throws ConfigException naming the key when one is unknown, missing or not a positive integer, or the variant
     *                         when it is unknown
     */
    public static HrnetSpec fromParameters(String name, Map<String, Object> parameters) {
        if (parameters.isEmpty()) {
            return named(name);
        }
        for (String key : parameters.keySet()) {
            if (!PARAMETER_KEYS.contains(key)) {
                throw new ConfigException("unknown key '" + key + "'; known keys: " + String.join(", ",
                        PARAMETER_KEYS));
            }
        }
        try {
            Object modulesValue = value(parameters, "modulesPerStage", "modules");
            List<Integer> modules = new java.util.ArrayList<>();
            if (!(modulesValue instanceof List<?> list)) {
                throw new IllegalArgumentException("key 'modulesPerStage' must be an array of integers, was "
                        + modulesValue);
            }
            for (Object o : list) {
                modules.add(intParameter("modulesPerStage", o));
            }
            return new HrnetSpec(name, intParameter(parameters, "stemChannels"),
                    intParameter(parameters, "stage1Planes"), intParameter(parameters, "stage1Blocks"),
                    intParameter("baseWidth", value(parameters, "baseWidth", "width")),
                    intParameter(parameters, "blocksPerBranch"), modules);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static Object value(Map<String, Object> parameters, String key, String alias) {
        if (parameters.containsKey(key)) {
            return parameters.get(key);
        }
        if (parameters.containsKey(alias)) {
            return parameters.get(alias);
        }
        throw new IllegalArgumentException("missing key '" + key + "' (or '" + alias + "')");
    }

    private static int intParameter(Map<String, Object> parameters, String key) {
        if (!parameters.containsKey(key)) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return intParameter(key, parameters.get(key));
    }

    private static int intParameter(String key, Object value) {
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException("key '" + key + "' must be an integer, was " + value);
    }
}
