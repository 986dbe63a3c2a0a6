package org.mseg.datasets.synth;

import java.util.Arrays;
import java.util.Locale;
import org.mseg.api.taxonomy.TaxonomyDefinition;

/**
 * Which class id a taxonomy gives each {@link SceneClass}: the dataset class whose universal class is the scene
 * class's universal class, else one whose universal class is the first coarser class it has, else 255. Classes are
 * looked up by name through the taxonomy's own universal mapping, never by id.
 */
final class SceneLabels {
    private SceneLabels() {
    }

    /** A 256-entry table: {@link SceneClass#ordinal()} → class id of {@code taxonomy}; 255 elsewhere. */
    static int[] table(TaxonomyDefinition taxonomy) {
        int[] lut = new int[256];
        Arrays.fill(lut, TaxonomyDefinition.IGNORE_ID);
        for (SceneClass c : SceneClass.values()) {
            lut[c.ordinal()] = idOf(taxonomy, c);
        }
        return lut;
    }

    /** The id {@code taxonomy} labels the scene class with, or 255. */
    static int idOf(TaxonomyDefinition taxonomy, SceneClass c) {
        for (String universal : c.universalChain()) {
            int first = -1;
            for (int id = 0; id < taxonomy.numClasses(); id++) {
                String name = taxonomy.classNames().get(id);
                if (!universal.equals(universalOf(taxonomy, name))) {
                    continue;
                }
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals(universal) || c.preferredNames().contains(lower)) {
                    return id;
                }
                if (first < 0) {
                    first = id;
                }
            }
            if (first >= 0) {
                return first;
            }
        }
        return TaxonomyDefinition.IGNORE_ID;
    }

    private static String universalOf(TaxonomyDefinition taxonomy, String className) {
        if (taxonomy.mapsToUniversal()) {
            return taxonomy.toUniversal().getOrDefault(className, TaxonomyDefinition.UNLABELED);
        }
        return className;
    }

    /** Applies a table to a class raster. */
    static byte[] apply(int[] table, byte[] classes) {
        byte[] out = new byte[classes.length];
        for (int i = 0; i < classes.length; i++) {
            out[i] = (byte) table[classes[i] & 0xff];
        }
        return out;
    }
}
