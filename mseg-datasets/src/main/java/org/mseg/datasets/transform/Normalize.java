package org.mseg.datasets.transform;

import java.nio.FloatBuffer;
import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.datasets.Sample;

/**
 * Per-channel {@code (x - mean) / std} on the RGB image in 0..255 units, computed in single precision like upstream's
 * {@code Normalize} on float32 tensors. Defaults to the ImageNet statistics MSeg uses: mean (123.675, 116.28, 103.53),
 * std (58.395, 57.12, 57.375).
 */
public final class Normalize implements Transform {
    private final float[] mean;
    private final float[] std;

    /** Normalization with the ImageNet statistics. */
    public Normalize() {
        this(ImageNetStats.MEAN, ImageNetStats.STD);
    }

    /**
     * @param mean per-channel mean (R, G, B)
     * @param std  per-channel standard deviation (R, G, B), all non-zero
     */
    public Normalize(double[] mean, double[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        this.mean = new float[3];
        this.std = new float[3];
        for (int c = 0; c < 3; c++) {
            if (std[c] == 0) {
                throw new IllegalArgumentException("std must not be 0");
            }
            this.mean[c] = (float) mean[c];
            this.std[c] = (float) std[c];
        }
    }

    /** The ImageNet mean in 0..255 RGB units (a copy). */
    public static double[] imagenetMean() {
        return ImageNetStats.MEAN.clone();
    }

    /** The ImageNet standard deviation in 0..255 RGB units (a copy). */
    public static double[] imagenetStd() {
        return ImageNetStats.STD.clone();
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        Mat image = sample.image();
        if (image.channels() != 3 || image.depth() != org.bytedeco.opencv.global.opencv_core.CV_32F) {
            throw new IllegalArgumentException("Normalize expects a CV_32FC3 image, got type " + image.type());
        }
        Mat out = image.clone();
        FloatBuffer data = out.createBuffer();
        int n = out.rows() * out.cols();
        for (int i = 0, k = 0; i < n; i++) {
            for (int c = 0; c < 3; c++, k++) {
                data.put(k, (data.get(k) - mean[c]) / std[c]);
            }
        }
        sample.replaceImage(out);
    }
}
