package org.mseg.taxonomy;

import java.util.List;

/** The names of MSeg's taxonomies, grouped as upstream's {@code TaxonomyConverter} groups them. */
public final class MsegTaxonomies {
    private MsegTaxonomies() {
    }

    /** Name of the 194-class universal taxonomy. */
    public static final String UNIVERSAL = "universal";

    /** Name of the naive-merge taxonomy (see {@link NaiveTaxonomy}). */
    public static final String NAIVE = "naive";

    /** The seven training datasets before relabeling, in the order MSeg's configs list them. */
    public static final List<String> UNRELABELED_TRAIN = List.of("ade20k-150", "bdd", "cityscapes-19",
            "coco-panoptic-133", "idd-39", "mapillary-public65", "sunrgbd-37");

    /** The relabeled training taxonomies: the seven of the release configs, then {@code cityscapes-34-relabeled}. */
    public static final List<String> RELABELED_TRAIN = List.of("ade20k-150-relabeled", "bdd-relabeled",
            "cityscapes-19-relabeled", "coco-panoptic-133-relabeled", "idd-39-relabeled",
            "mapillary-public65-relabeled", "sunrgbd-37-relabeled", "cityscapes-34-relabeled");

    /** The six zero-shot test datasets. */
    public static final List<String> TEST = List.of("camvid-11", "kitti-19", "pascal-context-60", "scannet-20",
            "voc2012", "wilddash-19");

    /** Taxonomies as the dataset authors distribute them; remapped to a semseg taxonomy before use. */
    public static final List<String> RAW = List.of("ade20k-151", "cityscapes-34", "coco-panoptic-201", "idd-40",
            "mapillary-public66", "sunrgbd-38", "camvid-32", "kitti-34", "pascal-context-460", "scannet-41",
            "wilddash-34");
}
