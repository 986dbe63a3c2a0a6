package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.Sample;

/**
 * Random rotation, as upstream's {@code RandRotate}: with probability {@code p} (first draw), the angle
 * {@code min + (max-min)·U} degrees (second draw); rotation about {@code (w/2, h/2)} with scale 1 into the same size.
 * The image is warped bilinearly with a constant border of the ImageNet mean colour, the label with nearest-neighbour
 * and a border of the ignore label.
 */
public final class RandRotate implements Transform {
    private final double min;
    private final double max;
    private final int ignoreLabel;
    private final double p;

    /** Rotation in {@code [min, max]} degrees with probability 0.5. */
    public RandRotate(double min, double max, int ignoreLabel) {
        this(min, max, ignoreLabel, 0.5);
    }

    /**
     * @param min         smallest angle in degrees
     * @param max         largest angle in degrees
     * @param ignoreLabel label value of pixels rotated in from outside
     * @param p           probability of rotating
     */
    public RandRotate(double min, double max, int ignoreLabel, double p) {
        if (!(max >= min)) {
            throw new IllegalArgumentException("rotation range must satisfy min <= max, got [" + min + ", " + max
                    + "]");
        }
        this.min = min;
        this.max = max;
        this.ignoreLabel = LabelValues.check(ignoreLabel);
        this.p = p;
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        if (random.nextDouble() < p) {
            rotate(sample, min + (max - min) * random.nextDouble());
        }
    }

    /** Rotates the sample by a fixed angle in degrees (counter-clockwise for positive angles, as OpenCV). */
    public void rotate(Sample sample, double angle) {
        int h = sample.height();
        int w = sample.width();
        try (Point2f center = new Point2f(w / 2.0f, h / 2.0f);
                Mat matrix = getRotationMatrix2D(center, angle, 1.0);
                Size size = new Size(w, h);
                Scalar mean = ImageNetStats.meanScalar();
                Scalar ignore = new Scalar(ignoreLabel)) {
            Mat image = new Mat();
            warpAffine(sample.image(), image, matrix, size, INTER_LINEAR, BORDER_CONSTANT, mean);
            sample.replaceImage(image);
            Mat label = new Mat();
            warpAffine(sample.label(), label, matrix, size, INTER_NEAREST, BORDER_CONSTANT, ignore);
            sample.replaceLabel(label);
        }
    }
}
