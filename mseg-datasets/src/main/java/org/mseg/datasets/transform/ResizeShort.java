package org.mseg.datasets.transform;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.Sample;

/**
 * Resizes so that the shorter side equals {@code shortSize}, as upstream's {@code ResizeShort}: if {@code h <= w} the
 * height becomes S and the width {@code int(w * (S / float(h)))}, else the width becomes S and the height
 * {@code int(h * (S / float(w)))}. Image bilinear, label nearest; applied even when it enlarges.
 *
 * <p>The order of upstream's double arithmetic matters: {@code S / h} is rounded before the multiplication, so where
 * {@code w·S/h} is an exact integer the product can land just below it and truncate one pixel short (S = 360 on a
 * 286×132 image gives 779, not 780). {@link #outputSize} repeats that arithmetic step for step.
 */
public final class ResizeShort implements Transform {
    private final int shortSize;

    /** @param shortSize target length of the shorter side, in pixels */
    public ResizeShort(int shortSize) {
        if (shortSize < 1) {
            throw new IllegalArgumentException("short size must be positive, got " + shortSize);
        }
        this.shortSize = shortSize;
    }

    /** The target length of the shorter side. */
    public int shortSize() {
        return shortSize;
    }

    /** The output size (width, height) for an input of the given size, as upstream computes it (see the class). */
    public int[] outputSize(int width, int height) {
        if (height <= width) {
            return new int[] {longSide(width, height), shortSize};
        }
        return new int[] {shortSize, longSide(height, width)};
    }

    /** Upstream's {@code int(longer * (S / float(shorter)))}: the division first, in double, then truncation. */
    private int longSide(int longer, int shorter) {
        return (int) (longer * ((double) shortSize / shorter));
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        int[] wh = outputSize(sample.width(), sample.height());
        try (Size size = new Size(wh[0], wh[1])) {
            Mat image = new Mat();
            resize(sample.image(), image, size, 0, 0, INTER_LINEAR);
            sample.replaceImage(image);
            Mat label = new Mat();
            resize(sample.label(), label, size, 0, 0, INTER_NEAREST);
            sample.replaceLabel(label);
        }
    }
}
