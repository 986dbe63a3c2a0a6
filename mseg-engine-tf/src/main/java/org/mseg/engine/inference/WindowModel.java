package org.mseg.engine.inference;

/**
 * A segmentation model applied to fixed-size windows: normalised RGB crops in, per-pixel class logits out at the
 * same resolution. {@link org.mseg.engine.checkpoint.LoadedModel} is the TensorFlow implementation; tests use models
 * whose output is known.
 */
public interface WindowModel {

    /** Window height the model takes. */
    int windowHeight();

    /** Window width the model takes. */
    int windowWidth();

    /** Logits per pixel. */
    int numClasses();

    /**
     * Runs the model on a batch of windows.
     *
     * @param nhwc normalised images, float32 NHWC {@code [n, windowHeight, windowWidth, 3]} in C order
     * @param n    number of windows, at least 1
     * @return logits, NHWC {@code [n, windowHeight, windowWidth, numClasses]} in C order, no softmax
     */
    float[] logits(float[] nhwc, int n);

    /**
     * Runs the model and applies a softmax over the classes of each pixel. The default computes the softmax in Java
     * from {@link #logits}; implementations may compute it on their device.
     *
     * @param nhwc normalised images, as for {@link #logits}
     * @param n    number of windows
     * @return probabilities, NHWC {@code [n, windowHeight, windowWidth, numClasses]} in C order
     */
    default float[] probabilities(float[] nhwc, int n) {
        float[] logits = logits(nhwc, n);
        int k = numClasses();
        java.util.stream.IntStream.range(0, logits.length / k).parallel()
                .forEach(i -> ClassProjection.softmaxInPlace(logits, i * k, k));
        return logits;
    }
}
