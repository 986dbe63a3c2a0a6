package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.Sample;

/**
 * Random blur, as upstream's {@code RandomGaussianBlur(radius=5)}: with probability 0.5,
 * {@code GaussianBlur(image, (5,5), sigma 0)}. The call is kept exactly so: with sigma 0 and a kernel of at most 7 taps
 * OpenCV uses its fixed binomial kernel ({@code (1 4 6 4 1)/16} for 5 taps), not a Gaussian sampled at the sigma 1.1 it
 * would derive from the kernel size. The label is unchanged.
 */
public final class RandomGaussianBlur implements Transform {
    private final int radius;
    private final double p;

    /** A 5×5 blur applied with probability 0.5. */
    public RandomGaussianBlur() {
        this(5, 0.5);
    }

    /**
     * @param radius kernel size (odd)
     * @param p      probability of blurring
     */
    public RandomGaussianBlur(int radius, double p) {
        if (radius < 1 || radius % 2 == 0) {
            throw new IllegalArgumentException("Gaussian kernel size must be odd and positive, got " + radius);
        }
        this.radius = radius;
        this.p = p;
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        if (random.nextDouble() < p) {
            blur(sample);
        }
    }

    /** Blurs the image unconditionally. */
    public void blur(Sample sample) {
        try (Size k = new Size(radius, radius)) {
            Mat image = new Mat();
            GaussianBlur(sample.image(), image, k, 0);
            sample.replaceImage(image);
        }
    }
}
