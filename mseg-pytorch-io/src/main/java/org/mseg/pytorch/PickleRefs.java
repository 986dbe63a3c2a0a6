package org.mseg.pytorch;

import java.util.List;

/** Values the unpickler builds for torch objects before their data is read from the archive. */
final class PickleRefs {
    private PickleRefs() {
    }

    /**
     * A storage named by a persistent id: {@code ('storage', torch.FloatStorage, key, location, numel[, view])}.
     *
     * @param key           the storage key ({@code data/<key>} in a zip archive)
     * @param type          the element type
     * @param elementOffset where a legacy storage view starts inside the root storage, in elements (0 otherwise)
     * @param numel         the number of elements the persistent id declares (informational)
     */
    record StorageRef(String key, StorageType type, long elementOffset, long numel) {
    }

    /**
     * A tensor view of a storage, as {@code torch._utils._rebuild_tensor_v2} describes it.
     *
     * @param storage the storage
     * @param offset  storage offset in elements
     * @param size    the shape
     * @param stride  the strides in elements
     */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** A global the unpickler may call: an allowed torch rebuild function or Python constructor. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args);
    }

    /** An allowed global function, named for messages and for the value tree. */
    record Function(String qualifiedName, Callable body) implements Callable {
        @Override
        public Object call(List<Object> args) {
            return body.call(args);
        }

        @Override
        public String toString() {
            return qualifiedName;
        }
    }

    /** A global that is only a type marker ({@code torch.Tensor}, {@code torch.nn.Parameter}). */
    record TypeMarker(String qualifiedName) {
    }

    /** Python's None. One instance, so that collections built by the unpickler hold no Java nulls. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };
}
