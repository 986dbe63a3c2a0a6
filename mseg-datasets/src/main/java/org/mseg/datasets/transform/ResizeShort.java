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
 * height becomes S and the width {@code int(w*S/h)} (truncated), else the width becomes S and the height
 * {@code int(h*S/w)}. Image bilinear, label nearest; applied even when it enlarges.
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

    /** The output size (width, height) for an input of the given size. */
    public int[] outputSize(int width, int height) {
        if (height <= width) {
            return new int[] {(int) ((double) ((long) width * shortSize) / height), shortSize};
        }
        return new int[] {shortSize, (int) ((double) ((long) height * shortSize) / width)};
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
