package org.mseg.pytorch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.mseg.pytorch.PickleRefs.TensorRef;

/**
 * The state dict of an open PyTorch checkpoint whose tensors are read only when asked for. Keys and shapes come from
 * the pickle alone; {@link #tensor(String)} reads one tensor's data. A loader that asks only for the keys its model
 * has therefore never reads (nor allocates memory for) the others: an unused key of a crafted file, such as a huge
 * expanded tensor, costs nothing, and a used one fails with a message naming it before anything is allocated.
 *
 * <p>Keys are those of {@link StateDict}: found at the top level or under {@code state_dict}, {@code model_state_dict}
 * or {@code model}, {@code module.} prefix stripped, in checkpoint order.
 */
public final class LazyStateDict implements AutoCloseable {
    private final PthArchive archive;
    private final String location;
    private final Map<String, TensorRef> refs;
    private final Map<String, long[]> shapes;

    private LazyStateDict(PthArchive archive, String location, Map<String, TensorRef> refs) {
        this.archive = archive;
        this.location = location;
        this.refs = refs;
        Map<String, long[]> s = new LinkedHashMap<>();
        refs.forEach((k, r) -> s.put(k, r.size().clone()));
        this.shapes = Collections.unmodifiableMap(s);
    }

    /**
     * Opens a checkpoint and finds its state dict, reading no tensor data.
     *
     * @param file the {@code .pth} file, zip or legacy format
     * @throws TensorFileException as {@link StateDict#read(Path)}
     */
    public static LazyStateDict open(Path file) {
        String source = file.toString();
        PthArchive archive = PthArchive.open(file);
        try {
            StateDict.Found found = StateDict.locate(archive.root(), "", source);
            Map<String, TensorRef> raw = new LinkedHashMap<>();
            found.entries().forEach((key, value) -> raw.put(key, (TensorRef) value));
            return new LazyStateDict(archive, found.location(), StateDict.stripPrefix(source, raw));
        } catch (RuntimeException e) {
            try {
                archive.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** @return the file */
    public String source() {
        return archive.source;
    }

    /** @return where the dictionary was found: {@code ""} for the top level, else e.g. {@code "state_dict"} */
    public String location() {
        return location;
    }

    /** @return the keys, without {@code module.} prefix, in checkpoint order */
    public Set<String> keys() {
        return shapes.keySet();
    }

    /** @return each key's shape, read from the pickle only; the arrays must not be modified */
    public Map<String, long[]> shapes() {
        return shapes;
    }

    /**
     * Reads one tensor.
     *
     * @param key a key without {@code module.} prefix
     * @throws TensorFileException naming the file and key when it is missing, its view does not fit its storage,
     *                             or it is too large to materialise (checked before its data is read)
     */
    public TorchTensor tensor(String key) {
        TensorRef ref = refs.get(key);
        if (ref == null) {
            throw new TensorFileException(archive.source, "no tensor '" + key + "' in the state dict ("
                    + refs.size() + " tensors" + (location.isEmpty() ? "" : " under '" + location + "'") + ")");
        }
        Map<TensorRef, String> one = new IdentityHashMap<>();
        one.put(ref, key);
        return archive.materialise(one).get(ref);
    }

    @Override
    public void close() {
        try {
            archive.close();
        } catch (IOException e) {
            throw new TensorFileException(archive.source, "cannot close checkpoint: " + e.getMessage(), e);
        }
    }
}
