package org.mseg.api.dataset;

/** How the label files of a dataset store class ids. */
public enum LabelEncoding {
    /** Single-channel 8-bit PNG, pixel value = class id, 255 = ignore (MSeg's "semseg" format). */
    GRAY8,
    /** Single-channel 16-bit PNG, pixel value = class id (e.g. raw {@code pascal-context-460}); no ignore value. */
    GRAY16
}
