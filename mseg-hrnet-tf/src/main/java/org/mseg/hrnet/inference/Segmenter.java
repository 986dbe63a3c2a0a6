package org.mseg.hrnet.inference;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.api.ConfigException;
import org.mseg.datasets.transform.Normalize;

/**
 * MSeg's inference (MSEG.md g.2) in one place, used by {@code evaluate} and {@code infer}: for each scale the image
 * is resized by its scaled shorter side, padded with the mean colour to at least one window, cut into sliding windows
 * (stride {@code ceil(2/3 · crop)}), each window is run together with its horizontal flip, softmax probabilities are
 * projected into the evaluation taxonomy, flip-averaged, accumulated and divided by the visit count, the padding is cut
 * away and the score map is resized bilinearly back to the original size; the scales' maps are averaged and the
 * arg-max taken.
 *
 * <p>Windows go through the model {@link InferenceSettings#windowBatch()} at a time (each with its flip). Score maps
 * are kept class-major, so a single-scale prediction never holds more than one full-resolution class plane at once.
 *
 * <p>Not thread-safe (the model is not); uses the common fork-join pool for per-pixel work.
 */
public final class Segmenter {
    private final WindowModel model;
    private final ClassProjection projection;
    private final InferenceSettings settings;
    private final float[] mean = new float[3];
    private final float[] std = new float[3];

    /**
     * @param model      the model; its window size must be the settings' crop
     * @param projection model classes → evaluation classes (at most 255 evaluation classes)
     * @param settings   sizes, scales, flip, batch
     */
    public Segmenter(WindowModel model, ClassProjection projection, InferenceSettings settings) {
        if (model.windowHeight() != settings.cropHeight() || model.windowWidth() != settings.cropWidth()) {
            throw new IllegalArgumentException("the model takes " + model.windowHeight() + " × " + model.windowWidth()
                    + " windows but the settings ask for " + settings.cropHeight() + " × " + settings.cropWidth());
        }
        if (projection.sourceClasses() != model.numClasses()) {
            throw new ConfigException("the model predicts " + model.numClasses() + " classes but the taxonomy"
                    + " projection expects " + projection.sourceClasses());
        }
        if (projection.targetClasses() > 255) {
            throw new ConfigException("the evaluation taxonomy has " + projection.targetClasses() + " classes; label"
                    + " maps hold at most 255 (255 = ignore). Project onto a smaller taxonomy (e.g. a test dataset's).");
        }
        this.model = model;
        this.projection = projection;
        this.settings = settings;
        double[] m = Normalize.imagenetMean();
        double[] s = Normalize.imagenetStd();
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) m[c];
            std[c] = (float) s[c];
        }
    }

    /** The settings. */
    public InferenceSettings settings() {
        return settings;
    }

    /** Classes of the predictions (the evaluation taxonomy). */
    public int numClasses() {
        return projection.targetClasses();
    }

    /** Predicts an 8-bit BGR image (as {@code imread} returns it) over all classes. */
    public Prediction predict(Mat bgr) {
        return predict(bgr, null);
    }

    /**
     * Predicts an 8-bit BGR image.
     *
     * @param bgr     8-bit, 3 channels, BGR order
     * @param allowed per evaluation class whether the arg-max may choose it; null allows all
     * @return labels and confidences at the image's size
     */
    public Prediction predict(Mat bgr, boolean[] allowed) {
        if (bgr.channels() != 3 || bgr.depth() != CV_8U) {
            throw new IllegalArgumentException("expected an 8-bit 3-channel BGR image, got type " + bgr.type());
        }
        try (Mat rgb = new Mat(); Mat rgbF = new Mat()) {
            cvtColor(bgr, rgb, COLOR_BGR2RGB);
            rgb.convertTo(rgbF, CV_32F);
            return predictRgb(rgbF, allowed);
        }
    }

    /**
     * Predicts an RGB float image in 0..255 units (as {@code SampleReader} returns it).
     *
     * @param rgbF    {@code CV_32FC3}, RGB order, 0..255
     * @param allowed per evaluation class whether the arg-max may choose it; null allows all
     */
    public Prediction predictRgb(Mat rgbF, boolean[] allowed) {
        if (rgbF.channels() != 3 || rgbF.depth() != CV_32F) {
            throw new IllegalArgumentException("expected a CV_32FC3 RGB image, got type " + rgbF.type());
        }
        int k = numClasses();
        if (allowed != null && (allowed.length != k || !anyTrue(allowed))) {
            throw new IllegalArgumentException("the class subset must have " + k + " entries and allow one class");
        }
        int h = rgbF.rows();
        int w = rgbF.cols();
        List<Double> scales = settings.scales();
        if (scales.size() == 1) {
            float[][] planes = scaledScores(rgbF, scales.get(0));
            return argmax(h, w, c -> toOriginal(planes[c], rgbF, scales.get(0)), allowed, 1);
        }
        float[][] sum = new float[k][];
        for (double s : scales) {
            float[][] planes = scaledScores(rgbF, s);
            for (int c = 0; c < k; c++) {
                float[] full = toOriginal(planes[c], rgbF, s);
                planes[c] = null;
                if (sum[c] == null) {
                    sum[c] = full;
                } else {
                    float[] acc = sum[c];
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += full[i];
                    }
                }
            }
        }
        return argmax(h, w, c -> sum[c], allowed, scales.size());
    }

    private interface PlaneSource {
        float[] plane(int c);
    }

    /** Divides by the number of scales (as upstream does before the arg-max), then the first maximum wins. */
    private Prediction argmax(int h, int w, PlaneSource planes, boolean[] allowed, int numScales) {
        int n = h * w;
        float[] best = new float[n];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        byte[] labels = new byte[n];
        for (int c = 0; c < numClasses(); c++) {
            if (allowed != null && !allowed[c]) {
                continue;
            }
            float[] p = planes.plane(c);
            byte id = (byte) c;
            float div = numScales;
            IntStream.range(0, h).parallel().forEach(row -> {
                for (int i = row * w, end = i + w; i < end; i++) {
                    float v = numScales == 1 ? p[i] : p[i] / div;
                    if (v > best[i]) {
                        best[i] = v;
                        labels[i] = id;
                    }
                }
            });
        }
        return new Prediction(h, w, labels, best);
    }

    /** Resizes one class plane of a scale back to the original size (bilinear, OpenCV's half-pixel convention). */
    private float[] toOriginal(float[] plane, Mat original, double scale) {
        int h = original.rows();
        int w = original.cols();
        int[] size = settings.scaledSize(h, w, scale);
        if (size[0] == h && size[1] == w) {
            return plane;
        }
        try (Mat src = new Mat(size[0], size[1], CV_32FC1); Mat dst = new Mat(); Size to = new Size(w, h)) {
            ((FloatBuffer) src.createBuffer()).put(plane);
            resize(src, dst, to, 0, 0, INTER_LINEAR);
            float[] out = new float[h * w];
            ((FloatBuffer) dst.createBuffer()).get(out);
            return out;
        }
    }

    /**
     * The class-major score planes of one scale at the scaled size (upstream {@code scale_process} before its final
     * resize): {@code [numClasses][scaledH · scaledW]}.
     */
    float[][] scaledScores(Mat rgbFloat, double scale) {
        int[] size = settings.scaledSize(rgbFloat.rows(), rgbFloat.cols(), scale);
        if (size[0] == rgbFloat.rows() && size[1] == rgbFloat.cols()) {
            return scores(rgbFloat);
        }
        try (Mat scaled = new Mat(); Size to = new Size(size[1], size[0])) {
            resize(rgbFloat, scaled, to, 0, 0, INTER_LINEAR);
            return scores(scaled);
        }
    }

    /** Score planes of an RGB float image (0..255) at its own size: pad, slide, flip-average, divide, un-pad. */
    float[][] scores(Mat rgbFloat) {
        int h = rgbFloat.rows();
        int w = rgbFloat.cols();
        int cropH = settings.cropHeight();
        int cropW = settings.cropWidth();
        int padH = Math.max(cropH - h, 0);
        int padW = Math.max(cropW - w, 0);
        int top = padH / 2;
        int left = padW / 2;
        int hp = h + padH;
        int wp = w + padW;
        float[] image = new float[hp * wp * 3];
        try (Mat padded = new Mat(); Scalar meanColour = new Scalar(mean[0], mean[1], mean[2], 0)) {
            Mat src = rgbFloat;
            if (padH > 0 || padW > 0) {
                copyMakeBorder(rgbFloat, padded, top, padH - top, left, padW - left, BORDER_CONSTANT, meanColour);
                src = padded;
            }
            Mat continuous = src.isContinuous() ? src : src.clone();
            try {
                ((FloatBuffer) continuous.createBuffer()).get(image);
            } finally {
                if (continuous != src) {
                    continuous.close();
                }
            }
        }
        for (int i = 0; i < image.length; i += 3) {
            for (int c = 0; c < 3; c++) {
                image[i + c] = (image[i + c] - mean[c]) / std[c];
            }
        }

        int k = numClasses();
        float[][] score = new float[k][hp * wp];
        int[] count = new int[hp * wp];
        List<SlidingWindow.Window> windows = SlidingWindow.grid(hp, wp, cropH, cropW);
        int perWindow = settings.flip() ? 2 : 1;
        int windowValues = cropH * cropW * 3;
        for (int b = 0; b < windows.size(); b += settings.windowBatch()) {
            List<SlidingWindow.Window> batch = windows.subList(b, Math.min(b + settings.windowBatch(), windows.size()));
            float[] input = new float[batch.size() * perWindow * windowValues];
            for (int i = 0; i < batch.size(); i++) {
                SlidingWindow.Window win = batch.get(i);
                int base = i * perWindow * windowValues;
                for (int y = 0; y < cropH; y++) {
                    int src = ((win.top() + y) * wp + win.left()) * 3;
                    int dst = base + y * cropW * 3;
                    System.arraycopy(image, src, input, dst, cropW * 3);
                    if (perWindow == 2) {
                        int fdst = base + windowValues + y * cropW * 3;
                        for (int x = 0; x < cropW; x++) {
                            int from = src + (cropW - 1 - x) * 3;
                            int to = fdst + x * 3;
                            input[to] = image[from];
                            input[to + 1] = image[from + 1];
                            input[to + 2] = image[from + 2];
                        }
                    }
                }
            }
            float[] probabilities = model.probabilities(input, batch.size() * perWindow);
            long expected = (long) batch.size() * perWindow * cropH * cropW * model.numClasses();
            if (probabilities.length != expected) {
                throw new IllegalStateException("the model returned " + probabilities.length + " values, expected "
                        + expected);
            }
            for (int i = 0; i < batch.size(); i++) {
                accumulate(probabilities, i * perWindow, batch.get(i), score, count, wp);
            }
        }

        float[][] planes = new float[k][];
        for (int c = 0; c < k; c++) {
            float[] s = score[c];
            float[] plane = new float[h * w];
            for (int y = 0; y < h; y++) {
                int from = (y + top) * wp + left;
                int to = y * w;
                for (int x = 0; x < w; x++) {
                    plane[to + x] = s[from + x] / count[from + x];
                }
            }
            planes[c] = plane;
            score[c] = null;
        }
        return planes;
    }

    /** Adds one window's (flip-averaged) probabilities to the score planes and bumps the visit count. */
    private void accumulate(float[] probabilities, int image, SlidingWindow.Window win, float[][] score, int[] count,
            int wp) {
        int cropH = settings.cropHeight();
        int cropW = settings.cropWidth();
        int classes = model.numClasses();
        int k = numClasses();
        boolean flip = settings.flip();
        long imageValues = (long) cropH * cropW * classes;
        IntStream.range(0, cropH).parallel().forEach(y -> {
            float[] p = new float[k];
            float[] pf = new float[k];
            int row = (win.top() + y) * wp + win.left();
            for (int x = 0; x < cropW; x++) {
                int off = (int) (image * imageValues + ((long) y * cropW + x) * classes);
                projection.project(probabilities, off, p);
                int idx = row + x;
                if (flip) {
                    int offF = (int) ((image + 1) * imageValues + ((long) y * cropW + (cropW - 1 - x)) * classes);
                    projection.project(probabilities, offF, pf);
                    for (int c = 0; c < k; c++) {
                        score[c][idx] += (p[c] + pf[c]) / 2f;
                    }
                } else {
                    for (int c = 0; c < k; c++) {
                        score[c][idx] += p[c];
                    }
                }
                count[idx]++;
            }
        });
    }

    private static boolean anyTrue(boolean[] values) {
        for (boolean v : values) {
            if (v) {
                return true;
            }
        }
        return false;
    }
}
