package org.mseg.pytorch;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** The typed PyTorch storage classes a checkpoint may refer to ({@code torch.FloatStorage} …), and their decoding. */
enum StorageType {
    FLOAT("FloatStorage", "float32", 4),
    HALF("HalfStorage", "float16", 2),
    BFLOAT16("BFloat16Storage", "bfloat16", 2),
    DOUBLE("DoubleStorage", "float64", 8),
    LONG("LongStorage", "int64", 8),
    INT("IntStorage", "int32", 4),
    SHORT("ShortStorage", "int16", 2),
    CHAR("CharStorage", "int8", 1),
    BYTE("ByteStorage", "uint8", 1),
    BOOL("BoolStorage", "bool", 1);

    final String className;
    final String dtype;
    final int elementSize;

    StorageType(String className, String dtype, int elementSize) {
        this.className = className;
        this.dtype = dtype;
        this.elementSize = elementSize;
    }

    /** @return the storage type of a {@code torch.<name>} global, if it is one */
    static Optional<StorageType> ofClassName(String name) {
        return Arrays.stream(values()).filter(t -> t.className.equals(name)).findFirst();
    }

    /** Reads element {@code i} (an element index, not a byte index) as a float. */
    float read(ByteBuffer b, int i) {
        return switch (this) {
            case FLOAT -> b.getFloat(4 * i);
            case HALF -> halfToFloat(b.getShort(2 * i));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
            case DOUBLE -> (float) b.getDouble(8 * i);
            case LONG -> b.getLong(8 * i);
            case INT -> b.getInt(4 * i);
            case SHORT -> b.getShort(2 * i);
            case CHAR -> b.get(i);
            case BYTE -> b.get(i) & 0xff;
            case BOOL -> b.get(i) != 0 ? 1f : 0f;
        };
    }

    /** IEEE 754 binary16 to float, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
