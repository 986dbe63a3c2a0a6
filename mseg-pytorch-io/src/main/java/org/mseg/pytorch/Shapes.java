package org.mseg.pytorch;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape arithmetic shared by the array records and readers. */
final class Shapes {
    /** The largest Java array the readers allocate. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Shapes() {
    }

    /** Number of elements, or -1 when a dimension is negative or the product overflows a long. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** Python-style shape text: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    static String python(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Row-major (C order) strides in elements. */
    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Checks that data holds exactly the elements of shape; used by the array records. */
    static void requireConsistent(long[] shape, float[] data, String what) {
        if (shape == null || data == null) {
            throw new IllegalArgumentException(what + ": shape and data must not be null");
        }
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(what + ": shape " + python(shape) + " needs " + n
                    + " elements but data has " + data.length);
        }
    }
}
