package org.mseg.pytorch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mseg.pytorch.PickleRefs.TensorRef;

/**
 * The named tensors of a model, as found in a PyTorch checkpoint.
 *
 * <p>The tensor dictionary is looked for at the top level of the checkpoint (a plain {@code torch.save(model
 * .state_dict())}) and then under the keys {@value #STATE_DICT}, {@value #MODEL_STATE_DICT} and {@value #MODEL},
 * recursively (MSeg's released models are {@code {"state_dict": …, "epoch": …}}). The {@code module.} prefix that
 * {@code DataParallel} and {@code DistributedDataParallel} add is stripped from every key that has it. Keys keep the
 * order of the checkpoint.
 */
public final class StateDict {
    /** The key under which training scripts such as MSeg's save the model's tensors. */
    public static final String STATE_DICT = "state_dict";
    /** Another common key for the model's tensors. */
    public static final String MODEL_STATE_DICT = "model_state_dict";
    /** Another common key for the model's tensors. */
    public static final String MODEL = "model";
    /** The prefix {@code torch.nn.DataParallel} and {@code DistributedDataParallel} put before every key. */
    public static final String DATA_PARALLEL_PREFIX = "module.";

    private static final List<String> NESTING_KEYS = List.of(STATE_DICT, MODEL_STATE_DICT, MODEL);

    private final String source;
    private final String location;
    private final boolean prefixStripped;
    private final Map<String, TorchTensor> tensors;

    private StateDict(String source, String location, boolean prefixStripped, Map<String, TorchTensor> tensors) {
        this.source = source;
        this.location = location;
        this.prefixStripped = prefixStripped;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Reads the state dict of a checkpoint. Only its tensors are read from the file; other saved objects (optimizer
     * state, …) are unpickled but their tensor data is skipped.
     *
     * @param file the {@code .pth} file, zip or legacy format
     * @return the state dict, {@code module.} prefixes stripped
     * @throws TensorFileException when the file cannot be read (see {@link PthReader#read(Path)}), holds no tensor
     *                             dictionary, or stripping {@code module.} makes two keys equal
     */
    public static StateDict read(Path file) {
        String source = file.toString();
        try (PthArchive archive = PthArchive.open(file)) {
            Found found = locate(archive.root(), "", source);
            Map<TensorRef, String> refs = new IdentityHashMap<>();
            found.entries.forEach((key, value) -> refs.putIfAbsent((TensorRef) value, key));
            Map<TensorRef, TorchTensor> read = archive.materialise(refs);
            Map<String, TorchTensor> tensors = new LinkedHashMap<>();
            found.entries.forEach((key, value) -> tensors.put(key, read.get((TensorRef) value)));
            return build(source, found.location, tensors);
        } catch (IOException e) {
            throw new TensorFileException(source, "cannot close checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the tensors of a checkpoint's state dict: {@code read(file).tensors()}.
     *
     * @param file the {@code .pth} file, zip or legacy format
     * @return the tensors by key without {@code module.} prefix, unmodifiable, in checkpoint order
     * @throws TensorFileException as {@link #read(Path)}
     */
    public static Map<String, TorchTensor> readTensors(Path file) {
        return read(file).tensors();
    }

    /**
     * Finds the state dict in an object tree returned by {@link PthReader#read(Path)}.
     *
     * @param root   the checkpoint's object
     * @param source the file it came from, for messages
     * @return the state dict, {@code module.} prefixes stripped
     * @throws TensorFileException when there is no tensor dictionary or stripping makes two keys equal
     */
    public static StateDict of(Object root, String source) {
        Found found = locate(root, "", source);
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        found.entries.forEach((key, value) -> tensors.put(key, (TorchTensor) value));
        return build(source, found.location, tensors);
    }

    /** @return the file the tensors were read from */
    public String source() {
        return source;
    }

    /** @return where the dictionary was found: {@code ""} for the top level, else e.g. {@code "state_dict"} */
    public String location() {
        return location;
    }

    /** @return whether a {@code module.} prefix was stripped from at least one key */
    public boolean prefixStripped() {
        return prefixStripped;
    }

    /** @return all tensors by key, unmodifiable, in checkpoint order */
    public Map<String, TorchTensor> tensors() {
        return tensors;
    }

    /** @return the keys, in checkpoint order */
    public Set<String> keys() {
        return tensors.keySet();
    }

    /** @return the number of tensors */
    public int size() {
        return tensors.size();
    }

    /**
     * @param key a key without {@code module.} prefix, e.g. {@code stage2.0.branches.1.0.conv1.weight}
     * @return the tensor, if present
     */
    public Optional<TorchTensor> find(String key) {
        return Optional.ofNullable(tensors.get(key));
    }

    /**
     * @param key a key without {@code module.} prefix
     * @return the tensor
     * @throws TensorFileException naming the file, the key and the most similar keys present, when it is missing
     */
    public TorchTensor get(String key) {
        TorchTensor t = tensors.get(key);
        if (t == null) {
            throw new TensorFileException(source, "no tensor '" + key + "' in the state dict (" + tensors.size()
                    + " tensors" + (location.isEmpty() ? "" : " under '" + location + "'") + "); closest keys: "
                    + closest(key));
        }
        return t;
    }

    /**
     * @param key           a key without {@code module.} prefix
     * @param expectedShape the shape the caller needs
     * @return the tensor
     * @throws TensorFileException when it is missing or has another shape; the message names file, key and both
     *                             shapes
     */
    public TorchTensor get(String key, long... expectedShape) {
        TorchTensor t = get(key);
        if (!t.hasShape(expectedShape)) {
            throw new TensorFileException(source, "tensor '" + key + "' has shape " + t.shapeText()
                    + " but the model expects " + Shapes.python(expectedShape)
                    + " (checkpoint of another architecture, width or number of classes?)");
        }
        return t;
    }

    @Override
    public String toString() {
        return "StateDict[" + source + ", " + tensors.size() + " tensors"
                + (location.isEmpty() ? "" : " under '" + location + "'")
                + (prefixStripped ? ", '" + DATA_PARALLEL_PREFIX + "' stripped" : "") + "]";
    }

    record Found(String location, Map<String, Object> entries) {
    }

    private static boolean isTensor(Object o) {
        return o instanceof TensorRef || o instanceof TorchTensor;
    }

    static Found locate(Object node, String location, String source) {
        if (node instanceof Map<?, ?> map) {
            if (!map.isEmpty() && map.entrySet().stream()
                    .allMatch(e -> e.getKey() instanceof String && isTensor(e.getValue()))) {
                Map<String, Object> entries = new LinkedHashMap<>();
                map.forEach((k, v) -> entries.put((String) k, v));
                return new Found(location, entries);
            }
            for (String key : NESTING_KEYS) {
                if (map.containsKey(key)) {
                    return locate(map.get(key), location.isEmpty() ? key : location + "." + key, source);
                }
            }
            if (map.values().stream().anyMatch(StateDict::isTensor)) {
                Map.Entry<?, ?> odd = map.entrySet().stream()
                        .filter(e -> !(e.getKey() instanceof String) || !isTensor(e.getValue()))
                        .findFirst().orElseThrow();
                throw new TensorFileException(source, (location.isEmpty() ? "the checkpoint" : "'" + location + "'")
                        + " mixes tensors with other values: entry '" + odd.getKey() + "' is "
                        + describe(odd.getValue()) + "; expected a dictionary of tensors only");
            }
            throw new TensorFileException(source, "no state dict found" + (location.isEmpty() ? "" : " under '"
                    + location + "'") + ": expected a dictionary of tensors, or one under '" + STATE_DICT + "', '"
                    + MODEL_STATE_DICT + "' or '" + MODEL + "'; the keys are " + keysOf(map));
        }
        throw new TensorFileException(source, "no state dict found" + (location.isEmpty() ? "" : " under '"
                + location + "'") + ": the checkpoint holds " + describe(node) + ", not a dictionary of tensors");
    }

    private static String describe(Object o) {
        if (o instanceof Map<?, ?> m) {
            return "a dict with keys " + keysOf(m);
        }
        if (o instanceof List<?> l) {
            return "a list of " + l.size();
        }
        return Unpickler.typeName(o).equals("TensorRef") ? "a tensor" : "a " + Unpickler.typeName(o);
    }

    private static String keysOf(Map<?, ?> map) {
        List<String> keys = map.keySet().stream().map(String::valueOf).collect(Collectors.toList());
        return keys.size() <= 12 ? keys.toString() : keys.subList(0, 12) + " and " + (keys.size() - 12) + " more";
    }

    private static StateDict build(String source, String location, Map<String, TorchTensor> raw) {
        Map<String, TorchTensor> out = stripPrefix(source, raw);
        boolean stripped = raw.keySet().stream().anyMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX));
        return new StateDict(source, location, stripped, out);
    }

    /** The entries with their {@code module.} prefix removed, in order; fails when two keys become equal. */
    static <V> Map<String, V> stripPrefix(String source, Map<String, V> raw) {
        Map<String, V> out = new LinkedHashMap<>();
        Map<String, String> originalKey = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : raw.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(DATA_PARALLEL_PREFIX)) {
                key = key.substring(DATA_PARALLEL_PREFIX.length());
            }
            String previous = originalKey.putIfAbsent(key, e.getKey());
            if (previous != null) {
                throw new TensorFileException(source, "keys '" + previous + "' and '" + e.getKey()
                        + "' both become '" + key + "' once the '" + DATA_PARALLEL_PREFIX + "' prefix is stripped");
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private String closest(String key) {
        return tensors.keySet().stream()
                .sorted(Comparator.comparingInt((String k) -> editDistance(k, key)).thenComparing(k -> k))
                .limit(3)
                .collect(Collectors.joining(", "));
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
