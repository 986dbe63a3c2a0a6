package org.mseg.engine.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.mseg.api.MsegException;
import org.mseg.api.config.Precision;
import org.mseg.api.json.Json;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.mseg.api.plugin.Origin;
import org.mseg.api.plugin.Registration;
import org.mseg.api.plugin.Registry;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.model.GraphBackend;
import org.mseg.engine.model.GraphModel;
import org.mseg.engine.model.GraphModels;
import org.mseg.engine.model.VariableStateDict;
import org.mseg.engine.model.ModelOutputs;
import org.mseg.engine.model.ParameterGroup;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * The contract every {@link ModelProvider} of the TensorFlow engine must meet, checked in one call from a plugin's own
 * tests: {@code ModelProviderContract.check(provider, 33, 33, 5)}. It throws {@link AssertionError}s whose message
 * names the provider and every rule it broke, so it works with any test framework.
 *
 * <p>What is checked, for one variant and a small input size the caller gives (keep it small; the checks build the
 * model about five times and run it on CPU):
 *
 * <ul>
 *   <li>registration: a lower-case name without spaces, a description, at least one variant (no duplicates), the
 *       backend {@code tensorflow}, configuration keys of the form {@code SECTION.key}, precisions including fp32,
 *       and {@code checkInputSize} accepting the size;
 *   <li>building ({@code create} into a fresh graph, and {@link GraphModels#build}): every variable at the root scope
 *       (no {@code /} in its name, as the checkpoint format restores by op name) and listed by
 *       {@link GraphModel#allVariables()}; fully defined shapes; names, shapes and initial values identical across
 *       two builds with the same seed, and values that change with the seed; {@code unwrap} of an unknown type fails
 *       with {@link IllegalArgumentException}; an unknown variant fails with a {@link MsegException} naming the
 *       known variants;
 *   <li>parameters: the parameter groups hold every trainable variable exactly once, with positive multipliers and
 *       distinct names; their size equals {@code trainableParameterCount()} and
 *       {@link ModelProvider#parameterCount(String, int)} (for the variant's defaults);
 *   <li>forward passes on {@code [2, H, W, 3]}: inference logits are float32 {@code [2, H, W, classes]}, finite and
 *       reproducible, with no statistics update; the training pass has the same logits shape, every trainable
 *       variable gets a gradient from its logits (and auxiliary logits), and a statistics update, if present,
 *       changes running statistics and no trainable variable;
 *   <li>checkpoints: {@link ModelProvider#checkpointParameters} is JSON ({@link Json#write} and back) and a spec
 *       built from the parsed parameters gives the same variables; a checkpoint written with
 *       {@link Checkpoints#write} and {@link CheckpointMetadata#of} and reopened with
 *       {@link LoadedModel#open(Path, int, int, Registry)} reproduces the logits bit for bit (same machine, same
 *       graph), running statistics included.
 * </ul>
 */
public final class ModelProviderContract {

    /** {@code SECTION.key}: an upper-case section, a dot, a lower-case key. */
    static final Pattern CONFIG_KEY = Pattern.compile("[A-Z][A-Z0-9_]*\\.[a-z][a-z0-9_]*");

    private static final long SEED = 7;
    private static final int BATCH = 2;

    private ModelProviderContract() {
    }

    /**
     * Checks the provider with its default variant ({@code variants().get(0)}) and no provider parameters.
     *
     * @param height     a small input height the model accepts
     * @param width      a small input width the model accepts
     * @param numClasses number of classes to build
     * @throws AssertionError listing every violation, naming the provider
     */
    public static void check(ModelProvider provider, int height, int width, int numClasses) {
        List<String> variants = provider.variants();
        if (variants == null || variants.isEmpty()) {
            throw new AssertionError(describe(provider) + " lists no variant");
        }
        check(provider, new ModelSpec(provider.name(), variants.get(0), numClasses), height, width);
    }

    /**
     * Checks the provider with the given spec (a variant and, optionally, values of the provider's configuration
     * keys, keyed as {@code TrainingRun} passes them: without the section).
     *
     * @throws AssertionError listing every violation, naming the provider
     */
    public static void check(ModelProvider provider, ModelSpec spec, int height, int width) {
        List<String> v = new ArrayList<>();
        String p = describe(provider);
        try {
            run(provider, spec, height, width, v, p);
        } catch (RuntimeException | AssertionError e) {
            v.add(p + ": unexpected " + e);
            AssertionError error = failure(p, spec, v);
            error.initCause(e);
            throw error;
        }
        if (!v.isEmpty()) {
            throw failure(p, spec, v);
        }
    }

    private static AssertionError failure(String p, ModelSpec spec, List<String> v) {
        return new AssertionError(p + " breaks the model provider contract (" + spec + "), " + v.size()
                + " violation(s):\n  - " + String.join("\n  - ", v));
    }

    static String describe(Object provider) {
        String name;
        try {
            name = provider instanceof ModelProvider m ? m.name()
                    : provider instanceof org.mseg.api.Provider q ? q.name() : String.valueOf(provider);
        } catch (RuntimeException e) {
            name = "?";
        }
        return "provider '" + name + "' (" + provider.getClass().getName() + ")";
    }

    static void checkRegistration(org.mseg.api.Provider provider, Set<String> configKeys, List<String> v, String p) {
        String name = provider.name();
        if (name == null || name.isBlank() || !name.equals(name.toLowerCase(Locale.ROOT)) || name.contains(" ")) {
            v.add(p + ": name() must be lower case without spaces, was '" + name + "'");
        }
        String description = provider.description();
        if (description == null || description.isBlank()) {
            v.add(p + ": description() is blank");
        }
        if (configKeys == null) {
            v.add(p + ": configKeys() is null");
            return;
        }
        for (String key : configKeys) {
            if (key == null || !CONFIG_KEY.matcher(key).matches()) {
                v.add(p + ": configuration key '" + key + "' is not of the form SECTION.key (e.g. TRAIN.fcn_width)");
            }
        }
    }

    private static void run(ModelProvider provider, ModelSpec spec, int height, int width, List<String> v,
            String p) {
        // registration
        checkRegistration(provider, provider.configKeys(), v, p);
        List<String> variants = provider.variants();
        if (variants == null || variants.isEmpty()) {
            v.add(p + ": variants() is empty");
            return;
        }
        if (new HashSet<>(variants).size() != variants.size()) {
            v.add(p + ": variants() lists a variant twice: " + variants);
        }
        if (!variants.contains(spec.variant())) {
            v.add(p + ": the checked variant '" + spec.variant() + "' is not in variants() " + variants);
        }
        if (!GraphBackend.NAME.equals(provider.backend())) {
            v.add(p + ": backend() must be '" + GraphBackend.NAME + "' for the TensorFlow engine, was '"
                    + provider.backend() + "'");
            return;
        }
        if (!spec.arch().equals(provider.name())) {
            v.add(p + ": the spec names arch '" + spec.arch() + "', not the provider's name");
            return;
        }
        Set<Precision> precisions = provider.precisions();
        if (precisions == null || !precisions.contains(Precision.FP32)) {
            v.add(p + ": precisions() must contain fp32 (every engine path computes in it), was " + precisions);
        }
        try {
            provider.checkInputSize(spec, height, width);
        } catch (MsegException e) {
            v.add(p + ": checkInputSize refuses the checked size " + height + "x" + width + ": " + e.getMessage());
            return;
        }
        try {
            provider.summary(spec, height, width);
        } catch (RuntimeException e) {
            v.add(p + ": summary(spec, " + height + ", " + width + ") failed: " + e);
        }
        checkUnknownVariant(provider, spec, variants, v, p);

        int classes = spec.numClasses();
        float[] images = images(BATCH * height * width * 3);
        Built first;
        Map<String, float[]> initial;
        float[] referenceLogits;
        Path scratch;
        try {
            scratch = Files.createTempDirectory("mseg-model-contract-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path checkpoint = scratch.resolve("checkpoint");
        try {
            try (Graph graph = new Graph()) {
                Ops tf = Ops.create(graph);
                SegmentationModel segmentation = provider.create(spec, new GraphBackend(tf, SEED));
                if (segmentation == null) {
                    v.add(p + ": create returned null");
                    return;
                }
                GraphModel model = checkSegmentationModel(segmentation, spec, v, p);
                if (model == null) {
                    return;
                }
                first = Built.of(graph, model);
                checkVariables(first, v, p);
                checkGroups(provider, spec, segmentation, model, first, v, p);
                if (model.numClasses() != classes) {
                    v.add(p + ": numClasses() is " + model.numClasses() + ", the spec asked for " + classes);
                }
                Placeholder<TFloat32> input = tf.withName("contract_input").placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(-1, height, width, 3)));
                ModelOutputs eval = model.forward("contract_eval", input, false);
                ModelOutputs train = model.forward("contract_train", input, true);
                checkOutputs("inference", eval, height, width, classes, v, p);
                checkOutputs("training", train, height, width, classes, v, p);
                if (eval.statisticsUpdate().isPresent()) {
                    v.add(p + ": the inference pass (training=false) returns a statistics update");
                }
                checkGradients(tf, model, train, first, v, p);
                if (first.variables().size() != Checkpoints.variableNames(graph).size()) {
                    v.add(p + ": forward passes created variables (" + Checkpoints.variableNames(graph).size()
                            + " in the graph, " + first.variables().size() + " after create); create must build"
                            + " every variable at once");
                }
                try (Session session = new Session(graph)) {
                    session.initialize();
                    initial = values(session, first.variables());
                    float[] logits = logits(session, input, eval.logits(), images, height, width);
                    checkFinite("inference logits", logits, v, p);
                    if (!Arrays.equals(logits, logits(session, input, eval.logits(), images, height, width))) {
                        v.add(p + ": two runs of the inference pass on the same input give different logits");
                    }
                    if (train.statisticsUpdate().isPresent()) {
                        checkStatisticsUpdate(session, input, train, first, model, images, height, width, v, p);
                    }
                    // the running statistics have moved (if any): the checkpoint must carry them too
                    referenceLogits = logits(session, input, eval.logits(), images, height, width);
                    CheckpointMetadata meta = CheckpointMetadata.of(provider, spec, "contract",
                            CheckpointMetadata.placeholderClassNames(classes));
                    Checkpoints.write(checkpoint, session, meta);
                }
            }

            // a second build with the same seed, through the engine's path
            try (Graph graph = new Graph()) {
                GraphModel again = GraphModels.build(provider, spec, Ops.create(graph), SEED);
                Built second = Built.of(graph, again);
                if (!second.shapes().equals(first.shapes())) {
                    v.add(p + ": two builds with the same spec give different variables: " + first.shapes()
                            + " vs " + second.shapes());
                } else {
                    try (Session session = new Session(graph)) {
                        session.initialize();
                        Map<String, float[]> values = values(session, second.variables());
                        for (String name : initial.keySet()) {
                            if (!Arrays.equals(initial.get(name), values.get(name))) {
                                v.add(p + ": two builds with seed " + SEED + " initialise '" + name + "' differently;"
                                        + " initialise every random op from GraphBackend.seed() (and a seed2 of its"
                                        + " own, never 0 together with the seed)");
                            }
                        }
                    }
                }
            }

            // checkpoint parameters: JSON, and they rebuild the same network (here with another seed)
            Map<String, Object> stored = provider.checkpointParameters(spec);
            Object parsed;
            try {
                parsed = Json.parse(Json.write(stored, false), "checkpointParameters of " + provider.name());
            } catch (RuntimeException e) {
                v.add(p + ": checkpointParameters(" + spec + ") = " + stored + " is not JSON: " + e.getMessage());
                parsed = null;
            }
            if (parsed instanceof Map<?, ?> map) {
                Map<String, Object> parameters = new LinkedHashMap<>();
                map.forEach((k, x) -> parameters.put(String.valueOf(k), x));
                if (!parameters.equals(stored)) {
                    // what checkpoint.json gives back must equal what was written, or metadata read back differs
                    v.add(p + ": checkpointParameters(" + spec + ") = " + typed(stored) + " reads back from"
                            + " checkpoint.json as " + typed(parameters) + "; return the types JSON reads (Long for integers, Double for"
                            + " fractions, String, Boolean, List, Map) so that metadata read equals metadata written");
                }
                for (String field : List.of("arch", "variant", "numClasses")) {
                    if (parameters.containsKey(field)) {
                        v.add(p + ": checkpointParameters must not hold '" + field + "' (the engine stores it)");
                    }
                }
                ModelSpec rebuilt = new ModelSpec(spec.arch(), spec.variant(), classes, parameters);
                try (Graph graph = new Graph()) {
                    GraphModel model = GraphModels.build(provider, rebuilt, Ops.create(graph), SEED + 1);
                    Built built = Built.of(graph, model);
                    if (!built.shapes().equals(first.shapes())) {
                        v.add(p + ": a spec with the parsed checkpointParameters " + parameters + " builds other"
                                + " variables: " + built.shapes() + " instead of " + first.shapes());
                    } else {
                        try (Session session = new Session(graph)) {
                            session.initialize();
                            Map<String, float[]> values = values(session, built.variables());
                            boolean same = initial.keySet().stream()
                                    .allMatch(n -> Arrays.equals(initial.get(n), values.get(n)));
                            boolean random = initial.values().stream().anyMatch(ModelProviderContract::varied);
                            if (same && random) {
                                v.add(p + ": seeds " + SEED + " and " + (SEED + 1) + " give identical initial"
                                        + " values; initialise from GraphBackend.seed()");
                            }
                        }
                    }
                }
            } else if (parsed != null) {
                v.add(p + ": checkpointParameters is not a JSON object: " + parsed);
            }

            // the checkpoint reopens, through the registry, with the same logits
            Registry<ModelProvider> registry = Registry.of("model", List.of(new Registration<>(provider.name(),
                    provider, Origin.of(provider.getClass()))));
            try (LoadedModel loaded = LoadedModel.open(checkpoint, height, width, registry)) {
                float[] reopened = loaded.logits(images, BATCH);
                if (!Arrays.equals(referenceLogits, reopened)) {
                    v.add(p + ": the checkpoint reopened with LoadedModel.open gives other logits (max difference "
                            + maxDifference(referenceLogits, reopened) + "); every variable (running statistics"
                            + " included) must be a VariableV2 at the root scope with a name stable across builds");
                }
            } catch (MsegException e) {
                v.add(p + ": the checkpoint written by Checkpoints.write does not reopen with LoadedModel.open: "
                        + e.getMessage());
            }
        } finally {
            try {
                Checkpoints.deleteRecursively(scratch);
            } catch (IOException e) {
                // a temporary folder; the system cleans it up
            }
        }
    }

    private static void checkUnknownVariant(ModelProvider provider, ModelSpec spec, List<String> variants,
            List<String> v, String p) {
        String unknown = "no-such-variant";
        try (Graph graph = new Graph()) {
            provider.create(new ModelSpec(spec.arch(), unknown, spec.numClasses()),
                    new GraphBackend(Ops.create(graph), SEED));
            v.add(p + ": create accepts the unknown variant '" + unknown + "'");
        } catch (MsegException e) {
            String message = String.valueOf(e.getMessage());
            if (!variants.stream().allMatch(message::contains)) {
                v.add(p + ": the error for the unknown variant '" + unknown + "' does not list the variants "
                        + variants + ": " + message);
            }
        } catch (RuntimeException e) {
            v.add(p + ": an unknown variant must fail with a ConfigException listing the variants, got " + e);
        }
    }

    private static GraphModel checkSegmentationModel(SegmentationModel segmentation, ModelSpec spec, List<String> v,
            String p) {
        if (!spec.equals(segmentation.spec())) {
            v.add(p + ": the created model's spec() is " + segmentation.spec() + ", not " + spec);
        }
        try {
            segmentation.unwrap(ContractProbe.class);
            v.add(p + ": SegmentationModel.unwrap of an unknown type returned instead of throwing"
                    + " IllegalArgumentException");
        } catch (IllegalArgumentException expected) {
            // as specified
        } catch (RuntimeException e) {
            v.add(p + ": SegmentationModel.unwrap of an unknown type must throw IllegalArgumentException, threw " + e);
        }
        GraphModel model;
        try {
            model = segmentation.unwrap(GraphModel.class);
        } catch (IllegalArgumentException e) {
            v.add(p + ": the model offers no " + GraphModel.class.getName() + " view: " + e.getMessage());
            return null;
        }
        if (model == null) {
            v.add(p + ": unwrap(GraphModel.class) returned null");
        }
        return model;
    }

    private static void checkVariables(Built built, List<String> v, String p) {
        List<String> inGraph = Checkpoints.variableNames(built.graph());
        for (String name : inGraph) {
            if (name.contains("/")) {
                v.add(p + ": variable '" + name + "' is not at the root scope; create variables with"
                        + " GraphBackend.tf() and flat names (checkpoints restore by op name)");
            }
        }
        if (!new HashSet<>(inGraph).equals(built.shapes().keySet())) {
            v.add(p + ": allVariables() lists " + built.shapes().keySet() + " but create made " + inGraph);
        }
        if (built.variables().size() != built.shapes().size()) {
            v.add(p + ": allVariables() lists a variable twice");
        }
        built.shapes().forEach((name, shape) -> {
            if (shape.isUnknown() || shape.hasUnknownDimension()) {
                v.add(p + ": variable '" + name + "' has shape " + shape + "; shapes must be fully defined");
            }
        });
        if (built.variables().isEmpty()) {
            v.add(p + ": the model has no variables");
        }
    }

    private static void checkGroups(ModelProvider provider, ModelSpec spec, SegmentationModel segmentation,
            GraphModel model, Built built, List<String> v, String p) {
        List<ParameterGroup> groups = model.parameterGroups();
        if (groups == null || groups.isEmpty()) {
            v.add(p + ": parameterGroups() is empty");
            return;
        }
        Set<String> groupNames = new HashSet<>();
        Set<String> trainable = new HashSet<>();
        long count = 0;
        for (ParameterGroup g : groups) {
            if (g.name().isBlank() || !groupNames.add(g.name())) {
                v.add(p + ": parameter group name '" + g.name() + "' is blank or used twice");
            }
            if (!(g.lrMultiplier() > 0) || !Float.isFinite(g.lrMultiplier())) {
                v.add(p + ": parameter group '" + g.name() + "' has multiplier " + g.lrMultiplier());
            }
            if (g.variables().isEmpty()) {
                v.add(p + ": parameter group '" + g.name() + "' is empty");
            }
            for (Variable<TFloat32> var : g.variables()) {
                String name = var.op().name();
                if (!trainable.add(name)) {
                    v.add(p + ": variable '" + name + "' is in more than one parameter group (or twice in one)");
                }
                if (!built.shapes().containsKey(name)) {
                    v.add(p + ": parameter group '" + g.name() + "' holds '" + name + "', which allVariables()"
                            + " does not list");
                }
                count += var.shape().size();
            }
        }
        if (count != segmentation.trainableParameterCount()) {
            v.add(p + ": the parameter groups hold " + count + " scalars, trainableParameterCount() says "
                    + segmentation.trainableParameterCount());
        }
        long declared = provider.parameterCount(spec.variant(), spec.numClasses());
        long expected = count;
        if (!spec.parameters().isEmpty()) {
            // parameterCount describes the variant's defaults: compare with a build without parameters
            try (Graph graph = new Graph()) {
                GraphModel defaults = GraphModels.build(provider,
                        new ModelSpec(spec.arch(), spec.variant(), spec.numClasses()), Ops.create(graph), SEED);
                expected = defaults.parameterGroups().stream().flatMap(g -> g.variables().stream())
                        .mapToLong(x -> x.shape().size()).sum();
            }
        }
        if (declared != expected) {
            v.add(p + ": parameterCount(\"" + spec.variant() + "\", " + spec.numClasses() + ") = " + declared
                    + ", but the built model has " + expected + " trainable scalars");
        }
    }

    private static void checkOutputs(String pass, ModelOutputs out, int height, int width, int classes,
            List<String> v, String p) {
        checkShape(pass + " logits", out.logits(), height, width, classes, v, p);
        out.auxLogits().ifPresent(aux -> checkShape(pass + " auxiliary logits", aux, height, width, classes, v, p));
        if (out.representation().shape().numDimensions() != 4) {
            v.add(p + ": the " + pass + " representation has shape " + out.representation().shape()
                    + "; it must be a feature map [N, h, w, C]");
        }
    }

    private static void checkShape(String what, Operand<TFloat32> x, int height, int width, int classes,
            List<String> v, String p) {
        if (x.asOutput().dataType() != DataType.DT_FLOAT) {
            v.add(p + ": " + what + " are " + x.asOutput().dataType() + ", not float32");
        }
        Shape s = x.shape();
        if (s.numDimensions() != 4 || s.get(1) != height || s.get(2) != width || s.get(3) != classes) {
            v.add(p + ": " + what + " have static shape " + s + ", expected [N, " + height + ", " + width + ", "
                    + classes + "] (logits at input resolution)");
        }
    }

    private static void checkGradients(Ops tf, GraphModel model, ModelOutputs train, Built built, List<String> v,
            String p) {
        List<Variable<TFloat32>> trainable = model.parameterGroups().stream().flatMap(g -> g.variables().stream())
                .toList();
        Operand<TFloat32> objective = sum(tf, train.logits());
        if (train.auxLogits().isPresent()) {
            objective = tf.math.add(objective, sum(tf, train.auxLogits().get()));
        }
        try {
            var grads = tf.gradients(objective, trainable);
            for (int i = 0; i < trainable.size(); i++) {
                if (grads.dy(i).asOutput().isClosed()) {
                    v.add(p + ": trainable variable '" + trainable.get(i).op().name() + "' gets no gradient from the"
                            + " training pass's logits");
                }
            }
        } catch (RuntimeException e) {
            v.add(p + ": gradients of the training pass's logits with respect to the trainable variables cannot be"
                    + " built (every trainable variable must reach the logits): " + e.getMessage());
        }
    }

    private static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x) {
        return tf.sum(x, tf.range(tf.constant(0), tf.rank(x), tf.constant(1)));
    }

    private static void checkStatisticsUpdate(Session session, Placeholder<TFloat32> input, ModelOutputs train,
            Built built, GraphModel model, float[] images, int height, int width, List<String> v, String p) {
        Map<String, float[]> before = values(session, built.variables());
        try (TFloat32 in = tensor(images, height, width)) {
            session.runner().feed(input, in).addTarget(train.statisticsUpdate().get()).run();
        }
        Map<String, float[]> after = values(session, built.variables());
        Set<String> trainable = new HashSet<>();
        model.parameterGroups().forEach(g -> g.variables().forEach(x -> trainable.add(x.op().name())));
        boolean moved = false;
        for (String name : before.keySet()) {
            boolean changed = !Arrays.equals(before.get(name), after.get(name));
            if (changed && trainable.contains(name)) {
                v.add(p + ": the training pass's statistics update changes the trainable variable '" + name + "'");
            }
            moved |= changed && !trainable.contains(name);
        }
        if (!moved) {
            v.add(p + ": the training pass's statistics update changes no running statistic");
        }
    }

    private static void checkFinite(String what, float[] x, List<String> v, String p) {
        for (float f : x) {
            if (!Float.isFinite(f)) {
                v.add(p + ": " + what + " hold " + f + " for a random input");
                return;
            }
        }
    }

    private static boolean varied(float[] x) {
        for (float f : x) {
            if (f != x[0]) {
                return true;
            }
        }
        return false;
    }

    private static double maxDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.NaN;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    static float[] images(int n) {
        Random random = new Random(20_240_601L);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static TFloat32 tensor(float[] images, int height, int width) {
        return TFloat32.tensorOf(Shape.of(images.length / (height * width * 3), height, width, 3),
                DataBuffers.of(images, true, false));
    }

    private static float[] logits(Session session, Placeholder<TFloat32> input, Operand<TFloat32> logits,
            float[] images, int height, int width) {
        try (TFloat32 in = tensor(images, height, width);
                Result r = session.runner().feed(input, in).fetch(logits).run()) {
            TFloat32 out = (TFloat32) r.get(0);
            float[] values = new float[Math.toIntExact(out.size())];
            out.asRawTensor().data().asFloats().read(values);
            return values;
        }
    }

    /** The values of the given variables by op name. */
    static Map<String, float[]> values(Session session, List<Variable<TFloat32>> variables) {
        return VariableStateDict.values(session, variables);
    }

    /** A type no model offers, to check that {@code unwrap} refuses it. */
    private static final class ContractProbe {
    }

    /** A built model: its graph, its variables, and their shapes by name in creation order. */
    private record Built(Graph graph, List<Variable<TFloat32>> variables, Map<String, Shape> shapes) {
        static Built of(Graph graph, GraphModel model) {
            List<Variable<TFloat32>> all = List.copyOf(model.allVariables());
            Map<String, Shape> shapes = new LinkedHashMap<>();
            all.forEach(x -> shapes.put(x.op().name(), x.shape()));
            return new Built(graph, all, shapes);
        }
    }

    /** A map's entries with the Java type of each value, for messages about JSON round trips. */
    private static String typed(Map<String, Object> map) {
        List<String> entries = new ArrayList<>();
        map.forEach((k, x) -> entries.add(k + "=" + x + " (" + (x == null ? "null" : x.getClass().getSimpleName())
                + ")"));
        return "{" + String.join(", ", entries) + "}";
    }
}
