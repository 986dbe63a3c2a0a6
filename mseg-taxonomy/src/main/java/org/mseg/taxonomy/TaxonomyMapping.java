package org.mseg.taxonomy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mseg.api.taxonomy.TaxonomyDefinition;

/**
 * A lookup table from the class ids of one taxonomy to those of another. Ids the table does not cover, and
 * {@value TaxonomyDefinition#IGNORE_ID}, map to the target's ignore id ({@link #ignoreId()}):
 * {@value TaxonomyDefinition#IGNORE_ID} for targets of at most 255 classes, {@value #WIDE_IGNORE_ID} for wider ones
 * (the naive taxonomy's 315 classes include an id 255).
 *
 * <p>For label conversion ({@code dataset → universal}) the table has at least 256 entries so it can be applied to any
 * 8-bit label value; for the test projection ({@code universal → test}) it has one entry per universal class and says
 * which test class each universal class's probability is added to.
 */
public final class TaxonomyMapping {
    /** The ignore id of taxonomies with more than 255 classes: the largest unsigned 16-bit value. */
    public static final int WIDE_IGNORE_ID = 0xFFFF;

    private final TaxonomyDefinition from;
    private final TaxonomyDefinition to;
    private final int[] table;
    private final int ignoreId;

    TaxonomyMapping(TaxonomyDefinition from, TaxonomyDefinition to, int[] table) {
        this.from = from;
        this.to = to;
        this.table = table.clone();
        this.ignoreId = ignoreIdOf(to);
    }

    /**
     * The label value that means "ignore" in a taxonomy: {@value TaxonomyDefinition#IGNORE_ID} when its ids fit below
     * it, else {@value #WIDE_IGNORE_ID} (such labels need 16 bits).
     */
    public static int ignoreIdOf(TaxonomyDefinition taxonomy) {
        return taxonomy.numClasses() <= TaxonomyDefinition.IGNORE_ID ? TaxonomyDefinition.IGNORE_ID : WIDE_IGNORE_ID;
    }

    /** The target's ignore id ({@link #ignoreIdOf}): what unmapped ids and ignore map to. */
    public int ignoreId() {
        return ignoreId;
    }

    /** Source taxonomy. */
    public TaxonomyDefinition from() {
        return from;
    }

    /** Target taxonomy. */
    public TaxonomyDefinition to() {
        return to;
    }

    /** The target id of a source id; {@link #ignoreId()} for ids outside the table. */
    public int apply(int id) {
        return id >= 0 && id < table.length ? table[id] : ignoreId;
    }

    /** Number of entries. */
    public int size() {
        return table.length;
    }

    /** A copy of the table. */
    public int[] table() {
        return table.clone();
    }

    /**
     * The first 256 entries as bytes, ready for an 8-bit lookup ({@code OpenCV LUT}); entries above 255 are not
     * representable and are rejected.
     */
    public byte[] toByteLut() {
        byte[] lut = new byte[256];
        for (int i = 0; i < 256; i++) {
            int v = apply(i);
            if (v > 255) {
                throw new IllegalStateException("mapping " + from.name() + " -> " + to.name() + " sends id " + i
                        + " to " + v + ", which does not fit an 8-bit label");
            }
            lut[i] = (byte) v;
        }
        return lut;
    }

    /**
     * The first 256 entries as unsigned 16-bit values, for 8-bit labels converted to a taxonomy of more than 255
     * classes (ignore becomes {@value #WIDE_IGNORE_ID}).
     */
    public short[] toShortLut() {
        short[] lut = new short[256];
        for (int i = 0; i < 256; i++) {
            int v = apply(i);
            if (v > WIDE_IGNORE_ID) {
                throw new IllegalStateException("mapping " + from.name() + " -> " + to.name() + " sends id " + i
                        + " to " + v + ", which does not fit a 16-bit label");
            }
            lut[i] = (short) v;
        }
        return lut;
    }

    /** The source ids that map to a target id, in increasing order. */
    public List<Integer> sourcesOf(int target) {
        List<Integer> ids = new ArrayList<>();
        int n = Math.min(table.length, from.numClasses());
        for (int i = 0; i < n; i++) {
            if (table[i] == target) {
                ids.add(i);
            }
        }
        return List.copyOf(ids);
    }

    @Override
    public String toString() {
        return "TaxonomyMapping[" + from.name() + " -> " + to.name() + ": "
                + Arrays.toString(Arrays.copyOf(table, Math.min(table.length, from.numClasses()))) + "]";
    }
}
