package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.mseg.datasets.Sample;

/**
 * Crops to {@code cropH × cropW}, as upstream's {@code Crop}. A sample smaller than the crop is first padded to at
 * least the crop size: {@code top = int(padH/2)}, {@code bottom = padH - top} (the odd pixel goes to the bottom), the
 * same for left/right; the image is padded with the ImageNet mean colour, the label with the ignore label. Then the
 * offsets are {@code h_off = randint(0, h - cropH)} and {@code w_off = randint(0, w - cropW)} (inclusive, drawn in that
 * order) for a random crop, or {@code int((h - cropH)/2)}, {@code int((w - cropW)/2)} for a center crop.
 */
public final class Crop implements Transform {
    /** Where the crop window is placed. */
    public enum Type {
        /** Uniformly random offsets (training). */
        RAND,
        /** Centered window (validation). */
        CENTER
    }

    private final int cropH;
    private final int cropW;
    private final Type type;
    private final int ignoreLabel;

    /**
     * @param cropH       crop height
     * @param cropW       crop width
     * @param type        random or center
     * @param ignoreLabel label value of padded pixels
     */
    public Crop(int cropH, int cropW, Type type, int ignoreLabel) {
        if (cropH < 1 || cropW < 1) {
            throw new IllegalArgumentException("crop size must be positive, got " + cropH + "x" + cropW);
        }
        this.cropH = cropH;
        this.cropW = cropW;
        this.type = java.util.Objects.requireNonNull(type, "type");
        this.ignoreLabel = LabelValues.check(ignoreLabel);
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        pad(sample);
        int h = sample.height();
        int w = sample.width();
        int hOff;
        int wOff;
        if (type == Type.RAND) {
            hOff = random.nextInt(0, h - cropH + 1);
            wOff = random.nextInt(0, w - cropW + 1);
        } else {
            hOff = (h - cropH) / 2;
            wOff = (w - cropW) / 2;
        }
        try (Rect window = new Rect(wOff, hOff, cropW, cropH);
                Mat imageView = new Mat(sample.image(), window);
                Mat labelView = new Mat(sample.label(), window)) {
            // Clone: the views share the old buffers, which replace*() releases.
            sample.replaceImage(imageView.clone());
            sample.replaceLabel(labelView.clone());
        }
    }

    private void pad(Sample sample) {
        int padH = Math.max(cropH - sample.height(), 0);
        int padW = Math.max(cropW - sample.width(), 0);
        if (padH == 0 && padW == 0) {
            return;
        }
        int top = padH / 2;
        int left = padW / 2;
        try (Scalar mean = ImageNetStats.meanScalar(); Scalar ignore = new Scalar(ignoreLabel)) {
            Mat image = new Mat();
            copyMakeBorder(sample.image(), image, top, padH - top, left, padW - left, BORDER_CONSTANT, mean);
            sample.replaceImage(image);
            Mat label = new Mat();
            copyMakeBorder(sample.label(), label, top, padH - top, left, padW - left, BORDER_CONSTANT, ignore);
            sample.replaceLabel(label);
        }
    }
}
