package org.mseg.api.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;

/**
 * Every key a configuration may contain: its section, type, default, whether this port reads it, and a one-line doc.
 * {@link #training()} describes the training configs ({@code data/config/train}), {@link #test()} the evaluation
 * configs ({@code data/config/test}); {@link #withExtraKeys(Set)} adds the keys that training strategies declare.
 *
 * <p>{@link #validate(MsegConfig, Set)} consumes a configuration and checks it like Lucene checks its parameters: an
 * unknown key fails at once and names the nearest known key, a value of the wrong type names the key, the expected
 * and the found type. Keys that upstream MSeg reads but this port does not (distributed launch, apex) are accepted
 * and reported once by {@link MsegConfig#unusedKeys()}.
 */
public final class ConfigSchema {
    /** Sections in print order. */
    static final List<String> SECTIONS = List.of("DATA", "TRAIN", "Distributed", "TEST");

    /** The value of {@code dataset} in single-dataset training configs: the dataset comes from the command line. */
    public static final String SINGLE_DATASET = "single";
    /** The value of {@code dataset} in test configs: the dataset comes from the command line. */
    public static final String DEFAULT_DATASET = "default";

    /**
     * The forms {@code TRAIN.devices} (and {@code --devices}) accept, for messages; the engine's {@code DevicePlan}
     * resolves them against the devices TensorFlow sees.
     */
    public static final String DEVICE_FORMS = "accepted forms: cpu (one replica, TensorFlow's placement), cpu:N"
            + " (N virtual CPU devices, N >= 1), gpu (every visible GPU), gpu:I,J,... (those GPUs, e.g. gpu:0,2,3)";
    /** The syntax of {@link #DEVICE_FORMS}, case and whitespace around {@code :} and {@code ,} aside. */
    private static final java.util.regex.Pattern DEVICES_SYNTAX = java.util.regex.Pattern.compile(
            "(?i)\\s*(cpu(\\s*:\\s*(?!0+\\s*$)\\d{1,3})?|gpu(\\s*:\\s*\\d{1,3}(\\s*,\\s*\\d{1,3})*)?)\\s*");

    private static final ConfigSchema TRAINING = buildTraining();
    private static final ConfigSchema TEST = buildTest();

    private final String kind;
    private final Map<String, ConfigKey> keys;

    private ConfigSchema(String kind, Collection<ConfigKey> keys) {
        this.kind = kind;
        Map<String, ConfigKey> map = new LinkedHashMap<>();
        for (ConfigKey k : keys) {
            if (map.putIfAbsent(k.name(), k) != null) {
                throw new IllegalArgumentException("duplicate key " + k.name() + " in the " + kind + " schema");
            }
        }
        this.keys = Collections.unmodifiableMap(map);
    }

    /** The keys of training configs (MSEG.md c.2) plus this port's own ({@code DATA.root}, {@code TRAIN.precision}...). */
    public static ConfigSchema training() {
        return TRAINING;
    }

    /** The keys of evaluation configs (MSEG.md g.1). */
    public static ConfigSchema test() {
        return TEST;
    }

    /** {@code training} or {@code test}, for messages. */
    public String kind() {
        return kind;
    }

    /** Every key, in schema order. */
    public List<ConfigKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The key with this flat name ({@code base_lr}) or qualified name ({@code TRAIN.base_lr}). */
    public Optional<ConfigKey> find(String name) {
        int dot = name.indexOf('.');
        if (dot > 0 && SECTIONS.contains(name.substring(0, dot))) {
            ConfigKey k = keys.get(name.substring(dot + 1));
            return k != null && k.section().equals(name.substring(0, dot)) ? Optional.of(k) : Optional.empty();
        }
        return Optional.ofNullable(keys.get(name));
    }

    /**
     * This schema plus keys that training strategies read ({@link
     * org.mseg.api.train.TrainingStrategyProvider#configKeys()}), in {@code SECTION.key} form. Their values may have
     * any type and may be empty; the strategy checks them.
     *
     * @throws ConfigException if an entry is not of the form {@code SECTION.key} with a known section
     */
    public ConfigSchema withExtraKeys(Set<String> sectionDotKey) {
        List<ConfigKey> all = new ArrayList<>(keys.values());
        Set<String> names = new LinkedHashSet<>(keys.keySet());
        for (String q : new TreeSet<>(sectionDotKey)) {
            int dot = q.indexOf('.');
            if (dot <= 0 || dot == q.length() - 1 || !SECTIONS.contains(q.substring(0, dot))) {
                throw new ConfigException("plugin configuration key '" + q + "' must have the form SECTION.key with"
                        + " SECTION one of " + String.join(", ", SECTIONS));
            }
            String name = q.substring(dot + 1);
            if (names.add(name)) {
                all.add(new ConfigKey(q.substring(0, dot), name, KeyType.ANY, Optional.empty(), true, false, true,
                        List.of(), "read by a training strategy"));
            }
        }
        return new ConfigSchema(kind, all);
    }

    /**
     * Checks a configuration without checking dataset names; see {@link #validate(MsegConfig, Set)}.
     */
    public MsegConfig validate(MsegConfig c) {
        return validate(c, Set.of());
    }

    /**
     * Checks a configuration and resolves it.
     *
     * <p>Checks: every section and key is known (else "unknown key TRAIN.bsae_lr in FILE — did you mean
     * TRAIN.base_lr?"), every value has its key's type and is one of its allowed values, required keys are present,
     * dataset names are known (when {@code knownDatasets} is not empty) and {@code dataset_gpu_mapping} names the same
     * datasets as {@code dataset} and gives each GPU rank to one dataset. All problems are reported together.
     *
     * <p>Resolution: keys that apply here and are missing get their defaults; {@code precision}, when not set, comes
     * from {@code opt_level} ({@link Precision#fromOptLevel}); a single-dataset config whose {@code dataset} was set
     * to one name ({@code --set dataset=cityscapes-19}) gets {@code dataset: [cityscapes-19]} and its
     * {@code dataset_gpu_mapping} entry {@code single} renamed to that dataset. A config still saying
     * {@code dataset: single} is valid; its {@link MsegConfig#notes()} say that the dataset is chosen on the command
     * line.
     *
     * @param c             the configuration, as loaded and overridden
     * @param knownDatasets names of the datasets in the registry; empty to skip the name check
     * @return the resolved configuration, which reports {@link MsegConfig#unusedKeys()} against this schema
     * @throws ConfigException listing every problem, each naming the file, line where known, key and fix
     */
    public MsegConfig validate(MsegConfig c, Set<String> knownDatasets) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String src = c.source();
        Set<String> reportedSections = new LinkedHashSet<>();
        Map<String, Object> values = new LinkedHashMap<>(c.rawValues());
        Map<String, String> sections = new LinkedHashMap<>(c.sections());

        for (Map.Entry<String, Object> e : c.rawValues().entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            String section = c.sections().getOrDefault(name, "");
            String at = c.where(name);
            if (!section.isEmpty() && !SECTIONS.contains(section)) {
                if (reportedSections.add(section)) {
                    String hint = Names.closest(section, SECTIONS).map(s -> " — did you mean " + s + "?")
                            .orElse(" (sections: " + String.join(", ", SECTIONS) + ")");
                    problems.add("unknown section " + section + " in " + c.whereSection(section) + hint);
                }
                continue;
            }
            ConfigKey key = keys.get(name);
            String shown = section.isEmpty() ? name : section + "." + name;
            if (key == null) {
                Optional<String> near = Names.closest(name, keys.keySet());
                problems.add("unknown key " + shown + " in " + at
                        + near.map(n -> " — did you mean " + keys.get(n).qualifiedName() + "?")
                                .orElse(" — remove it; the " + kind + " keys are listed by `mseg-cli config keys`"));
                continue;
            }
            sections.put(name, key.section());
            if (key.type() == KeyType.FLOAT && value instanceof String text && MsegConfig.isNumber(text)) {
                // SnakeYAML reads 1e-4 (no dot) as text; it is plainly meant as a number
                value = Double.valueOf(text.trim());
                values.put(name, value);
            }
            if (value == null) {
                if (!key.nullable()) {
                    problems.add(key.qualifiedName() + " in " + at + " is empty; expected " + key.type().description());
                }
                continue;
            }
            if (!key.type().accepts(value)) {
                problems.add(key.qualifiedName() + " in " + at + ": expected " + key.type().description() + ", found "
                        + KeyType.describeValue(value));
                continue;
            }
            if (!key.allowedValues().isEmpty() && !key.allowedValues().contains(String.valueOf(value))) {
                String hint = Names.closest(String.valueOf(value), key.allowedValues())
                        .map(n -> " — did you mean " + n + "?").orElse("");
                problems.add(key.qualifiedName() + " in " + at + ": expected one of "
                        + String.join(", ", key.allowedValues()) + ", found " + KeyType.describeValue(value) + hint);
            }
            Object checked = value;
            key.range().flatMap(r -> outOfRange(key, checked, r, at)).ifPresent(problems::add);
        }
        for (ConfigKey key : keys.values()) {
            if (key.required() && !values.containsKey(key.name())) {
                problems.add("missing key " + key.qualifiedName() + " in " + src + " (" + key.doc() + ")");
            }
        }
        checkDatasets(c, values, knownDatasets, problems, notes);
        checkRanges(c, values, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.size() == 1 ? problems.get(0)
                    : problems.size() + " problems in " + src + ":\n  - " + String.join("\n  - ", problems));
        }
        for (ConfigKey key : keys.values()) {
            if (key.applies() && !values.containsKey(key.name()) && key.defaultValue().isPresent()) {
                values.put(key.name(), key.defaultValue().get());
                sections.put(key.name(), key.section());
            }
        }
        if (keys.containsKey("precision") && values.get("precision") == null) {
            Object opt = values.get("opt_level");
            Precision p = opt == null ? Precision.FP32 : Precision.fromOptLevel(opt.toString());
            values.put("precision", p.configName());
            sections.put("precision", "TRAIN");
        }
        return c.resolved(values, sections, this, notes);
    }

    private void checkDatasets(MsegConfig c, Map<String, Object> values, Set<String> known, List<String> problems,
            List<String> notes) {
        if (!values.containsKey("dataset")) {
            return;
        }
        Object ds = values.get("dataset");
        Object mappingValue = values.get("dataset_gpu_mapping");
        if (!KeyType.DATASETS.accepts(ds)) {
            return;
        }
        if (!KeyType.GPU_MAPPING.accepts(mappingValue)) {
            mappingValue = null;
        }
        if (ds instanceof String s) {
            if (s.equals(SINGLE_DATASET) || s.equals(DEFAULT_DATASET)) {
                notes.add("DATA.dataset is '" + s + "': the dataset is chosen on the command line"
                        + " (--set dataset=NAME)");
                return;
            }
            if (kind.equals("training")) {
                ds = List.of(s);
                values.put("dataset", ds);
                if (mappingValue instanceof Map<?, ?> m && m.size() == 1 && m.containsKey(SINGLE_DATASET)) {
                    Map<String, Object> renamed = new LinkedHashMap<>();
                    renamed.put(s, m.get(SINGLE_DATASET));
                    values.put("dataset_gpu_mapping", Collections.unmodifiableMap(renamed));
                    mappingValue = renamed;
                }
            }
        }
        List<String> names = ds instanceof List<?> l ? l.stream().map(Object::toString).toList()
                : List.of(ds.toString());
        Set<String> seen = new LinkedHashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                problems.add("DATA.dataset in " + c.where("dataset") + " names '" + n + "' twice");
            }
            if (!known.isEmpty() && !known.contains(n)) {
                boolean listed = problems.stream().anyMatch(p -> p.contains("(known datasets: "));
                problems.add(unknownDataset(n, "DATA.dataset", c.where("dataset"), known, listed));
            }
        }
        if (mappingValue instanceof Map<?, ?> mapping) {
            String at = c.where("dataset_gpu_mapping");
            List<String> onlyInMapping = new ArrayList<>();
            for (Object k : mapping.keySet()) {
                if (!seen.contains(k.toString())) {
                    onlyInMapping.add("'" + k + "'" + Names.closest(k.toString(), seen)
                            .map(n -> " (did you mean '" + n + "'?)").orElse(""));
                }
            }
            List<String> withoutGpu = seen.stream().filter(n -> !mapping.containsKey(n)).map(n -> "'" + n + "'")
                    .toList();
            if (!onlyInMapping.isEmpty() || !withoutGpu.isEmpty()) {
                StringBuilder m = new StringBuilder("DATA.dataset (" + c.where("dataset")
                        + ") and TRAIN.dataset_gpu_mapping (" + at + ") must name the same datasets");
                if (!onlyInMapping.isEmpty()) {
                    m.append("; only the mapping names ").append(String.join(", ", onlyInMapping));
                }
                if (!withoutGpu.isEmpty()) {
                    m.append("; no GPU rank for ").append(String.join(", ", withoutGpu));
                }
                List<String> suggestion = new ArrayList<>();
                int rank = 0;
                for (String n : seen) {
                    suggestion.add(n + ": [" + rank++ + "]");
                }
                m.append(" — e.g. --set dataset_gpu_mapping={").append(String.join(", ", suggestion)).append("}");
                problems.add(m.toString());
            }
            Map<Long, String> owner = new LinkedHashMap<>();
            int ngpus = values.get("train_gpu") instanceof List<?> g ? g.size() : -1;
            for (Map.Entry<?, ?> e : mapping.entrySet()) {
                List<?> ranks = (List<?>) e.getValue();
                if (ranks.isEmpty()) {
                    problems.add("TRAIN.dataset_gpu_mapping in " + at + " gives dataset '" + e.getKey()
                            + "' no GPU rank");
                }
                for (Object r : ranks) {
                    long rank = ((Number) r).longValue();
                    String before = owner.putIfAbsent(rank, e.getKey().toString());
                    if (before != null) {
                        problems.add("TRAIN.dataset_gpu_mapping in " + at + " gives GPU rank " + rank + " to both '"
                                + before + "' and '" + e.getKey() + "'; each rank trains one dataset");
                    }
                    if (rank < 0 || ngpus >= 0 && rank >= ngpus) {
                        problems.add("TRAIN.dataset_gpu_mapping in " + at + " uses GPU rank " + rank + " but"
                                + " TRAIN.train_gpu has " + ngpus + " GPUs (ranks 0.." + (ngpus - 1) + ")");
                    }
                }
            }
        }
    }

    /** Names of pre-release MSeg configs ({@code train/test.yaml}) and what the release calls those datasets. */
    private static final Map<String, String> LEGACY_DATASET_NAMES = Map.of("coco-panoptic-v1", "coco-panoptic-133",
            "mapillary", "mapillary-public65", "ade20k-v1", "ade20k-150", "idd-new", "idd-39", "cityscapes",
            "cityscapes-19");

    private static String unknownDataset(String name, String key, String at, Set<String> known,
            boolean listedBefore) {
        String renamed = LEGACY_DATASET_NAMES.get(name);
        if (renamed != null && known.contains(renamed)) {
            return "unknown dataset '" + name + "' in " + key + " of " + at + " — a pre-release name; the release"
                    + " calls it '" + renamed + "' ('" + renamed + "-relabeled' when relabeled)";
        }
        Optional<String> near = Names.closest(name, known);
        return "unknown dataset '" + name + "' in " + key + " of " + at
                + near.map(n -> " — did you mean '" + n + "'?").orElse(listedBefore ? " (see the known datasets above)"
                        : " (known datasets: " + String.join(", ", new TreeSet<>(known)) + ")");
    }

    /**
     * The problem with a value outside its key's range: names the key, where it was set, the value and what is
     * allowed. Lists are checked element by element.
     */
    private static Optional<String> outOfRange(ConfigKey key, Object value, ValueRange range, String at) {
        List<?> elements = value instanceof List<?> l ? l : List.of(value);
        for (Object e : elements) {
            if (e instanceof Number n && !range.contains(n)) {
                String shown = value instanceof List ? "contains " + yamlNumber(n) : "is " + yamlNumber(n);
                boolean integers = key.type() == KeyType.INT || key.type() == KeyType.INT_LIST;
                String allowed = integers ? range.description().replace("a finite number", "an integer")
                        .replace("a number", "an integer") : range.description();
                return Optional.of(key.qualifiedName() + " in " + at + " " + shown + "; allowed: " + allowed
                        + (value instanceof List ? " in every element" : "")
                        + key.defaultValue().map(d -> " (default: " + d + ")").orElse(""));
            }
        }
        return Optional.empty();
    }

    /** How YAML writes a number: {@code .nan}, {@code .inf}, {@code -.inf} for the non-finite ones. */
    private static String yamlNumber(Number n) {
        double d = n.doubleValue();
        if (Double.isNaN(d)) {
            return ".nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? ".inf" : "-.inf";
        }
        return String.valueOf(n);
    }

    private void checkRanges(MsegConfig c, Map<String, Object> values, List<String> problems) {
        for (String[] pair : new String[][] {{"scale_min", "scale_max"}, {"rotate_min", "rotate_max"}}) {
            if (values.get(pair[0]) instanceof Number lo && values.get(pair[1]) instanceof Number hi
                    && lo.doubleValue() > hi.doubleValue()) {
                problems.add("TRAIN." + pair[0] + " (" + lo + ") is larger than TRAIN." + pair[1] + " (" + hi + ") in "
                        + c.source());
            }
        }
        for (String k : List.of("train_h", "train_w", "test_h", "test_w")) {
            // sizes below 1 are reported by the key's range
            if (keys.containsKey(k) && KeyType.isInteger(values.get(k)) && ((Number) values.get(k)).longValue() > 0
                    && (((Number) values.get(k)).longValue() - 1) % 8 != 0) {
                Number n = (Number) values.get(k);
                problems.add(keys.get(k).qualifiedName() + " in " + c.where(k) + " is " + n
                        + "; the crop size must be 8·k + 1 (e.g. 473, 593, 713) for the model's output stride");
            }
        }
        if (keys.containsKey("devices") && values.get("devices") instanceof String d
                && !DEVICES_SYNTAX.matcher(d).matches()) {
            problems.add("TRAIN.devices in " + c.where("devices") + " is '" + d + "'; " + DEVICE_FORMS);
        }
        if (values.get("train_gpu") instanceof List<?> g && g.isEmpty()) {
            problems.add("TRAIN.train_gpu in " + c.where("train_gpu") + " is empty; list at least one GPU, e.g. [0]");
        }
    }

    /**
     * The schema a configuration follows: {@link #test()} if it has a {@code TEST} section (evaluation configs),
     * else {@link #training()}.
     */
    public static ConfigSchema inferredFor(MsegConfig c) {
        return inferFor(c.sections());
    }

    static ConfigSchema inferFor(Map<String, String> sections) {
        return sections.containsValue("TEST") ? TEST : TRAINING;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static final class Builder {
        private final List<ConfigKey> keys = new ArrayList<>();
        private String section = "DATA";

        Builder section(String s) {
            section = s;
            return this;
        }

        /** A key this port reads. */
        Builder used(String name, KeyType type, Object def, String doc) {
            keys.add(new ConfigKey(section, name, type, Optional.ofNullable(def), def == null, false, true, List.of(),
                    doc));
            return this;
        }

        /** A key this port reads whose value must be set and non-empty. */
        Builder required(String name, KeyType type, String doc) {
            keys.add(new ConfigKey(section, name, type, Optional.empty(), false, true, true, List.of(), doc));
            return this;
        }

        /** A key this port reads, restricted to some values. */
        Builder choice(String name, String def, List<String> allowed, String doc) {
            keys.add(new ConfigKey(section, name, KeyType.STRING, Optional.ofNullable(def), def == null, false, true,
                    allowed, doc));
            return this;
        }

        /** A non-nullable key this port reads with a default. */
        Builder set(String name, KeyType type, Object def, String doc) {
            keys.add(new ConfigKey(section, name, type, Optional.of(def), false, false, true, List.of(), doc));
            return this;
        }

        /** Restricts the numbers the key just added allows (each element, for a list key). */
        Builder range(ValueRange r) {
            keys.set(keys.size() - 1, keys.get(keys.size() - 1).withRange(r));
            return this;
        }

        /** A key upstream has that this port accepts but does not read. */
        Builder unused(String name, KeyType type, String doc) {
            keys.add(new ConfigKey(section, name, type, Optional.empty(), true, false, false, List.of(), doc));
            return this;
        }

        ConfigSchema build(String kind) {
            return new ConfigSchema(kind, keys);
        }
    }

    private static final String PLUGIN_DIRS_DOC = "folders of plugin jars, separated by the platform's path separator"
            + " (':' on Linux), read before the configuration is checked; like --plugin-dir and $MSEG_PLUGIN_PATH";

    private static ConfigSchema buildTraining() {
        return new Builder()
                .section("DATA")
                .required("dataset", KeyType.DATASETS,
                        "training datasets (list of names), or 'single': one dataset chosen with --set dataset=NAME")
                .set("universal", KeyType.BOOL, true,
                        "train in the universal taxonomy (False: the dataset's own taxonomy, 'oracle' models)")
                .set("use_mgda", KeyType.BOOL, false, "train with MGDA (per-dataset gradient weighting)")
                .unused("use_multiple_datasets", KeyType.BOOL, "never read upstream either")
                .used("root", KeyType.STRING, null, "folder holding the dataset folders (default: $MSEG_DATA_ROOT)")
                .used("lists", KeyType.STRING, null,
                        "folder of split list files (default: the lists shipped with the dataset definitions)")
                .used("plugin_dirs", KeyType.STRING, null, PLUGIN_DIRS_DOC)
                .set("skip_bad", KeyType.BOOL, false,
                        "skip unreadable or mismatched image/label pairs (logged) instead of failing")
                .set("max_image_pixels", KeyType.INT, 67_108_864,
                        "largest image or label (width x height) read; larger files are bad data, refused from their"
                                + " header before decoding (default 8192x8192, MSeg's largest images are ~24 MP)")
                .range(ValueRange.positive())
                .set("permit_paths_outside_root", KeyType.BOOL, false,
                        "accept split-list paths that lead outside the data root (../.., absolute paths)")
                .section("TRAIN")
                .set("use_naive_taxonomy", KeyType.BOOL, false, "use the naive taxonomy (concatenated label spaces)")
                .set("arch", KeyType.STRING, "hrnet", "model architecture, a model provider name (hrnet)")
                .set("variant", KeyType.STRING, "w48", "model variant of the architecture (w48, tiny)")
                .unused("network_name", KeyType.STRING, "PSPNet backbone name (PSPNet is not part of this port)")
                .unused("layers", KeyType.INT, "PSPNet ResNet depth (PSPNet is not part of this port)")
                .unused("sync_bn", KeyType.BOOL,
                        "one process trains all datasets, so batch statistics always span every dataset's crops")
                .set("train_h", KeyType.INT, 713, "crop height (8·k + 1)").range(ValueRange.positive())
                .set("train_w", KeyType.INT, 713, "crop width (8·k + 1)").range(ValueRange.positive())
                .set("scale_min", KeyType.FLOAT, 0.5, "minimum random scale").range(ValueRange.positive())
                .set("scale_max", KeyType.FLOAT, 2.0, "maximum random scale").range(ValueRange.positive())
                .set("short_size", KeyType.INT, 1080, "shorter image side is resized to this before augmentation")
                .range(ValueRange.positive())
                .set("rotate_min", KeyType.FLOAT, -10, "minimum random rotation in degrees")
                .range(ValueRange.between(-360, 360))
                .set("rotate_max", KeyType.FLOAT, 10, "maximum random rotation in degrees")
                .range(ValueRange.between(-360, 360))
                .unused("zoom_factor", KeyType.INT, "HRNet predicts at 1/4 and upsamples; the factor is ignored")
                .set("ignore_label", KeyType.INT, 255, "label value ignored by the loss; padding value of labels")
                .range(ValueRange.between(0, 65535))
                .set("aux_weight", KeyType.FLOAT, 0.4, "weight of the auxiliary loss (HRNet has none)")
                .range(ValueRange.nonNegative())
                .required("num_examples", KeyType.INT, "crops per dataset to train for (sets max_iters)")
                .range(ValueRange.positive())
                .set("train_gpu", KeyType.INT_LIST, List.of(0),
                        "GPU ids; their count divides batch_size into the per-dataset batch")
                        .range(ValueRange.nonNegative())
                .used("dataset_gpu_mapping", KeyType.GPU_MAPPING, null,
                        "dataset -> GPU ranks training it; the count of ranks is the replicas per dataset")
                .unused("workers", KeyType.INT, "loader threads are sized by the loader")
                .required("batch_size", KeyType.INT, "total batch over all GPUs; per-dataset batch = batch_size / GPUs")
                .range(ValueRange.positive())
                .unused("batch_size_val", KeyType.INT, "validation during training is not run")
                .set("base_lr", KeyType.FLOAT, 0.01, "initial learning rate").range(ValueRange.positive())
                .unused("epochs", KeyType.INT, "derived from num_examples at run time")
                .unused("start_epoch", KeyType.INT, "derived from the checkpoint at run time")
                .set("power", KeyType.FLOAT, 0.9, "exponent of the poly learning-rate schedule")
                .range(ValueRange.nonNegative())
                .set("momentum", KeyType.FLOAT, 0.9, "SGD momentum").range(ValueRange.fractionBelowOne())
                .set("weight_decay", KeyType.FLOAT, 0.0001, "SGD weight decay").range(ValueRange.nonNegative())
                .used("manual_seed", KeyType.INT, null, "seed for shuffling, augmentation and initialisation")
                .set("print_freq", KeyType.INT, 10, "log every N iterations").range(ValueRange.positive())
                .set("save_freq", KeyType.INT, 1, "checkpoint every N epochs of the first dataset")
                .range(ValueRange.positive())
                .set("save_path", KeyType.STRING, "default", "checkpoint and log folder ('default': chosen by train)")
                .used("weight", KeyType.STRING, null, "checkpoint to initialise the model from")
                .unused("init_model_path", KeyType.STRING, "never read upstream; use weight")
                .used("resume", KeyType.STRING, null, "checkpoint to resume model, optimizer and iteration from")
                .set("auto_resume", KeyType.STRING, "None",
                        "folder to resume from its latest checkpoint ('None': off)")
                .unused("evaluate", KeyType.BOOL, "validation during training is not run")
                .choice("precision", null, Precision.configNames(),
                        "numeric precision (default: from opt_level, O0 = fp32)")
                .used("keep_checkpoints", KeyType.INT, 0, "keep only the newest N epoch checkpoints (0: keep all)")
                .range(ValueRange.nonNegative())
                .set("tensorboard", KeyType.BOOL, true,
                        "write TensorBoard event files into RUN/tensorboard (False: off)")
                .set("devices", KeyType.STRING, "cpu",
                        "devices of the data-parallel replicas, one per device: cpu, cpu:N (N virtual CPU devices),"
                                + " gpu (every visible GPU) or gpu:I,J,...; `mseg-cli doctor` lists the devices")
                .section("Distributed")
                .unused("dist_url", KeyType.STRING, "PyTorch's rendezvous; the cluster comes from TF_CONFIG, Slurm or"
                        + " train --cluster/--task-index")
                .unused("dist_backend", KeyType.STRING, "PyTorch's backend; tasks talk over TensorFlow's gRPC runtime")
                .unused("multiprocessing_distributed", KeyType.BOOL, "one process per task; its devices come from"
                        + " devices")
                .unused("world_size", KeyType.INT, "the cluster's size comes from TF_CONFIG, Slurm or --cluster")
                .unused("rank", KeyType.INT, "the task index comes from TF_CONFIG, Slurm or --task-index")
                .choice("allreduce_precision", "fp32", List.of("fp32", "bf16", "fp16"), "the type several"
                        + " replicas sum their gradients in: fp32 (exact), or bf16/fp16 to halve the bytes exchanged")
                .set("peer_timeout", KeyType.INT, 300, "seconds a task of a multi-process run waits for the others"
                        + " (at start-up, and in each all-reduce) before it stops, naming the tasks that are gone")
                .range(ValueRange.positive())
                .unused("use_apex", KeyType.BOOL, "NVIDIA apex; see precision")
                .choice("opt_level", "O0", List.of("O0", "O1", "O2", "O3"),
                        "apex AMP level, mapped onto precision: O0 fp32, O1/O2 fp16 mixed, O3 fp16-pure")
                .unused("keep_batchnorm_fp32", KeyType.BOOL, "apex AMP option")
                .unused("loss_scale", KeyType.SCALAR, "apex AMP option; fp16 uses dynamic loss scaling")
                .build("training");
    }

    private static ConfigSchema buildTest() {
        return new Builder()
                .section("DATA")
                .required("dataset", KeyType.DATASETS,
                        "dataset to evaluate, or 'default': chosen with --set dataset=NAME")
                .unused("version", KeyType.FLOAT, "taxonomy version of the release; always the current one")
                .used("root", KeyType.STRING, null, "folder holding the dataset folders (default: $MSEG_DATA_ROOT)")
                .used("lists", KeyType.STRING, null,
                        "folder of split list files (default: the lists shipped with the dataset definitions)")
                .used("plugin_dirs", KeyType.STRING, null, PLUGIN_DIRS_DOC)
                .section("TRAIN")
                .set("arch", KeyType.STRING, "hrnet", "model architecture, a model provider name (hrnet)")
                .set("variant", KeyType.STRING, "w48", "model variant of the architecture (w48, tiny)")
                .unused("network_name", KeyType.STRING, "PSPNet backbone name (PSPNet is not part of this port)")
                .unused("layers", KeyType.INT, "PSPNet ResNet depth (PSPNet is not part of this port)")
                .unused("zoom_factor", KeyType.INT, "HRNet predicts at 1/4 and upsamples; the factor is ignored")
                .set("ignore_label", KeyType.INT, 255, "label value ignored when scoring")
                .range(ValueRange.between(0, 65535))
                .unused("workers", KeyType.INT, "loader threads are sized by the loader")
                .section("TEST")
                .set("vis_freq", KeyType.INT, 20, "write a colour visualisation every N images")
                .range(ValueRange.positive())
                .set("img_name_unique", KeyType.BOOL, false,
                        "image file names are unique within the dataset (decided at run time)")
                .set("batch_size_val", KeyType.INT, 1, "images per inference batch").range(ValueRange.positive())
                .choice("split", "val", List.of("train", "val", "test"), "split to evaluate")
                .unused("small", KeyType.BOOL, "never read upstream either")
                .used("base_size", KeyType.INT, null,
                        "shorter side is resized to this before inference (empty: native size, batched configs)")
                        .range(ValueRange.positive())
                .set("test_h", KeyType.INT, 713, "inference crop height (8·k + 1)").range(ValueRange.positive())
                .set("test_w", KeyType.INT, 713, "inference crop width (8·k + 1)").range(ValueRange.positive())
                .set("scales", KeyType.FLOAT_LIST, List.of(1.0), "inference scales; several = multi-scale")
                .range(ValueRange.positive())
                .set("native_img_h", KeyType.INT, -1, "native image height for batched inference (-1: per image)")
                .range(ValueRange.atLeast(-1))
                .set("native_img_w", KeyType.INT, -1, "native image width for batched inference (-1: per image)")
                .range(ValueRange.atLeast(-1))
                .set("has_prediction", KeyType.BOOL, false, "skip inference and only score the cached predictions")
                .set("index_start", KeyType.INT, 0, "first list index to evaluate").range(ValueRange.nonNegative())
                .set("index_step", KeyType.INT, 0, "number of list entries to evaluate (0: to the end)")
                .range(ValueRange.nonNegative())
                .unused("test_gpu", KeyType.INT_LIST, "the device is chosen by the backend")
                .set("model_path", KeyType.STRING, "default", "checkpoint to evaluate ('default': set on the CLI)")
                .set("model_name", KeyType.STRING, "default", "model name used in output folders")
                .set("input_file", KeyType.STRING, "default", "image, folder or list to run on")
                .set("save_folder", KeyType.STRING, "default", "output folder")
                .build("test");
    }
}
