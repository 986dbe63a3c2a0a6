package org.mseg.api.taxonomy;

/** The role a taxonomy plays in MSeg. */
public enum TaxonomyKind {
    /** The 194-class universal taxonomy of {@code MSeg_master.tsv}. */
    UNIVERSAL("universal"),
    /** The machine-built union of the unrelabeled training taxonomies (the naive baseline). */
    NAIVE("naive"),
    /** A training dataset's own ("semseg") taxonomy, as remapped on disk, before relabeling. */
    TRAINING("training"),
    /** A training dataset's taxonomy after MSeg's relabeling: a subset of universal class names. */
    RELABELED("relabeled"),
    /** A zero-shot test dataset's taxonomy. */
    TEST("test"),
    /** A taxonomy as the dataset authors distribute it, remapped to a semseg taxonomy before use. */
    RAW("raw"),
    /** A taxonomy contributed by a plugin that fits none of the above. */
    OTHER("other");

    private final String label;

    TaxonomyKind(String label) {
        this.label = label;
    }

    /** Lower-case label used in listings and exports. */
    public String label() {
        return label;
    }
}
