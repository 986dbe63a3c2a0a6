package org.mseg.engine.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One image's prediction at its original size: the arg-max class per pixel (row-major, evaluation-taxonomy ids) and
 * the probability of that class (averaged over flips and scales, after the taxonomy projection).
 *
 * @param height     rows
 * @param width      columns
 * @param labels     class id per pixel, unsigned bytes
 * @param confidence probability of the chosen class per pixel, in [0, 1]
 */
public record Prediction(int height, int width, byte[] labels, float[] confidence) {

    /** Checks the sizes. */
    public Prediction {
        if ((long) height * width != labels.length || labels.length != confidence.length) {
            throw new IllegalArgumentException("a " + height + " × " + width + " prediction needs "
                    + (long) height * width + " labels and confidences, got " + labels.length + " and "
                    + confidence.length);
        }
    }

    /** Class id at a pixel. */
    public int label(int row, int col) {
        return labels[row * width + col] & 0xFF;
    }

    /** The labels as a new single-channel 8-bit Mat; the caller closes it. */
    public Mat labelMat() {
        Mat m = new Mat(height, width, CV_8UC1);
        ByteBuffer b = m.createBuffer();
        b.put(labels);
        return m;
    }

    /** The confidences as a new single-channel float Mat; the caller closes it. */
    public Mat confidenceMat() {
        Mat m = new Mat(height, width, CV_32FC1);
        FloatBuffer b = m.createBuffer();
        b.put(confidence);
        return m;
    }
}
