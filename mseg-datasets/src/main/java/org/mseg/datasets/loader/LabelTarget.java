package org.mseg.datasets.loader;

/** The taxonomy a loader's labels are converted to, i.e. the taxonomy the model is trained in. */
public enum LabelTarget {
    /** MSeg's universal taxonomy (194 classes), through each dataset's mapping to it. */
    UNIVERSAL,
    /** The naive union of the training taxonomies, by lower-cased class name. */
    NAIVE,
    /** The dataset's own taxonomy, unchanged ("oracle" training on a single dataset). */
    OWN
}
