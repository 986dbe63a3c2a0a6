package org.mseg.datasets;

import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An image and its label map travelling through the transforms together. The sample owns both Mats: replacing one
 * closes the previous Mat, and {@link #close()} releases both, so a sample is always used in try-with-resources.
 *
 * <p>The image is {@code CV_32FC3} in RGB order (0..255 until normalized); the label is {@code CV_8UC1} holding class
 * ids, 255 = ignore. Both always have the same size.
 */
public final class Sample implements AutoCloseable {
    private Mat image;
    private Mat label;

    /**
     * Takes ownership of both Mats.
     *
     * @param image {@code CV_32FC3} RGB image, now owned by the sample
     * @param label {@code CV_8UC1} label map of the same size, now owned by the sample
     */
    public Sample(Mat image, Mat label) {
        this.image = Objects.requireNonNull(image, "image");
        this.label = Objects.requireNonNull(label, "label");
    }

    /** The image; still owned by the sample (do not close it, copy it to keep it). */
    public Mat image() {
        return requireOpen(image);
    }

    /** The label map; still owned by the sample (do not close it, copy it to keep it). */
    public Mat label() {
        return requireOpen(label);
    }

    /** Image height in pixels. */
    public int height() {
        return image().rows();
    }

    /** Image width in pixels. */
    public int width() {
        return image().cols();
    }

    /** Replaces the image, closing the previous one; the sample takes ownership of {@code newImage}. */
    public void replaceImage(Mat newImage) {
        Objects.requireNonNull(newImage, "newImage");
        Mat old = requireOpen(image);
        image = newImage;
        if (old != newImage) {
            old.close();
        }
    }

    /** Replaces the label, closing the previous one; the sample takes ownership of {@code newLabel}. */
    public void replaceLabel(Mat newLabel) {
        Objects.requireNonNull(newLabel, "newLabel");
        Mat old = requireOpen(label);
        label = newLabel;
        if (old != newLabel) {
            old.close();
        }
    }

    private static Mat requireOpen(Mat mat) {
        if (mat == null) {
            throw new IllegalStateException("sample already closed");
        }
        return mat;
    }

    /** Releases both Mats; later calls do nothing. */
    @Override
    public void close() {
        if (image != null) {
            image.close();
            image = null;
        }
        if (label != null) {
            label.close();
            label = null;
        }
    }
}
