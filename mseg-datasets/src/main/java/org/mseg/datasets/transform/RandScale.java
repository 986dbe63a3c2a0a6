package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.Sample;

/**
 * Random isotropic scaling, as upstream's {@code RandScale} without aspect jitter: {@code s = min + (max-min)·U[0,1)},
 * then {@code cv2.resize(fx = fy = s)}. The resize is called exactly that way (empty destination size, scale
 * factors given): OpenCV then makes the output {@code round(w·s) × round(h·s)} (round half to even) and maps
 * coordinates with the factor {@code s} itself rather than with the ratio of the rounded sizes. Image bilinear, label
 * nearest.
 */
public final class RandScale implements Transform {
    private final double min;
    private final double max;

    /**
     * @param min smallest scale factor, positive
     * @param max largest scale factor, at least {@code min}
     */
    public RandScale(double min, double max) {
        if (!(min > 0) || !(max >= min)) {
            throw new IllegalArgumentException("scale range must satisfy 0 < min <= max, got [" + min + ", " + max
                    + "]");
        }
        this.min = min;
        this.max = max;
    }

    /** The scale factor for a uniform draw {@code u} in [0, 1). */
    public double scaleFor(double u) {
        return min + (max - min) * u;
    }

    /** The output size (width, height) OpenCV gives for an input size and a scale factor. */
    public static int[] outputSize(int width, int height, double scale) {
        return new int[] {(int) Math.rint(width * scale), (int) Math.rint(height * scale)};
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        double s = scaleFor(random.nextDouble());
        try (Size empty = new Size(0, 0)) {
            Mat image = new Mat();
            resize(sample.image(), image, empty, s, s, INTER_LINEAR);
            sample.replaceImage(image);
            Mat label = new Mat();
            resize(sample.label(), label, empty, s, s, INTER_NEAREST);
            sample.replaceLabel(label);
        }
    }
}
