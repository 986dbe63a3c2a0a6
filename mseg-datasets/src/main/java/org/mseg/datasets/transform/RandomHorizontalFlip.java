package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_core.flip;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.datasets.Sample;

/** Mirrors image and label left-right together with probability {@code p} (0.5), as upstream. */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    /** Flips with probability 0.5. */
    public RandomHorizontalFlip() {
        this(0.5);
    }

    /** @param p probability of flipping */
    public RandomHorizontalFlip(double p) {
        this.p = p;
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        if (random.nextDouble() < p) {
            flipNow(sample);
        }
    }

    /** Flips image and label unconditionally. */
    public static void flipNow(Sample sample) {
        Mat image = new Mat();
        flip(sample.image(), image, 1);
        sample.replaceImage(image);
        Mat label = new Mat();
        flip(sample.label(), label, 1);
        sample.replaceLabel(label);
    }
}
