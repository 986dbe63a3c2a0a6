package org.mseg.pytorch;

import java.util.Arrays;

/**
 * An array read from or written to a {@code .npy} file, as {@code float}s in C order (row-major: the last dimension
 * varies fastest). A zero-dimensional array has an empty shape and one element.
 *
 * <p>The arrays are not copied: the record owns them and callers should not modify them.
 *
 * @param shape the sizes of the dimensions, outermost first
 * @param data  the elements in C order; {@code data.length} is the product of {@code shape}
 */
public record NpyArray(long[] shape, float[] data) {

    /**
     * Validates that the data length matches the shape.
     *
     * @param shape see the record description
     * @param data see the record description
     */
    public NpyArray {
        Shapes.requireConsistent(shape, data, "NpyArray");
    }

    /**
     * @param data  the elements in C order
     * @param shape the sizes of the dimensions
     * @return the array
     */
    public static NpyArray of(float[] data, long... shape) {
        return new NpyArray(shape, data);
    }

    /** @return the number of elements */
    public int numel() {
        return data.length;
    }

    /** @return the shape as Python prints it, e.g. {@code (1, 19, 713, 713)} */
    public String shapeText() {
        return Shapes.python(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray" + shapeText();
    }
}
