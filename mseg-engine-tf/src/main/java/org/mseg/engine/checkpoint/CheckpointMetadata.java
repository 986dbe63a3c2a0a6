package org.mseg.engine.checkpoint;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mseg.api.json.Json;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;

/**
 * What {@code checkpoint.json} says about a checkpoint: the model it holds, the taxonomy its logits are in, and,
 * for training checkpoints, the engine's state.
 *
 * <p>The JSON form ({@link #toJson()}, format version {@value #FORMAT_VERSION}):
 *
 * <pre>{@code
 * {
 *   "format": "mseg-checkpoint",
 *   "formatVersion": 1,
 *   "model": {"arch": "hrnet", "variant": "w48", "numClasses": 194, "stemChannels": 64, "stage1Planes": 64,
 *             "stage1Blocks": 4, "baseWidth": 48, "blocksPerBranch": 4, "modulesPerStage": [1, 4, 3]},
 *   "taxonomy": "universal",
 *   "classNames": ["backpack", ...],
 *   "created": "2026-11-29T17:45:00Z",
 *   "training": {...},              // optional: any JSON object, owned by the training engine
 *   "extraVariables": ["...", ...]  // optional: non-model variables in the TF checkpoint (optimizer slots, ...)
 * }
 * }</pre>
 *
 * <p>{@code model} names the model provider ({@code arch}), the variant and the number of classes; every other field
 * of {@code model} is the provider's own ({@link ModelProvider#checkpointParameters}: for HRNet the fields above, so
 * that a custom width round-trips) and comes back to the provider as {@link ModelSpec#parameters()} when the model
 * is rebuilt. Checkpoints written before models became providers have exactly this form and load unchanged.
 *
 * @param arch            model provider name ({@code TRAIN.arch}, e.g. {@code hrnet})
 * @param variant         the provider's variant name (e.g. {@code w48})
 * @param numClasses      number of logits
 * @param modelParameters the provider's own parameters, JSON-typed
 * @param taxonomy       name of the taxonomy the logits index (e.g. {@code universal})
 * @param classNames     class names in logit order, {@code numClasses} of them
 * @param created        when the checkpoint was written
 * @param training       the engine's state (iteration, loader and RNG state, resolved config, ...); empty for a
 *                       weights-only checkpoint. Values are JSON-typed as {@link Json} describes.
 * @param extraVariables names of saved variables that are not model parameters (e.g. optimizer slots)
 */
public record CheckpointMetadata(String arch, String variant, int numClasses, Map<String, Object> modelParameters,
        String taxonomy, List<String> classNames, Instant created, Map<String, Object> training,
        List<String> extraVariables) {

    /** The {@code formatVersion} this code writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;

    /** The value of the {@code format} field. */
    public static final String FORMAT = "mseg-checkpoint";

    /** The {@code model} fields that are the engine's; the others are the provider's parameters. */
    private static final List<String> MODEL_FIELDS = List.of("arch", "variant", "numClasses");

    /** Validates and copies; the training map keeps its order. */
    public CheckpointMetadata {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(variant, "variant");
        modelParameters = Collections.unmodifiableMap(new LinkedHashMap<>(modelParameters));
        for (String field : MODEL_FIELDS) {
            if (modelParameters.containsKey(field)) {
                throw new IllegalArgumentException("model parameters must not redefine the field '" + field + "'");
            }
        }
        Objects.requireNonNull(taxonomy, "taxonomy");
        Objects.requireNonNull(created, "created");
        classNames = List.copyOf(classNames);
        extraVariables = List.copyOf(extraVariables);
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training));
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, was " + numClasses);
        }
        if (classNames.size() != numClasses) {
            throw new IllegalArgumentException("classNames lists " + classNames.size() + " names for " + numClasses
                    + " classes");
        }
    }

    /**
     * Metadata of a weights-only checkpoint of a provider's model, created now.
     *
     * @param provider   the model provider, which defines the stored parameters
     * @param spec       what was built ({@code spec.arch()} is the provider's name)
     * @param taxonomy   taxonomy name
     * @param classNames class names in logit order
     * @return the metadata, without training state or extra variables
     */
    public static CheckpointMetadata of(ModelProvider provider, ModelSpec spec, String taxonomy,
            List<String> classNames) {
        if (!provider.name().equals(spec.arch())) {
            throw new IllegalArgumentException("spec names arch '" + spec.arch() + "', provider is '"
                    + provider.name() + "'");
        }
        return new CheckpointMetadata(spec.arch(), spec.variant(), spec.numClasses(),
                provider.checkpointParameters(spec), taxonomy, classNames, Instant.now(), Map.of(), List.of());
    }

    /**
     * Placeholder class names {@code class_0 … class_<n-1>} for a model whose taxonomy is unknown.
     *
     * @param numClasses number of classes
     * @return the names
     */
    public static List<String> placeholderClassNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            names.add("class_" + i);
        }
        return List.copyOf(names);
    }

    /** What the model provider rebuilds: arch, variant, classes and the stored parameters. */
    public ModelSpec modelSpec() {
        return new ModelSpec(arch, variant, numClasses, modelParameters);
    }

    /** Whether this is a weights-only checkpoint (no training state). */
    public boolean weightsOnly() {
        return training.isEmpty();
    }

    /**
     * This metadata with another training state.
     *
     * @param state any JSON-typed object
     * @return a copy
     */
    public CheckpointMetadata withTraining(Map<String, ?> state) {
        return new CheckpointMetadata(arch, variant, numClasses, modelParameters, taxonomy, classNames, created,
                new LinkedHashMap<>(state), extraVariables);
    }

    /**
     * This metadata with another list of non-model variables.
     *
     * @param names variable (op) names
     * @return a copy
     */
    public CheckpointMetadata withExtraVariables(List<String> names) {
        return new CheckpointMetadata(arch, variant, numClasses, modelParameters, taxonomy, classNames, created, training, names);
    }

    /**
     * This metadata stamped with another creation time.
     *
     * @param time the time
     * @return a copy
     */
    public CheckpointMetadata withCreated(Instant time) {
        return new CheckpointMetadata(arch, variant, numClasses, modelParameters, taxonomy, classNames, time, training, extraVariables);
    }

    /** The JSON object written to {@code checkpoint.json}, as described in the class comment. */
    public Map<String, Object> toJson() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("arch", arch);
        model.put("variant", variant);
        model.put("numClasses", numClasses);
        model.putAll(modelParameters);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("model", model);
        root.put("taxonomy", taxonomy);
        root.put("classNames", classNames);
        root.put("created", created.toString());
        if (!training.isEmpty()) {
            root.put("training", training);
        }
        if (!extraVariables.isEmpty()) {
            root.put("extraVariables", extraVariables);
        }
        return root;
    }

    /**
     * Reads the JSON object of {@code checkpoint.json}.
     *
     * @param json   the parsed document
     * @param source the file, for messages
     * @return the metadata
     * @throws CheckpointException naming {@code source} and the offending field, or the unsupported format version
     */
    public static CheckpointMetadata fromJson(Object json, String source) {
        Fields root = new Fields(json, source, "");
        String format = root.string("format");
        if (!FORMAT.equals(format)) {
            throw new CheckpointException(source + ": field format is '" + format + "', expected '" + FORMAT
                    + "'; this is not an MSeg checkpoint");
        }
        long version = root.integer("formatVersion");
        if (version != FORMAT_VERSION) {
            throw new CheckpointException(source + ": unknown checkpoint formatVersion " + version
                    + "; this version of MSeg reads version " + FORMAT_VERSION
                    + (version > FORMAT_VERSION ? " (the checkpoint was written by a newer MSeg; upgrade)" : ""));
        }
        Fields model = root.object("model");
        String arch = model.string("arch");
        String variant = model.string("variant");
        Map<String, Object> parameters = new LinkedHashMap<>(model.map);
        MODEL_FIELDS.forEach(parameters::remove);
        int numClasses = model.intValue("numClasses");
        List<String> classNames = root.stringList("classNames");
        Instant created;
        try {
            created = Instant.parse(root.string("created"));
        } catch (DateTimeParseException e) {
            throw new CheckpointException(source + ": field created is not an ISO-8601 instant: "
                    + root.string("created"), e);
        }
        Map<String, Object> training = root.has("training") ? root.object("training").map : Map.of();
        List<String> extra = root.has("extraVariables") ? root.stringList("extraVariables") : List.of();
        try {
            return new CheckpointMetadata(arch, variant, numClasses, parameters, root.string("taxonomy"), classNames,
                    created, training, extra);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage(), e);
        }
    }

    /** Typed access to a JSON object's fields with messages naming the file and the field path. */
    private static final class Fields {
        private final Map<String, Object> map;
        private final String source;
        private final String path;

        @SuppressWarnings("unchecked")
        Fields(Object json, String source, String path) {
            if (!(json instanceof Map<?, ?>)) {
                throw new CheckpointException(source + ": " + (path.isEmpty() ? "the document" : "field " + path)
                        + " must be a JSON object");
            }
            this.map = (Map<String, Object>) json;
            this.source = source;
            this.path = path;
        }

        boolean has(String key) {
            return map.containsKey(key);
        }

        private Object get(String key) {
            if (!map.containsKey(key)) {
                throw new CheckpointException(source + ": missing field " + path + key);
            }
            return map.get(key);
        }

        private CheckpointException wrongType(String key, String type) {
            return new CheckpointException(source + ": field " + path + key + " must be " + type + ", was "
                    + Json.write(map.get(key), false));
        }

        String string(String key) {
            if (get(key) instanceof String s) {
                return s;
            }
            throw wrongType(key, "a string");
        }

        long integer(String key) {
            if (get(key) instanceof Long l) {
                return l;
            }
            throw wrongType(key, "an integer");
        }

        int intValue(String key) {
            long v = integer(key);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw wrongType(key, "a 32-bit integer");
            }
            return (int) v;
        }

        Fields object(String key) {
            if (get(key) instanceof Map<?, ?> m) {
                return new Fields(m, source, path + key + ".");
            }
            throw wrongType(key, "an object");
        }

        List<Integer> intList(String key) {
            if (get(key) instanceof List<?> list) {
                List<Integer> out = new ArrayList<>();
                for (Object o : list) {
                    if (!(o instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                        throw wrongType(key, "an array of integers");
                    }
                    out.add(l.intValue());
                }
                return out;
            }
            throw wrongType(key, "an array of integers");
        }

        List<String> stringList(String key) {
            if (get(key) instanceof List<?> list) {
                List<String> out = new ArrayList<>();
                for (Object o : list) {
                    if (!(o instanceof String s)) {
                        throw wrongType(key, "an array of strings");
                    }
                    out.add(s);
                }
                return out;
            }
            throw wrongType(key, "an array of strings");
        }
    }
}
