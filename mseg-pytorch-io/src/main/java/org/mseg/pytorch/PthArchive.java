package org.mseg.pytorch;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.mseg.pytorch.PickleRefs.StorageRef;
import org.mseg.pytorch.PickleRefs.TensorRef;

/**
 * An open checkpoint file: the unpickled object tree, whose tensors are {@link TensorRef}s, and access to the raw
 * storages they view. Tensor data is read only when {@link #materialise} asks for it, so reading a state dict does
 * not pay for the optimizer state saved next to it.
 */
abstract class PthArchive implements Closeable {
    /** {@code torch.serialization.MAGIC_NUMBER}, the first pickle of a legacy checkpoint. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** {@code torch.serialization.PROTOCOL_VERSION}. */
    static final long LEGACY_PROTOCOL = 1001;

    final String source;
    private Object root;

    PthArchive(String source) {
        this.source = source;
    }

    abstract PthReader.Format format();

    /** @return the bytes of a whole root storage, ordered as the file stores them */
    abstract ByteBuffer storageBytes(StorageRef ref, String usedBy);

    /** @return the elements of a root storage as the archive records them, without reading its data */
    abstract java.util.OptionalLong rootElements(StorageRef ref);

    private java.util.Optional<Long> declaredElements(StorageRef ref) {
        java.util.OptionalLong n = rootElements(ref);
        return n.isPresent() ? java.util.Optional.of(n.getAsLong()) : java.util.Optional.empty();
    }

    /** @return the unpickled object, tensors still unread */
    final Object root() {
        return root;
    }

    final void setRoot(Object root) {
        this.root = root;
    }

    /** Opens a checkpoint in either the zip (PyTorch ≥ 1.6) or the legacy format. */
    static PthArchive open(Path file) {
        String source = file.toString();
        byte[] head;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(source, "no such checkpoint file", e);
        } catch (IOException e) {
            throw new TensorFileException(source, "cannot read checkpoint: " + e.getMessage(), e);
        }
        if (head.length == 0) {
            throw new TensorFileException(source, "empty file, not a PyTorch checkpoint");
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return new Zip(file, source);
        }
        if (head.length > 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            throw new TensorFileException(source, "tar-based checkpoint of PyTorch before 0.4 is not supported; "
                    + "load and re-save it with a current PyTorch (torch.save(torch.load(path), path))");
        }
        if ((head[0] & 0xff) == 0x80) {
            return new Legacy(file, source, size);
        }
        throw new TensorFileException(source, String.format("not a PyTorch checkpoint: neither a zip archive nor a "
                + "legacy pickle (first byte 0x%02x)", head[0] & 0xff));
    }

    /**
     * Reads the data of the given tensors, one storage at a time.
     *
     * @param refs the tensors, each with a name for messages
     * @return the converted tensors, by identity of their reference
     */
    final Map<TensorRef, TorchTensor> materialise(Map<TensorRef, String> refs) {
        Map<String, List<TensorRef>> byStorage = new LinkedHashMap<>();
        for (TensorRef ref : refs.keySet()) {
            byStorage.computeIfAbsent(ref.storage().key(), k -> new ArrayList<>()).add(ref);
        }
        Map<TensorRef, TorchTensor> out = new IdentityHashMap<>();
        for (List<TensorRef> group : byStorage.values()) {
            for (TensorRef ref : group) {
                // before the storage is read: a crafted view must fail here, naming its key, not exhaust memory
                declaredElements(ref.storage()).ifPresent(n -> checkView(ref, n, refs.get(ref)));
            }
            ByteBuffer bytes = storageBytes(group.get(0).storage(), refs.get(group.get(0)));
            for (TensorRef ref : group) {
                out.put(ref, view(ref, bytes, refs.get(ref)));
            }
        }
        return out;
    }

    /**
     * The most elements one tensor may have: 2^28, 1 GiB as float32. The largest weight of MSeg's HRNet-W48 has
     * 1.3 million elements, an ImageNet classifier 2 million; anything near this limit is not a model weight.
     */
    static final long MAX_TENSOR_ELEMENTS = 1L << 28;
    /**
     * A view may read storage elements more than once (zero or overlapping strides, what {@code expand} saves) only
     * while it stays this small (2^20 elements, 4 MiB); beyond that, a tiny file could expand to gigabytes.
     */
    static final long MAX_EXPANDED_ELEMENTS = 1L << 20;

    /**
     * Checks, before anything is allocated, that a tensor's view fits its storage and that materialising it is
     * reasonable: at most {@link #MAX_TENSOR_ELEMENTS}, no large expansion of a small storage, and room in the heap.
     *
     * @param storageElements the elements of the storage the tensor views, as the file declares them
     */
    final void checkView(TensorRef ref, long storageElements, String name) {
        StorageType type = ref.storage().type();
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = Shapes.numel(size);
        if (numel < 0) {
            throw new TensorFileException(source, "tensor '" + name + "' has an invalid shape "
                    + Shapes.python(size) + " (a negative size, or more elements than a long counts); the file is"
                    + " corrupt or crafted. Remove the key from the checkpoint");
        }
        if (numel == 0) {
            return;
        }
        long base = ref.storage().elementOffset() + ref.offset();
        long last = base;
        for (int d = 0; d < size.length; d++) {
            if (stride[d] < 0) {
                throw new TensorFileException(source, "tensor '" + name + "' has a negative stride "
                        + Shapes.python(stride));
            }
            last = saturatingAdd(last, saturatingMultiply(size[d] - 1, stride[d]));
        }
        if (base < 0 || last >= storageElements) {
            throw new TensorFileException(source, "tensor '" + name + "' (shape " + Shapes.python(size) + ", stride "
                    + Shapes.python(stride) + ", offset " + base + ") reaches element " + last + " but its storage '"
                    + ref.storage().key() + "' holds only " + storageElements + " " + type.dtype
                    + " elements (truncated or corrupt checkpoint)");
        }
        if (numel > storageElements && numel > MAX_EXPANDED_ELEMENTS) {
            throw new TensorFileException(source, "tensor '" + name + "' of shape " + Shapes.python(size)
                    + " and stride " + Shapes.python(stride) + " views a storage of only " + storageElements + " "
                    + type.dtype + " elements (an expanded or broadcast tensor): loading it would take "
                    + mebibytes(numel * Float.BYTES) + " for " + mebibytes(storageElements * type.elementSize)
                    + " in the file. Refused: remove the key from the checkpoint, or save the tensor with .clone() if it is needed");
        }
        if (numel > MAX_TENSOR_ELEMENTS) {
            throw new TensorFileException(source, "tensor '" + name + "' of shape " + Shapes.python(size) + " has "
                    + String.format("%,d", numel) + " elements, more than the " + String.format("%,d",
                            MAX_TENSOR_ELEMENTS) + " a model weight may have; the file is corrupt or crafted."
                    + " Remove the key from the checkpoint");
        }
        requireHeap(numel * Float.BYTES, "tensor '" + name + "' of shape " + Shapes.python(size));
    }

    /** Fails, naming what needs the memory and how to give more, when the heap cannot hold {@code bytes} more. */
    final void requireHeap(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            System.gc(); // garbage may be all that fills the heap; measure again before refusing
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (bytes > free) {
            throw new TensorFileException(source, what + " needs " + mebibytes(bytes) + " but only "
                    + mebibytes(free) + " of the Java heap (max " + mebibytes(rt.maxMemory()) + ") is free. Give the"
                    + " JVM more memory, e.g. MSEG_JAVA_OPTS=-Xmx16g, or remove the key if it is not a model weight");
        }
    }

    private static String mebibytes(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.1f GiB", bytes / (double) (1L << 30))
                : String.format("%.1f MiB", bytes / (double) (1L << 20));
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /** Copies a strided view of a storage into a C-ordered float array. */
    private TorchTensor view(TensorRef ref, ByteBuffer bytes, String name) {
        StorageType type = ref.storage().type();
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = Shapes.numel(size);
        long storageElements = bytes.capacity() / type.elementSize;
        checkView(ref, storageElements, name);
        float[] out = new float[(int) numel];
        if (numel == 0) {
            return new TorchTensor(size.clone(), out, type.dtype);
        }
        long base = ref.storage().elementOffset() + ref.offset();
        if (isContiguous(size, stride)) {
            if (type == StorageType.FLOAT) {
                bytes.asFloatBuffer().get((int) base, out, 0, out.length);
            } else {
                for (int i = 0; i < out.length; i++) {
                    out[i] = type.read(bytes, (int) base + i);
                }
            }
        } else {
            long[] index = new long[size.length];
            long position = base;
            for (int i = 0; i < out.length; i++) {
                out[i] = type.read(bytes, (int) position);
                for (int d = size.length - 1; d >= 0; d--) {
                    index[d]++;
                    position += stride[d];
                    if (index[d] < size[d]) {
                        break;
                    }
                    position -= stride[d] * size[d];
                    index[d] = 0;
                }
            }
        }
        return new TorchTensor(size.clone(), out, type.dtype);
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** Parses {@code ('storage', torch.XStorage, key, location, numel[, view_metadata])}. */
    final StorageRef storageRef(Object pid) {
        if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new TensorFileException(source, "unsupported persistent id " + pid
                    + " (expected ('storage', type, key, location, numel)); whole pickled modules are not supported, "
                    + "save model.state_dict() instead");
        }
        if (!(t.get(1) instanceof StorageType type)) {
            throw new TensorFileException(source, "storage of unsupported type " + t.get(1)
                    + " (supported: float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool)");
        }
        if (!(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel)) {
            throw new TensorFileException(source, "malformed storage persistent id " + pid);
        }
        long elementOffset = 0;
        long viewNumel = numel;
        if (t.size() > 5 && t.get(5) instanceof List<?> view) {
            // legacy storage view: (view_key, offset, view_size) into the root storage
            if (view.size() != 3 || !(view.get(1) instanceof Long offset) || !(view.get(2) instanceof Long n)) {
                throw new TensorFileException(source, "malformed storage view metadata " + view);
            }
            elementOffset = offset;
            viewNumel = n;
        }
        return new StorageRef(key, type, elementOffset, viewNumel);
    }

    /** The zip format written by {@code torch.save} since PyTorch 1.6. */
    static final class Zip extends PthArchive {
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;

        Zip(Path file, String source) {
            super(source);
            try {
                this.zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new TensorFileException(source, "corrupt or truncated zip checkpoint (" + e.getMessage() + ")",
                        e);
            } catch (IOException e) {
                throw new TensorFileException(source, "cannot open zip checkpoint: " + e.getMessage(), e);
            }
            try {
                this.prefix = findPrefix();
                this.order = readByteOrder();
                ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
                Map<String, StorageRef> storages = new HashMap<>();
                try (InputStream in = new BufferedInputStream(zip.getInputStream(pkl))) {
                    Unpickler unpickler = new Unpickler(in, pkl.getSize() < 0 ? Long.MAX_VALUE : pkl.getSize(),
                            source + " (" + pkl.getName() + ")", new PickleGlobals(source), pid -> {
                                StorageRef ref = storageRef(pid);
                                return storages.computeIfAbsent(ref.key(), k -> ref);
                            });
                    setRoot(unpickler.load());
                }
            } catch (IOException e) {
                closeQuietly();
                throw new TensorFileException(source, "corrupt zip checkpoint: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }

        private String findPrefix() {
            String fallback = null;
            boolean torchScript = false;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("/data.pkl") || name.equals("data.pkl")) {
                    String p = name.substring(0, name.length() - "data.pkl".length());
                    if (p.indexOf('/') == p.length() - 1) {
                        return p;
                    }
                    fallback = fallback == null ? p : fallback;
                }
                torchScript |= name.endsWith("constants.pkl");
            }
            if (fallback != null) {
                return fallback;
            }
            throw new TensorFileException(source, torchScript
                    ? "a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the state_dict"
                    : "zip archive without a data.pkl entry: not a PyTorch checkpoint");
        }

        private ByteOrder readByteOrder() throws IOException {
            ZipEntry entry = zip.getEntry(prefix + "byteorder");
            if (entry == null) {
                return ByteOrder.LITTLE_ENDIAN;
            }
            try (InputStream in = zip.getInputStream(entry)) {
                String text = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
                return switch (text) {
                    case "little" -> ByteOrder.LITTLE_ENDIAN;
                    case "big" -> ByteOrder.BIG_ENDIAN;
                    default -> throw new TensorFileException(source, "unknown byteorder '" + text + "' in "
                            + entry.getName());
                };
            }
        }

        @Override
        PthReader.Format format() {
            return PthReader.Format.ZIP;
        }

        @Override
        ByteBuffer storageBytes(StorageRef ref, String usedBy) {
            String name = prefix + "data/" + ref.key();
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new TensorFileException(source, "storage '" + name + "' used by tensor '" + usedBy
                        + "' is missing from the archive (truncated or corrupt checkpoint)");
            }
            if (entry.getSize() > Integer.MAX_VALUE - 8) {
                throw new TensorFileException(source, "storage '" + name + "' of " + entry.getSize()
                        + " bytes is too large for one Java array");
            }
            requireHeap(entry.getSize(), "storage '" + name + "' (used by tensor '" + usedBy + "')");
            try (InputStream in = zip.getInputStream(entry)) {
                if (entry.getSize() < 0) {
                    throw new TensorFileException(source, "storage '" + name + "' has no declared size in the"
                            + " archive; torch.save always records it (corrupt or crafted checkpoint)");
                }
                // at most one byte more than declared: a compressed entry that inflates beyond its size stops here
                byte[] bytes = in.readNBytes((int) entry.getSize() + 1);
                if (bytes.length != entry.getSize()) {
                    throw new TensorFileException(source, "storage '" + name + "' has " + bytes.length
                            + " bytes but the archive declares " + entry.getSize());
                }
                return ByteBuffer.wrap(bytes).order(order);
            } catch (IOException e) {
                throw new TensorFileException(source, "cannot read storage '" + name + "' (" + e.getMessage()
                        + "); the checkpoint is truncated or corrupt", e);
            }
        }

        @Override
        java.util.OptionalLong rootElements(StorageRef ref) {
            ZipEntry entry = zip.getEntry(prefix + "data/" + ref.key());
            return entry == null || entry.getSize() < 0 ? java.util.OptionalLong.empty()
                    : java.util.OptionalLong.of(entry.getSize() / ref.type().elementSize);
        }

        private void closeQuietly() {
            try {
                zip.close();
            } catch (IOException ignored) {
                // the original error is the one worth reporting
            }
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    /**
     * The format of {@code torch.save(..., _use_new_zipfile_serialization=False)} and of PyTorch before 1.6: pickles
     * of the magic number, protocol version, system info, the object and the sorted storage keys, then each storage
     * as a little-endian int64 element count followed by its little-endian elements.
     */
    static final class Legacy extends PthArchive {
        private final Path file;
        /** Storage key → byte offset of its data in the file. */
        private final Map<String, Long> dataOffsets = new HashMap<>();
        private final Map<String, Long> dataElements = new HashMap<>();
        private FileChannel channel;

        Legacy(Path file, String source, long size) {
            super(source);
            this.file = file;
            Map<String, StorageType> types = new HashMap<>();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                Unpickler unpickler = new Unpickler(in, size, source, new PickleGlobals(source), pid -> {
                    StorageRef ref = storageRef(pid);
                    StorageType previous = types.putIfAbsent(ref.key(), ref.type());
                    if (previous != null && previous != ref.type()) {
                        throw new TensorFileException(source, "storage '" + ref.key() + "' is used as both "
                                + previous.dtype + " and " + ref.type().dtype);
                    }
                    return ref;
                });
                Object magic = unpickler.load();
                if (!LEGACY_MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
                    throw new TensorFileException(source, "not a PyTorch checkpoint: a pickle file without torch's "
                            + "magic number (neither a zip archive nor a legacy torch.save file)");
                }
                Object protocol = unpickler.load();
                if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
                    throw new TensorFileException(source, "legacy checkpoint protocol " + protocol
                            + " is not supported (expected " + LEGACY_PROTOCOL + ")");
                }
                unpickler.load(); // sys_info: storages are little-endian whatever the saving machine was
                setRoot(unpickler.load());
                Object keys = unpickler.load();
                if (!(keys instanceof List<?> keyList)) {
                    throw new TensorFileException(source, "corrupt legacy checkpoint: storage key list is "
                            + Unpickler.typeName(keys));
                }
                for (Object k : keyList) {
                    String key = String.valueOf(k);
                    StorageType type = types.get(key);
                    if (type == null) {
                        throw new TensorFileException(source, "corrupt legacy checkpoint: storage '" + key
                                + "' is stored but no tensor refers to it");
                    }
                    long numel = unpickler.readRawLong();
                    long offset = unpickler.position();
                    if (numel < 0 || offset + numel * type.elementSize > size) {
                        throw new TensorFileException(source, "truncated legacy checkpoint: storage '" + key + "' of "
                                + numel + " " + type.dtype + " elements runs past the end of the file (" + size
                                + " bytes)");
                    }
                    dataOffsets.put(key, offset);
                    dataElements.put(key, numel);
                    unpickler.skipRaw(numel * type.elementSize);
                }
            } catch (IOException e) {
                throw new TensorFileException(source, "cannot read checkpoint: " + e.getMessage(), e);
            }
        }

        @Override
        PthReader.Format format() {
            return PthReader.Format.LEGACY;
        }

        @Override
        ByteBuffer storageBytes(StorageRef ref, String usedBy) {
            Long offset = dataOffsets.get(ref.key());
            if (offset == null) {
                throw new TensorFileException(source, "storage '" + ref.key() + "' used by tensor '" + usedBy
                        + "' is missing from the legacy checkpoint (truncated or corrupt)");
            }
            long bytes = dataElements.get(ref.key()) * ref.type().elementSize;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new TensorFileException(source, "storage '" + ref.key() + "' of " + bytes
                        + " bytes is too large for one Java array");
            }
            requireHeap(bytes, "storage '" + ref.key() + "' (used by tensor '" + usedBy + "')");
            ByteBuffer buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            try {
                if (channel == null) {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                }
                long position = offset;
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        throw new TensorFileException(source, "truncated legacy checkpoint: storage '" + ref.key()
                                + "' ends early");
                    }
                    position += n;
                }
            } catch (IOException e) {
                throw new TensorFileException(source, "cannot read storage '" + ref.key() + "': " + e.getMessage(),
                        e);
            }
            return buffer.clear();
        }

        @Override
        java.util.OptionalLong rootElements(StorageRef ref) {
            Long n = dataElements.get(ref.key());
            return n == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(n);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
