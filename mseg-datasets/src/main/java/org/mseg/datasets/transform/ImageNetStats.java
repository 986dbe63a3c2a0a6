package org.mseg.datasets.transform;

import org.bytedeco.opencv.opencv_core.Scalar;

/** ImageNet mean and standard deviation in 0..255 RGB units, as MSeg uses them. */
final class ImageNetStats {
    static final double[] MEAN = {0.485 * 255, 0.456 * 255, 0.406 * 255};
    static final double[] STD = {0.229 * 255, 0.224 * 255, 0.225 * 255};

    private ImageNetStats() {
    }

    /** A new Scalar holding the mean colour; the caller closes it. */
    static Scalar meanScalar() {
        return new Scalar(MEAN[0], MEAN[1], MEAN[2], 0);
    }
}
