package org.mseg.datasets;

import java.util.Objects;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.taxonomy.TaxonomyMapping;

/**
 * Class ids of label maps in one of the two widths a training taxonomy needs: unsigned 8-bit ids with ignore
 * {@value TaxonomyDefinition#IGNORE_ID} for taxonomies of at most 255 classes, unsigned 16-bit ids with ignore
 * {@value TaxonomyMapping#WIDE_IGNORE_ID} for wider ones (the naive taxonomy's 315 classes include an id 255). One
 * type carries labels from the loader through training to the metrics, so that each operation has one method for
 * both widths.
 *
 * <p>The array is shared, not copied: the record component ({@link Bytes#ids()}, {@link Shorts#ids()}) is the raw
 * array for native hand-off (TensorFlow tensors, OpenCV Mats) and for bulk writes. Being an array, it takes part in
 * {@code equals} by identity.
 */
public sealed interface LabelBuffer permits LabelBuffer.Bytes, LabelBuffer.Shorts {

    /** Number of label values. */
    int length();

    /** Bits per label value: 8 or 16. */
    int bits();

    /**
     * The value that means "ignore" in this width: {@value TaxonomyDefinition#IGNORE_ID} for 8 bits,
     * {@value TaxonomyMapping#WIDE_IGNORE_ID} for 16.
     */
    int ignoreId();

    /** Value {@code i} as an unsigned class id. */
    int get(int i);

    /** 8-bit labels over {@code ids} (not copied). */
    static LabelBuffer of(byte[] ids) {
        return new Bytes(ids);
    }

    /** Unsigned 16-bit labels over {@code ids} (not copied). */
    static LabelBuffer of(short[] ids) {
        return new Shorts(ids);
    }

    /**
     * Zeroed labels of a width.
     *
     * @param bits   8 or 16
     * @param length number of values
     * @throws IllegalArgumentException if {@code bits} is neither 8 nor 16
     */
    static LabelBuffer allocate(int bits, int length) {
        return switch (bits) {
            case 8 -> new Bytes(new byte[length]);
            case 16 -> new Shorts(new short[length]);
            default -> throw new IllegalArgumentException("labels are 8- or 16-bit, not " + bits + "-bit");
        };
    }

    /**
     * The label width a taxonomy's ignore id asks for: 8 bits for an ignore id up to 255, else 16
     * ({@link TaxonomyMapping#ignoreIdOf}).
     */
    static int bitsFor(int ignoreId) {
        return ignoreId > TaxonomyDefinition.IGNORE_ID ? 16 : 8;
    }

    /**
     * Unsigned 8-bit class ids, {@value TaxonomyDefinition#IGNORE_ID} = ignore.
     *
     * @param ids the values, shared
     */
    record Bytes(byte[] ids) implements LabelBuffer {
        public Bytes {
            Objects.requireNonNull(ids, "ids");
        }

        @Override
        public int length() {
            return ids.length;
        }

        @Override
        public int bits() {
            return 8;
        }

        @Override
        public int ignoreId() {
            return TaxonomyDefinition.IGNORE_ID;
        }

        @Override
        public int get(int i) {
            return ids[i] & 0xff;
        }
    }

    /**
     * Unsigned 16-bit class ids, {@value TaxonomyMapping#WIDE_IGNORE_ID} = ignore.
     *
     * @param ids the values, shared
     */
    record Shorts(short[] ids) implements LabelBuffer {
        public Shorts {
            Objects.requireNonNull(ids, "ids");
        }

        @Override
        public int length() {
            return ids.length;
        }

        @Override
        public int bits() {
            return 16;
        }

        @Override
        public int ignoreId() {
            return TaxonomyMapping.WIDE_IGNORE_ID;
        }

        @Override
        public int get(int i) {
            return ids[i] & 0xffff;
        }
    }
}
