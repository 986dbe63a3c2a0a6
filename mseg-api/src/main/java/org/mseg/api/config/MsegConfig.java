package org.mseg.api.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * An MSeg configuration: an immutable, flat key space read from YAML like upstream MSeg reads it. Files have
 * sections ({@code DATA}, {@code TRAIN}, {@code Distributed}; test configs {@code TEST}); loading flattens them,
 * later sections overwriting equal keys. Keys are looked up flat ({@code base_lr}) or qualified
 * ({@code TRAIN.base_lr}).
 *
 * <p>Values are what YAML reads: {@code True} is a boolean, {@code 3} an integer, {@code [0, 1]} a list, an empty
 * value ({@code weight:}) is empty (null), and {@code None} or {@code default} are strings, as upstream. A freshly
 * loaded configuration is not checked; {@link ConfigSchema#validate(MsegConfig, Set)} checks it and returns the
 * resolved configuration, with defaults filled in.
 */
public final class MsegConfig {
    private static final String DEFAULT_ORIGIN = "(default)";
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final Map<String, Object> values;
    private final Map<String, String> sections;
    private final Map<String, String> origins;
    private final Map<String, String> sectionOrigins;
    private final String source;
    private final ConfigSchema schema;
    private final List<String> notes;

    private MsegConfig(Map<String, Object> values, Map<String, String> sections, Map<String, String> origins,
            Map<String, String> sectionOrigins, String source, ConfigSchema schema, List<String> notes) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
        this.sectionOrigins = Collections.unmodifiableMap(new LinkedHashMap<>(sectionOrigins));
        this.source = source;
        this.schema = schema;
        this.notes = List.copyOf(notes);
    }

    // ---------------------------------------------------------------------------------------------------- loading

    /**
     * Reads a YAML configuration file.
     *
     * @throws ConfigException if the file cannot be read or is not valid YAML; names the file, and the line and
     *                         column where SnakeYAML reports them
     */
    public static MsegConfig load(Path yaml) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(yaml);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + yaml + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + yaml + ": " + e.getMessage(), e);
        }
        return parse(text(bytes, yaml), yaml.toString());
    }

    /**
     * The UTF-8 text of a configuration file. Binary content (an image passed as {@code --config}) is refused with
     * a message naming the file, instead of SnakeYAML's or the decoder's "Input length = 1".
     */
    private static String text(byte[] bytes, Path file) {
        String kind = binaryKind(bytes);
        if (kind == null) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                kind = "not UTF-8 text";
            }
        }
        throw new ConfigException("configuration file " + file + " is not a YAML text file (" + kind + "); give"
                + " --config a YAML file with sections DATA:, TRAIN:, ... or a bundled config such as"
                + " 1080_release/mseg-relabeled-3m");
    }

    /** What binary content looks like, or {@code null} when it may be text. */
    private static String binaryKind(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "it is a PNG image";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "it is a JPEG image";
        }
        if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) {
            return "it is a zip archive (a .pth or .jar file?)";
        }
        for (int i = 0; i < Math.min(b.length, 8192); i++) {
            if (b[i] == 0) {
                return "it holds binary data: a NUL byte at offset " + i;
            }
        }
        return null;
    }

    /**
     * Reads a configuration from YAML text.
     *
     * @param yaml   the text
     * @param source what to call it in messages (a file name)
     * @throws ConfigException if the text is not valid YAML or not a mapping; names the source and the line
     */
    public static MsegConfig parse(String yaml, String source) {
        Object loaded;
        Node root;
        try {
            loaded = loader().load(yaml);
            root = loader().compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String at = m == null ? "" : " line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new ConfigException("cannot parse " + source + at + ": " + problem + context, e);
        } catch (YAMLException e) {
            throw new ConfigException("cannot parse " + source + ": " + e.getMessage(), e);
        }
        if (loaded == null) {
            throw new ConfigException(source + " is empty; expected sections DATA, TRAIN, ...");
        }
        if (!(loaded instanceof Map<?, ?> top)) {
            throw new ConfigException(source + " must be a mapping of sections (DATA:, TRAIN:, ...), found "
                    + KeyType.describeValue(loaded));
        }
        Map<String, Integer> lines = new LinkedHashMap<>();
        Map<String, Integer> sectionLines = new LinkedHashMap<>();
        if (root instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    sectionLines.put(k.getValue(), k.getStartMark().getLine() + 1);
                    lines.put(k.getValue(), k.getStartMark().getLine() + 1);
                    if (t.getValueNode() instanceof MappingNode inner) {
                        for (NodeTuple it : inner.getValue()) {
                            if (it.getKeyNode() instanceof ScalarNode ik) {
                                lines.put(k.getValue() + "." + ik.getValue(), ik.getStartMark().getLine() + 1);
                            }
                        }
                    }
                }
            }
        }
        return build(top, source, lines, sectionLines);
    }

    /**
     * A configuration from a map: either sectioned ({@code {TRAIN: {base_lr: 0.01}}}) or flat
     * ({@code {base_lr: 0.01}}), or a mix. A top-level key is a section when it is one of {@code DATA}, {@code TRAIN},
     * {@code Distributed}, {@code TEST}, or when its value is a mapping and its name starts with an upper-case letter.
     *
     * @param flatOrSectioned the values; copied
     * @param source          what to call the configuration in messages
     */
    public static MsegConfig fromMap(Map<String, ?> flatOrSectioned, String source) {
        return build(flatOrSectioned, source, Map.of(), Map.of());
    }

    private static MsegConfig build(Map<?, ?> top, String source, Map<String, Integer> lines,
            Map<String, Integer> sectionLines) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sections = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Map<String, String> sectionOrigins = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (isSection(k, v)) {
                sectionOrigins.put(k, at(source, sectionLines.get(k)));
                if (v == null) {
                    continue;
                }
                if (!(v instanceof Map<?, ?> inner)) {
                    throw new ConfigException("section " + k + " in " + at(source, sectionLines.get(k))
                            + " must be a mapping of keys, found " + KeyType.describeValue(v));
                }
                for (Map.Entry<?, ?> ie : inner.entrySet()) {
                    String name = String.valueOf(ie.getKey());
                    values.remove(name);
                    values.put(name, immutableCopy(ie.getValue()));
                    sections.put(name, k);
                    origins.put(name, at(source, lines.get(k + "." + name)));
                }
            } else {
                values.remove(k);
                values.put(k, immutableCopy(v));
                sections.put(k, knownSection(k).orElse(""));
                origins.put(k, at(source, lines.get(k)));
            }
        }
        return new MsegConfig(values, sections, origins, sectionOrigins, source, null, List.of());
    }

    private static boolean isSection(String k, Object v) {
        return ConfigSchema.SECTIONS.contains(k)
                || v instanceof Map && !k.isEmpty() && Character.isUpperCase(k.charAt(0)) && knownSection(k).isEmpty();
    }

    private static Optional<String> knownSection(String flatKey) {
        return ConfigSchema.training().find(flatKey).or(() -> ConfigSchema.test().find(flatKey))
                .map(ConfigKey::section);
    }

    private static String at(String source, Integer line) {
        return line == null ? source : source + " line " + line;
    }

    private static Yaml loader() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    // -------------------------------------------------------------------------------------------------- overrides

    /**
     * This configuration with {@code --set} overrides applied, checked against the schema the configuration follows
     * ({@link ConfigSchema#test()} if it has a TEST section, else {@link ConfigSchema#training()}).
     *
     * @see #withOverrides(List, ConfigSchema)
     */
    public MsegConfig withOverrides(List<String> keyEqualsValue) {
        return withOverrides(keyEqualsValue, effectiveSchema());
    }

    /**
     * This configuration with {@code --set} overrides applied, in order. Each override is {@code key=value} or
     * {@code SECTION.key=value}; the value is read as a YAML scalar or flow collection ({@code 0.02}, {@code True},
     * {@code [0, 1]}, {@code 'x'}, {@code {bdd: [0]}}); an empty value makes the key empty. The key must be in the
     * configuration or the schema (a {@code SECTION.key} naming a new key is accepted and left to validation); the
     * value must have the key's type. Unlike upstream, keys whose YAML value is empty ({@code weight:}) can be set.
     * For string keys the text is taken as is ({@code --set save_path=2024} is the string {@code 2024}); for number
     * keys {@code 1e-4} is a number.
     *
     * @throws ConfigException naming the override, the key, the expected and the found type
     */
    public MsegConfig withOverrides(List<String> keyEqualsValue, ConfigSchema schema) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, String> s = new LinkedHashMap<>(sections);
        Map<String, String> o = new LinkedHashMap<>(origins);
        for (String override : keyEqualsValue) {
            String where = "--set " + override;
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects KEY=VALUE (e.g. base_lr=0.02 or TRAIN.base_lr=0.02), got '"
                        + override + "'");
            }
            String keyPart = override.substring(0, eq).trim();
            String text = override.substring(eq + 1).trim();
            String section = null;
            String name = keyPart;
            int dot = keyPart.indexOf('.');
            if (dot > 0) {
                section = keyPart.substring(0, dot);
                name = keyPart.substring(dot + 1);
                if (!ConfigSchema.SECTIONS.contains(section)) {
                    String hint = Names.closest(section, ConfigSchema.SECTIONS).map(x -> " — did you mean " + x + "?")
                            .orElse(" (sections: " + String.join(", ", ConfigSchema.SECTIONS) + ")");
                    throw new ConfigException("unknown section " + section + " in " + where + hint);
                }
            }
            Optional<ConfigKey> key = schema.find(name);
            if (key.isPresent() && section != null && !key.get().section().equals(section)) {
                throw new ConfigException("in " + where + ": " + name + " is in section " + key.get().section()
                        + ", not " + section + "; write " + key.get().qualifiedName() + "=" + text + " or " + name
                        + "=" + text);
            }
            if (key.isEmpty() && !v.containsKey(name) && section == null) {
                Set<String> candidates = new TreeSet<>(v.keySet());
                schema.keys().forEach(k -> candidates.add(k.name()));
                throw new ConfigException("unknown key " + name + " in " + where
                        + Names.closest(name, candidates).map(x -> " — did you mean " + qualify(x, schema, s) + "?")
                                .orElse(" — the keys are listed by `mseg-cli config keys`"));
            }
            Object value = parseValue(text, where);
            String shown = key.map(ConfigKey::qualifiedName).orElse(section != null ? keyPart : name);
            if (key.isPresent()) {
                value = coerce(key.get(), value, text, where);
            } else if (value != null && v.get(name) != null && !sameKind(v.get(name), value)) {
                throw new ConfigException(shown + " in " + where + ": expected "
                        + KeyType.describeValue(v.get(name)).replaceFirst("^.*\\(", "").replace(")", "")
                        + " like the file's value, found " + KeyType.describeValue(value));
            }
            v.put(name, immutableCopy(value));
            s.put(name, key.map(ConfigKey::section).orElse(section != null ? section : s.getOrDefault(name, "")));
            o.put(name, where);
        }
        return new MsegConfig(v, s, o, sectionOrigins, source, this.schema, notes);
    }

    private static String qualify(String name, ConfigSchema schema, Map<String, String> sections) {
        return schema.find(name).map(ConfigKey::qualifiedName).orElseGet(() -> {
            String sec = sections.getOrDefault(name, "");
            return sec.isEmpty() ? name : sec + "." + name;
        });
    }

    private static Object parseValue(String text, String where) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return loader().load(text);
        } catch (YAMLException e) {
            throw new ConfigException("cannot read the value of " + where + " as YAML (use quotes for text, [a, b]"
                    + " for lists): " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static Object coerce(ConfigKey key, Object value, String text, String where) {
        if (value == null) {
            if (!key.nullable()) {
                throw new ConfigException(key.qualifiedName() + " in " + where + " cannot be empty; expected "
                        + key.type().description());
            }
            return null;
        }
        boolean scalar = value instanceof Number || value instanceof Boolean;
        if ((key.type() == KeyType.STRING || key.type() == KeyType.DATASETS) && scalar) {
            value = text;
        } else if ((key.type() == KeyType.FLOAT) && value instanceof String str && isNumber(str)) {
            value = Double.valueOf(str.trim());
        } else if (key.type() == KeyType.INT && value instanceof String str && isNumber(str)) {
            double d = Double.parseDouble(str.trim());
            if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
                value = (long) d == (int) d ? Integer.valueOf((int) d) : Long.valueOf((long) d);
            }
        }
        if (!key.type().accepts(value)) {
            throw new ConfigException(key.qualifiedName() + " in " + where + ": expected " + key.type().description()
                    + ", found " + KeyType.describeValue(value));
        }
        if (!key.allowedValues().isEmpty() && !key.allowedValues().contains(String.valueOf(value))) {
            throw new ConfigException(key.qualifiedName() + " in " + where + ": expected one of "
                    + String.join(", ", key.allowedValues()) + ", found " + KeyType.describeValue(value)
                    + Names.closest(String.valueOf(value), key.allowedValues()).map(n -> " — did you mean " + n + "?")
                            .orElse(""));
        }
        return value;
    }

    private static boolean sameKind(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) {
            return !(KeyType.isInteger(a) && !KeyType.isInteger(b));
        }
        return a instanceof List && b instanceof List || a instanceof Map && b instanceof Map
                || a.getClass() == b.getClass();
    }

    static boolean isNumber(String text) {
        return NUMBER.matcher(text.trim()).matches();
    }

    /**
     * This configuration with one value replaced or added, for code that sets keys itself (the value is not checked;
     * validate afterwards).
     *
     * @param key   flat ({@code save_path}) or qualified ({@code TRAIN.save_path})
     * @param value the value; null makes the key empty
     */
    public MsegConfig with(String key, Object value) {
        return with(key, value, source + " (set by the program)");
    }

    /**
     * This configuration with one value replaced or added, recording where it came from (a command-line option such
     * as {@code --devices}), which {@link #where} then names in messages. The value is not checked; validate
     * afterwards.
     *
     * @param key    flat ({@code devices}) or qualified ({@code TRAIN.devices})
     * @param value  the value; null makes the key empty
     * @param origin where the value came from, e.g. {@code "--devices"}
     */
    public MsegConfig with(String key, Object value, String origin) {
        String section = null;
        String name = key;
        int dot = key.indexOf('.');
        if (dot > 0 && ConfigSchema.SECTIONS.contains(key.substring(0, dot))) {
            section = key.substring(0, dot);
            name = key.substring(dot + 1);
        }
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, String> s = new LinkedHashMap<>(sections);
        Map<String, String> o = new LinkedHashMap<>(origins);
        v.put(name, immutableCopy(value));
        String sec = section != null ? section
                : s.containsKey(name) ? s.get(name) : effectiveSchema().find(name).map(ConfigKey::section).orElse("");
        s.put(name, sec);
        o.put(name, Objects.requireNonNull(origin, "origin"));
        return new MsegConfig(v, s, o, sectionOrigins, source, schema, notes);
    }

    MsegConfig resolved(Map<String, Object> newValues, Map<String, String> newSections, ConfigSchema by,
            List<String> newNotes) {
        Map<String, String> o = new LinkedHashMap<>(origins);
        for (String k : newValues.keySet()) {
            o.putIfAbsent(k, DEFAULT_ORIGIN);
        }
        Map<String, Object> copied = new LinkedHashMap<>();
        newValues.forEach((k, val) -> copied.put(k, immutableCopy(val)));
        return new MsegConfig(copied, newSections, o, sectionOrigins, source, by, newNotes);
    }

    // ---------------------------------------------------------------------------------------------------- reading

    /** Whether the key is present (possibly empty); flat or qualified name. */
    public boolean has(String key) {
        return values.containsKey(flatName(key));
    }

    /**
     * The value of a key: a Boolean, Integer, Long, Double, String, List, Map, or null when the YAML value is empty.
     *
     * @throws ConfigException if the key is absent; names the nearest present key
     */
    public Object get(String key) {
        String name = flatName(key);
        if (!values.containsKey(name)) {
            throw new ConfigException("no key " + key + " in " + source
                    + Names.closest(name, values.keySet()).map(n -> " — did you mean " + qualifiedName(n) + "?")
                            .orElse(""));
        }
        return values.get(name);
    }

    /** A string value; {@code None} and {@code default} are strings. @throws ConfigException if absent, empty or not text */
    public String getString(String key) {
        return typed(key, String.class, "a string");
    }

    /** An integer value. @throws ConfigException if absent, empty, not an integer or out of int range */
    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) {
            throw new ConfigException(qualifiedName(flatName(key)) + " in " + where(flatName(key)) + " is " + v
                    + ", too large for an int");
        }
        return (int) v;
    }

    /** An integer value as a long. @throws ConfigException if absent, empty or not an integer */
    public long getLong(String key) {
        Object v = present(key);
        if (!KeyType.isInteger(v)) {
            throw wrongType(key, "an integer", v);
        }
        return ((Number) v).longValue();
    }

    /** A number (integers are accepted). @throws ConfigException if absent, empty or not a number */
    public double getDouble(String key) {
        Object v = present(key);
        if (v instanceof String str && isNumber(str)) {
            return Double.parseDouble(str.trim());
        }
        if (!(v instanceof Number n)) {
            throw wrongType(key, "a number", v);
        }
        return n.doubleValue();
    }

    /** A boolean. @throws ConfigException if absent, empty or not a boolean */
    public boolean getBool(String key) {
        return typed(key, Boolean.class, "a boolean (True or False)");
    }

    /** A list, unmodifiable. @throws ConfigException if absent, empty or not a list */
    @SuppressWarnings("unchecked")
    public List<Object> getList(String key) {
        return typed(key, List.class, "a list");
    }

    /** A mapping, unmodifiable, in file order. @throws ConfigException if absent, empty or not a mapping */
    @SuppressWarnings("unchecked")
    public Map<String, Object> getMap(String key) {
        return typed(key, Map.class, "a mapping");
    }

    /** A string value, or empty when the key is absent, empty or the empty string. @throws ConfigException if not text */
    public Optional<String> getOptionalString(String key) {
        Object v = values.get(flatName(key));
        if (v == null || v instanceof String str && str.isEmpty()) {
            return Optional.empty();
        }
        if (!(v instanceof String str)) {
            throw wrongType(key, "a string", v);
        }
        return Optional.of(str);
    }

    /** An integer value, or empty when the key is absent or empty ({@code manual_seed:}). */
    public Optional<Long> getOptionalLong(String key) {
        return values.get(flatName(key)) == null ? Optional.empty() : Optional.of(getLong(key));
    }

    /**
     * The training datasets, in configuration order.
     *
     * @throws ConfigException if {@code dataset} is still {@code single} or {@code default}: the dataset is chosen on
     *                         the command line with {@code --set dataset=NAME}
     */
    public List<String> datasets() {
        Object v = present("dataset");
        if (v instanceof String s) {
            if (s.equals(ConfigSchema.SINGLE_DATASET) || s.equals(ConfigSchema.DEFAULT_DATASET)) {
                throw new ConfigException("DATA.dataset is '" + s + "' in " + where("dataset")
                        + ": the dataset is chosen on the command line; add --set dataset=NAME");
            }
            return List.of(s);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        throw wrongType("dataset", KeyType.DATASETS.description(), v);
    }

    /** Every key and value, ordered by section (DATA, TRAIN, Distributed, TEST, others) then key; unmodifiable. */
    public Map<String, Object> flat() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : orderedKeys()) {
            out.put(k, values.get(k));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The section each key is printed in ({@code base_lr} → {@code TRAIN}); empty string for keys of no section. */
    public Map<String, String> sectionsByKey() {
        return sections;
    }

    /**
     * The configuration as sectioned YAML ({@code DATA}, {@code TRAIN}, {@code Distributed}, {@code TEST}, keys
     * sorted), which {@link #parse} reads back to the same values.
     */
    public String toYaml() {
        Map<String, Map<String, Object>> bySection = new LinkedHashMap<>();
        Map<String, Object> top = new LinkedHashMap<>();
        for (String k : orderedKeys()) {
            String sec = sections.getOrDefault(k, "");
            if (sec.isEmpty()) {
                top.put(k, values.get(k));
            } else {
                bySection.computeIfAbsent(sec, x -> new LinkedHashMap<>()).put(k, values.get(k));
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>(top);
        doc.putAll(bySection);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(200);
        options.setIndent(2);
        return new Yaml(new FlowListRepresenter(options), options).dump(doc);
    }

    /**
     * Keys present here that this port accepts but does not read (distributed launch, apex, PSPNet...), in section
     * order; judged by the schema that validated this configuration, else the one it most likely follows.
     */
    public List<String> unusedKeys() {
        ConfigSchema s = effectiveSchema();
        List<String> out = new ArrayList<>();
        for (String k : orderedKeys()) {
            s.find(k).filter(key -> !key.applies()).ifPresent(key -> out.add(k));
        }
        return List.copyOf(out);
    }

    /** Keys the file or the overrides set, as opposed to defaults filled in by validation. */
    public Set<String> explicitKeys() {
        Set<String> out = new LinkedHashSet<>();
        for (String k : orderedKeys()) {
            if (!DEFAULT_ORIGIN.equals(origins.get(k))) {
                out.add(k);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** Remarks of validation that are not errors (e.g. the dataset is chosen on the command line). */
    public List<String> notes() {
        return notes;
    }

    /** Where the configuration came from: the file name, or the source given to {@link #fromMap}. */
    public String source() {
        return source;
    }

    /** Where a key's value came from, for messages: {@code FILE line 12}, {@code --set base_lr=0.02}, a default. */
    public String where(String key) {
        return origins.getOrDefault(flatName(key), source);
    }

    /** Equal when both hold the same keys, values and sections, wherever they came from. */
    @Override
    public boolean equals(Object o) {
        return o instanceof MsegConfig other && values.equals(other.values) && sections.equals(other.sections);
    }

    @Override
    public int hashCode() {
        return values.hashCode() * 31 + sections.hashCode();
    }

    @Override
    public String toString() {
        return "MsegConfig[" + source + ", " + values.size() + " keys]";
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    Map<String, Object> rawValues() {
        return values;
    }

    Map<String, String> sections() {
        return sections;
    }

    String whereSection(String section) {
        return sectionOrigins.getOrDefault(section, source);
    }

    private ConfigSchema effectiveSchema() {
        return schema != null ? schema : ConfigSchema.inferFor(sections);
    }

    private List<String> orderedKeys() {
        List<String> keys = new ArrayList<>(values.keySet());
        keys.sort(Comparator.comparingInt((String k) -> sectionRank(sections.getOrDefault(k, "")))
                .thenComparing(k -> sections.getOrDefault(k, "")).thenComparing(Comparator.naturalOrder()));
        return keys;
    }

    private static int sectionRank(String section) {
        int i = ConfigSchema.SECTIONS.indexOf(section);
        return i >= 0 ? i : section.isEmpty() ? -1 : ConfigSchema.SECTIONS.size();
    }

    private String flatName(String key) {
        int dot = key.indexOf('.');
        if (dot > 0 && !values.containsKey(key)) {
            String section = key.substring(0, dot);
            String name = key.substring(dot + 1);
            if (ConfigSchema.SECTIONS.contains(section) || section.equals(sections.get(name))) {
                return name;
            }
        }
        return key;
    }

    private String qualifiedName(String name) {
        String sec = sections.getOrDefault(name, "");
        return sec.isEmpty() ? name : sec + "." + name;
    }

    private Object present(String key) {
        Object v = get(key);
        if (v == null) {
            String name = flatName(key);
            throw new ConfigException(qualifiedName(name) + " is empty in " + where(name) + "; set it, e.g. --set "
                    + name + "=VALUE");
        }
        return v;
    }

    private <T> T typed(String key, Class<T> type, String expected) {
        Object v = present(key);
        if (!type.isInstance(v)) {
            throw wrongType(key, expected, v);
        }
        return type.cast(v);
    }

    private ConfigException wrongType(String key, String expected, Object found) {
        String name = flatName(key);
        return new ConfigException(qualifiedName(name) + " in " + where(name) + ": expected " + expected + ", found "
                + KeyType.describeValue(found));
    }

    /** Writes sections and mappings as blocks but lists in flow style, as the release files do. */
    private static final class FlowListRepresenter extends Representer {
        FlowListRepresenter(DumperOptions options) {
            super(options);
            this.multiRepresenters.put(List.class,
                    data -> representSequence(Tag.SEQ, (List<?>) data, DumperOptions.FlowStyle.FLOW));
            // 0.0001 rather than Java's 1.0E-4, which YAML readers other than SnakeYAML take for text
            this.representers.put(Double.class, data -> {
                double d = (Double) data;
                if (Double.isFinite(d) && (d == 0 || Math.abs(d) >= 1e-9 && Math.abs(d) < 1e15)) {
                    String plain = java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
                    return representScalar(Tag.FLOAT, plain.contains(".") ? plain : plain + ".0");
                }
                return representScalar(Tag.FLOAT, String.valueOf(d));
            });
        }
    }

    private static Object immutableCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), immutableCopy(x)));
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(immutableCopy(x)));
            return Collections.unmodifiableList(out);
        }
        return v;
    }
}
