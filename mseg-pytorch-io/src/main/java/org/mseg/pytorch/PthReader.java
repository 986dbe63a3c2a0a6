package org.mseg.pytorch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mseg.pytorch.PickleRefs.StorageRef;
import org.mseg.pytorch.PickleRefs.TensorRef;

/**
 * Reads PyTorch checkpoints ({@code torch.save} files) in pure Java, without Python.
 *
 * <p>Both on-disk formats are read: the zip archive of PyTorch 1.6 and later ({@code <archive>/data.pkl} plus one
 * {@code <archive>/data/<key>} entry per storage) and the legacy format of earlier versions (also written with
 * {@code _use_new_zipfile_serialization=False}). The pickle is interpreted by a small virtual machine that builds
 * data only: tensors, storages, {@code OrderedDict}s and plain Python values. Any other Python global, such as a
 * class of the training script or {@code os.system}, makes the read fail with a message naming it; nothing from the
 * file is ever executed.
 *
 * <p>The returned object tree maps Python values to Java: dict → unmodifiable {@link Map} in insertion order (keys
 * are {@link String}, {@link Long} or tuple {@link List}s), list and tuple → unmodifiable {@link List}, set →
 * unmodifiable {@link Set}, str → {@link String}, bytes → {@code byte[]}, int → {@link Long} (or
 * {@link java.math.BigInteger} beyond 64 bits), float → {@link Double}, bool → {@link Boolean}, numpy scalar → its
 * {@link Double}, {@link Long} or {@link Boolean} value, None → {@link #NONE}, tensor → {@link TorchTensor} (C order,
 * any strides and storage offset resolved), a bare storage → a one-dimensional {@link TorchTensor}. Tensors saved
 * on a GPU are read like CPU tensors.
 *
 * <p>For model weights use {@link StateDict#read(Path)}, which reads only the tensors of the state dict.
 */
public final class PthReader {

    /** Python's {@code None} in the object tree returned by {@link #read(Path)}; compare with {@code ==}. */
    public static final Object NONE = PickleRefs.NONE;

    /** The on-disk layout of a checkpoint. */
    public enum Format {
        /** The zip archive written by PyTorch 1.6 and later. */
        ZIP,
        /** The sequence of pickles and raw storages written by earlier versions. */
        LEGACY
    }

    private PthReader() {
    }

    /**
     * Reads a whole checkpoint, tensors included.
     *
     * @param file the {@code .pth} file
     * @return the saved object, as described in the class documentation
     * @throws TensorFileException when the file is missing, truncated, corrupt, not a PyTorch checkpoint, or names a
     *                             Python global the reader does not allow; the message names the file
     */
    public static Object read(Path file) {
        try (PthArchive archive = PthArchive.open(file)) {
            Map<TensorRef, String> refs = new IdentityHashMap<>();
            Map<StorageRef, TensorRef> storageViews = new IdentityHashMap<>();
            collect(archive.root(), "", refs, storageViews, Collections.newSetFromMap(new IdentityHashMap<>()));
            Map<TensorRef, TorchTensor> tensors = archive.materialise(refs);
            return freeze(archive.root(), tensors, storageViews, new IdentityHashMap<>());
        } catch (IOException e) {
            throw new TensorFileException(file.toString(), "cannot close checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Tells which on-disk layout a checkpoint has, reading it fully to check it.
     *
     * @param file the {@code .pth} file
     * @return its format
     * @throws TensorFileException as {@link #read(Path)}
     */
    public static Format format(Path file) {
        try (PthArchive archive = PthArchive.open(file)) {
            return archive.format();
        } catch (IOException e) {
            throw new TensorFileException(file.toString(), "cannot close checkpoint: " + e.getMessage(), e);
        }
    }

    /** Finds every tensor in the tree, named by its path (e.g. {@code state_dict.conv1.weight}) for messages. */
    private static void collect(Object node, String path, Map<TensorRef, String> out,
            Map<StorageRef, TensorRef> storageViews, Set<Object> seen) {
        if (node instanceof TensorRef t) {
            out.putIfAbsent(t, path);
            return;
        }
        if (node instanceof StorageRef s) {
            // a bare storage is returned as a one-dimensional tensor over all of it
            TensorRef whole = storageViews.computeIfAbsent(s, k -> new TensorRef(k, 0, new long[] {k.numel()},
                    new long[] {1}));
            out.putIfAbsent(whole, path);
            return;
        }
        if (!(node instanceof Map<?, ?> || node instanceof List<?> || node instanceof Set<?>) || !seen.add(node)) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                collect(e.getValue(), path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey(), out,
                        storageViews, seen);
            }
        } else {
            int i = 0;
            for (Object item : (Iterable<?>) node) {
                collect(item, path + "[" + i++ + "]", out, storageViews, seen);
            }
        }
    }

    /** Copies the tree into unmodifiable collections, replacing tensor references by tensors. */
    private static Object freeze(Object node, Map<TensorRef, TorchTensor> tensors,
            Map<StorageRef, TensorRef> storageViews, Map<Object, Object> done) {
        if (node instanceof TensorRef t) {
            return tensors.get(t);
        }
        if (node instanceof StorageRef s) {
            return tensors.get(storageViews.get(s));
        }
        if (node instanceof StorageType type) {
            return "torch." + type.className;
        }
        if (node instanceof PickleRefs.TypeMarker || node instanceof PickleRefs.Function
                || node instanceof PickleGlobals.NumpyDtype) {
            return node.toString();
        }
        if (!(node instanceof Map<?, ?> || node instanceof List<?> || node instanceof Set<?>)) {
            return node;
        }
        Object existing = done.get(node);
        if (existing != null) {
            return existing;
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            Map<Object, Object> view = Collections.unmodifiableMap(copy);
            done.put(node, view);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(freeze(e.getKey(), tensors, storageViews, done),
                        freeze(e.getValue(), tensors, storageViews, done));
            }
            return view;
        }
        if (node instanceof Set<?> set) {
            Set<Object> copy = new LinkedHashSet<>();
            Set<Object> view = Collections.unmodifiableSet(copy);
            done.put(node, view);
            for (Object item : set) {
                copy.add(freeze(item, tensors, storageViews, done));
            }
            return view;
        }
        List<Object> copy = new ArrayList<>();
        List<Object> view = Collections.unmodifiableList(copy);
        done.put(node, view);
        for (Object item : (List<?>) node) {
            copy.add(freeze(item, tensors, storageViews, done));
        }
        return view;
    }
}
