package org.mseg.pytorch;

import java.util.Arrays;

/**
 * A tensor read from a PyTorch checkpoint, converted to {@code float}.
 *
 * <p>{@code data} holds the elements in C order (row-major: the last dimension varies fastest), whatever the strides
 * and storage offset of the tensor in the checkpoint, so element {@code (i0, …, ik)} is at
 * {@code Σ ij · Π_{m>j} shape[m]}. A zero-dimensional tensor has an empty shape and one element. Integer and boolean
 * tensors are converted too (booleans to 0/1; int64 values beyond ±2^24 lose precision), which is enough for
 * {@code num_batches_tracked}.
 *
 * <p>The arrays are not copied: the record owns them and callers should not modify them.
 *
 * @param shape the sizes of the dimensions, outermost first
 * @param data  the elements in C order; {@code data.length} is the product of {@code shape}
 * @param dtype the PyTorch element type the values were stored with: {@code float32}, {@code float16},
 *              {@code bfloat16}, {@code float64}, {@code int64}, {@code int32}, {@code int16}, {@code int8},
 *              {@code uint8} or {@code bool}
 */
public record TorchTensor(long[] shape, float[] data, String dtype) {

    /**
     * Validates that the data length matches the shape.
     *
     * @param shape see the record description
     * @param data see the record description
     * @param dtype see the record description
     */
    public TorchTensor {
        Shapes.requireConsistent(shape, data, "TorchTensor");
        if (dtype == null || dtype.isEmpty()) {
            throw new IllegalArgumentException("TorchTensor: dtype must be named");
        }
    }

    /** @return the number of elements (1 for a zero-dimensional tensor) */
    public int numel() {
        return data.length;
    }

    /** @return the number of dimensions */
    public int rank() {
        return shape.length;
    }

    /** @return the shape as Python prints it, e.g. {@code (64, 3, 3, 3)} */
    public String shapeText() {
        return Shapes.python(shape);
    }

    /**
     * @param expected the sizes to compare with
     * @return whether the shape equals the given sizes
     */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data)
                && dtype.equals(t.dtype);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(data)) + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "TorchTensor[" + dtype + " " + shapeText() + "]";
    }
}
