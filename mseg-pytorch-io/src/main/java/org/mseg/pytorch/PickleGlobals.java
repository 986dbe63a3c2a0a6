package org.mseg.pytorch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.pytorch.PickleRefs.StorageRef;
import org.mseg.pytorch.PickleRefs.TensorRef;

/**
 * The Python globals a PyTorch checkpoint may name, and nothing else. Each allowed global maps to a small Java
 * function that builds data; every other global is refused before anything is built, so a checkpoint can never make
 * the reader run code.
 */
final class PickleGlobals implements Unpickler.GlobalResolver {

    /** What the refusal message lists as allowed. */
    static final String ALLOWED = "collections.OrderedDict, torch.*Storage, torch._utils._rebuild_tensor(_v2), "
            + "torch._utils._rebuild_parameter(_with_state), torch._tensor._rebuild_from_type(_v2), torch.Size, "
            + "torch.Tensor, torch.nn.parameter.Parameter, _codecs.encode, builtins.set/frozenset, "
            + "numpy.core.multiarray.scalar, numpy.dtype";

    private final String source;

    PickleGlobals(String source) {
        this.source = source;
    }

    @Override
    public Object resolve(String module, String name) {
        String qualified = module + "." + name;
        if (module.equals("torch")) {
            Optional<StorageType> storage = StorageType.ofClassName(name);
            if (storage.isPresent()) {
                return storage.get();
            }
        }
        PickleRefs.Callable body = function(qualified);
        if (body != null) {
            return new PickleRefs.Function(qualified, body);
        }
        return switch (qualified) {
            case "torch.Tensor", "torch.nn.parameter.Parameter", "torch.nn.Parameter" ->
                    new PickleRefs.TypeMarker(qualified);
            default -> throw new TensorFileException(source, "refers to the Python global '" + qualified
                    + "', which the checkpoint reader does not allow and never executes; a state dict needs only "
                    + "tensors and plain Python values (allowed: " + ALLOWED + "). Re-save the checkpoint as "
                    + "torch.save({'state_dict': model.state_dict()}, path).");
        };
    }

    /** @return the Java implementation of an allowed global function, or null when the global is not one */
    private PickleRefs.Callable function(String qualified) {
        return switch (qualified) {
            case "collections.OrderedDict" -> (PickleRefs.Callable) this::orderedDict;
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" ->
                    (PickleRefs.Callable) this::rebuildTensor;
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                    (PickleRefs.Callable) args -> argument(args, 0, "_rebuild_parameter");
            case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type" ->
                    (PickleRefs.Callable) this::rebuildFromType;
            case "torch.Size" -> (PickleRefs.Callable) args -> args.isEmpty() ? List.of()
                    : List.copyOf(sequence(args.get(0), "torch.Size"));
            case "_codecs.encode" -> (PickleRefs.Callable) this::encode;
            case "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset" ->
                    (PickleRefs.Callable) args -> new LinkedHashSet<>(args.isEmpty() ? List.of()
                            : sequence(args.get(0), qualified));
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" ->
                    (PickleRefs.Callable) this::numpyScalar;
            case "numpy.dtype" -> (PickleRefs.Callable) this::numpyDtype;
            default -> null;
        };
    }

    private Object orderedDict(List<Object> args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (!args.isEmpty()) {
            for (Object item : sequence(args.get(0), "OrderedDict")) {
                List<?> pair = sequence(item, "OrderedDict item");
                if (pair.size() != 2) {
                    throw malformed("OrderedDict item " + pair);
                }
                map.put(pair.get(0), pair.get(1));
            }
        }
        return map;
    }

    private Object rebuildTensor(List<Object> args) {
        if (args.size() < 4) {
            throw malformed("_rebuild_tensor with " + args.size() + " arguments");
        }
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw malformed("_rebuild_tensor on " + Unpickler.typeName(args.get(0)) + " instead of a storage");
        }
        long offset = integer(args.get(1), "storage offset");
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (size.length != stride.length) {
            throw malformed("tensor with size " + Shapes.python(size) + " but stride " + Shapes.python(stride));
        }
        return new TensorRef(storage, offset, size, stride);
    }

    private Object rebuildFromType(List<Object> args) {
        if (args.size() < 3 || !(args.get(0) instanceof PickleRefs.Callable function)
                || !(args.get(1) instanceof PickleRefs.TypeMarker)) {
            throw malformed("_rebuild_from_type arguments");
        }
        @SuppressWarnings("unchecked")
        List<Object> inner = (List<Object>) sequence(args.get(2), "_rebuild_from_type arguments");
        return function.call(inner);
    }

    private Object encode(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof String text)) {
            throw malformed("_codecs.encode arguments");
        }
        String encoding = args.size() > 1 && args.get(1) instanceof String e ? e : "utf-8";
        return text.getBytes(encoding.replace("-", "").equalsIgnoreCase("latin1")
                ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** {@code numpy.dtype(name, align, copy)}; BUILD later sets the byte order. */
    private Object numpyDtype(List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof String name)) {
            throw malformed("numpy.dtype arguments");
        }
        return new NumpyDtype(name);
    }

    /** {@code numpy.core.multiarray.scalar(dtype, raw bytes)}: a numpy number such as a saved best mIoU. */
    private Object numpyScalar(List<Object> args) {
        if (args.size() < 2 || !(args.get(0) instanceof NumpyDtype dtype)) {
            throw malformed("numpy scalar arguments");
        }
        byte[] raw;
        if (args.get(1) instanceof byte[] b) {
            raw = b;
        } else if (args.get(1) instanceof String s) {
            raw = s.getBytes(StandardCharsets.ISO_8859_1);
        } else {
            throw malformed("numpy scalar data of type " + Unpickler.typeName(args.get(1)));
        }
        return dtype.decode(raw, this);
    }

    private TensorFileException malformed(String what) {
        return new TensorFileException(source, "malformed checkpoint: unexpected " + what);
    }

    private Object argument(List<Object> args, int index, String function) {
        if (args.size() <= index) {
            throw malformed(function + " with " + args.size() + " arguments");
        }
        return args.get(index);
    }

    private List<?> sequence(Object o, String what) {
        if (o instanceof List<?> list) {
            return list;
        }
        if (o instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        throw malformed(what + " of type " + Unpickler.typeName(o));
    }

    private long integer(Object o, String what) {
        if (o instanceof Long l) {
            return l;
        }
        throw malformed(what + " of type " + Unpickler.typeName(o));
    }

    private long[] longs(Object o, String what) {
        List<?> list = sequence(o, what);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(list.get(i), what);
        }
        return out;
    }

    /** A numpy dtype as pickled inside numpy scalars. */
    static final class NumpyDtype {
        private final String name;
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        NumpyDtype(String name) {
            this.name = name;
        }

        /** BUILD state {@code (version, byteorder, …)}. */
        void setState(Object state) {
            if (state instanceof List<?> list && list.size() > 1 && ">".equals(list.get(1))) {
                order = ByteOrder.BIG_ENDIAN;
            }
        }

        Object decode(byte[] raw, PickleGlobals context) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(order);
            int needed = switch (name) {
                case "f8", "i8", "u8" -> 8;
                case "f4", "i4", "u4" -> 4;
                case "f2", "i2", "u2" -> 2;
                case "i1", "u1", "b1" -> 1;
                default -> -1;
            };
            if (needed < 0 || raw.length < needed) {
                throw context.malformed("numpy scalar of dtype '" + name + "' with " + raw.length + " bytes");
            }
            return switch (name) {
                case "f8" -> b.getDouble(0);
                case "f4" -> (double) b.getFloat(0);
                case "f2" -> (double) StorageType.halfToFloat(b.getShort(0));
                case "i8", "u8" -> b.getLong(0);
                case "i4" -> (long) b.getInt(0);
                case "u4" -> b.getInt(0) & 0xffffffffL;
                case "i2" -> (long) b.getShort(0);
                case "u2" -> (long) (b.getShort(0) & 0xffff);
                case "i1" -> (long) b.get(0);
                case "u1" -> (long) (b.get(0) & 0xff);
                default -> b.get(0) != 0;
            };
        }
    }
}
