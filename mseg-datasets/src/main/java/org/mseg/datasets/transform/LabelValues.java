package org.mseg.datasets.transform;

/** Checks shared by transforms that write label values. */
final class LabelValues {
    private LabelValues() {
    }

    static int check(int ignoreLabel) {
        if (ignoreLabel < 0 || ignoreLabel > 255) {
            throw new IllegalArgumentException("ignore label must fit an 8-bit label (0..255), got " + ignoreLabel);
        }
        return ignoreLabel;
    }
}
