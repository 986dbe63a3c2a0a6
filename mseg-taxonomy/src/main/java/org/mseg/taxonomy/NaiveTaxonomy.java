package org.mseg.taxonomy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;

/**
 * The naive-merge baseline taxonomy: the lower-cased union of the unrelabeled training taxonomies, in the order
 * {@code ade20k-150, bdd, cityscapes-19, coco-panoptic-133, idd-39, mapillary-public65, sunrgbd-37}, each class name
 * taking the next id the first time it appears (315 classes).
 *
 * <p><b>Ids are contiguous</b> ({@code 0..314}). Upstream skips id 255 while numbering, so its naive model has 316
 * logits, one of which (255) is never a target. We do not copy the hole: a contiguous label space needs no dead logit
 * and no {@code null} class name. Upstream id {@code u} is our id {@code u < 255 ? u : u - 1}; see
 * {@link #fromUpstreamId(int)} and {@link #toUpstreamId(int)} for importing upstream naive checkpoints and predictions.
 */
public final class NaiveTaxonomy {
    private NaiveTaxonomy() {
    }

    /** Builds the naive taxonomy from the given training taxonomies (in merge order). */
    public static TaxonomyDefinition build(List<TaxonomyDefinition> unrelabeled) {
        Set<String> names = new LinkedHashSet<>();
        for (TaxonomyDefinition t : unrelabeled) {
            for (String c : t.classNames()) {
                names.add(key(c));
            }
        }
        return new TaxonomyDefinition(MsegTaxonomies.NAIVE, TaxonomyKind.NAIVE, new ArrayList<>(names), Map.of(),
                Map.of(), "naive union of the " + unrelabeled.size() + " unrelabeled training taxonomies (lower-cased,"
                        + " first occurrence wins, contiguous ids)");
    }

    /** The naive class key of a dataset class name: its lower-cased form. */
    public static String key(String className) {
        return className.toLowerCase(Locale.ROOT);
    }

    /** Our id of an upstream naive id (upstream leaves 255 unused). */
    public static int fromUpstreamId(int upstreamId) {
        if (upstreamId == TaxonomyDefinition.IGNORE_ID) {
            throw new IllegalArgumentException("upstream naive id 255 is the unused ignore slot, not a class");
        }
        return upstreamId < TaxonomyDefinition.IGNORE_ID ? upstreamId : upstreamId - 1;
    }

    /** The upstream id of one of our naive ids. */
    public static int toUpstreamId(int id) {
        return id < TaxonomyDefinition.IGNORE_ID ? id : id + 1;
    }
}
