package org.mseg.engine.inference;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.add;
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
 * are kept class-major at each scale's size; at the original size only one class (two with several scales) is held
 * at once, in reused native buffers, and an 8-bit image is converted to floats strip by strip. So memory grows with
 * the image as its own bytes plus the labels and confidences (5 bytes a pixel) plus one or two float planes, not with
 * classes × pixels; the results are bit for bit those of the whole-image computation.
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
     * <p>Never converts the whole image to floats when a scale resizes it: rows are converted and resized across in
     * strips, then down (see {@link #scaledRgb}), so a large image costs its own bytes plus the scaled image.
     *
     * @param bgr     8-bit, 3 channels, BGR order
     * @param allowed per evaluation class whether the arg-max may choose it; null allows all
     * @return labels and confidences at the image's size
     */
    public Prediction predict(Mat bgr, boolean[] allowed) {
        if (bgr.channels() != 3 || bgr.depth() != CV_8U) {
            throw new IllegalArgumentException("expected an 8-bit 3-channel BGR image, got type " + bgr.type());
        }
        checkAllowed(allowed);
        List<Double> scales = settings.scales();
        float[][][] perScale = new float[scales.size()][][];
        int[][] sizes = new int[scales.size()][];
        for (int i = 0; i < scales.size(); i++) {
            sizes[i] = settings.scaledSize(bgr.rows(), bgr.cols(), scales.get(i));
            try (Mat scaled = scaledRgb(bgr, sizes[i][0], sizes[i][1])) {
                perScale[i] = scores(scaled);
            }
        }
        return combine(bgr.rows(), bgr.cols(), perScale, sizes, allowed);
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
        checkAllowed(allowed);
        List<Double> scales = settings.scales();
        float[][][] perScale = new float[scales.size()][][];
        int[][] sizes = new int[scales.size()][];
        for (int i = 0; i < scales.size(); i++) {
            sizes[i] = settings.scaledSize(rgbF.rows(), rgbF.cols(), scales.get(i));
            perScale[i] = scaledScores(rgbF, scales.get(i));
        }
        return combine(rgbF.rows(), rgbF.cols(), perScale, sizes, allowed);
    }

    private void checkAllowed(boolean[] allowed) {
        int k = numClasses();
        if (allowed != null && (allowed.length != k || !anyTrue(allowed))) {
            throw new IllegalArgumentException("the class subset must have " + k + " entries and allow one class");
        }
    }

    /**
     * Resizes each scale's score planes back to the original size, averages the scales and takes the arg-max (the
     * first maximum wins), one class at a time: only one or two full-size class planes exist at any moment, in reused
     * native buffers, whatever the number of classes. The arithmetic is upstream's in its order (sum over scales in
     * scale order, then divided by the number of scales), so the result equals resizing every plane first.
     *
     * @param perScale per scale the class-major planes at that scale's size; consumed (entries set to null)
     * @param sizes    per scale {height, width}
     */
    private Prediction combine(int h, int w, float[][][] perScale, int[][] sizes, boolean[] allowed) {
        int n = h * w;
        int numScales = perScale.length;
        float[] best = new float[n];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        byte[] labels = new byte[n];
        float div = numScales;
        try (Mat full = new Mat(h, w, CV_32FC1); Mat acc = new Mat(); Size to = new Size(w, h)) {
            if (numScales > 1) {
                acc.create(h, w, CV_32FC1);
            }
            for (int c = 0; c < numClasses(); c++) {
                if (allowed != null && !allowed[c]) {
                    for (float[][] planes : perScale) {
                        planes[c] = null;
                    }
                    continue;
                }
                for (int s = 0; s < numScales; s++) {
                    float[] plane = perScale[s][c];
                    perScale[s][c] = null;
                    Mat target = numScales > 1 && s == 0 ? acc : full;
                    toOriginal(plane, sizes[s], target, to);
                    if (numScales > 1 && s > 0) {
                        add(acc, full, acc);
                    }
                }
                FloatBuffer p = (numScales > 1 ? acc : full).createBuffer();
                byte id = (byte) c;
                IntStream.range(0, h).parallel().forEach(row -> {
                    for (int i = row * w, end = i + w; i < end; i++) {
                        float v = numScales == 1 ? p.get(i) : p.get(i) / div;
                        if (v > best[i]) {
                            best[i] = v;
                            labels[i] = id;
                        }
                    }
                });
            }
        }
        return new Prediction(h, w, labels, best);
    }

    /**
     * Writes one class plane of a scale, resized back to the original size (bilinear, OpenCV's half-pixel
     * convention), into {@code target} ({@code CV_32FC1} at the original size, reused across classes).
     */
    private static void toOriginal(float[] plane, int[] size, Mat target, Size to) {
        if (size[0] == to.height() && size[1] == to.width()) {
            ((FloatBuffer) target.createBuffer()).put(0, plane);
            return;
        }
        try (Mat src = new Mat(size[0], size[1], CV_32FC1)) {
            ((FloatBuffer) src.createBuffer()).put(plane);
            resize(src, target, to, 0, 0, INTER_LINEAR);
        }
    }

    /** Rows per strip when a large image is converted to floats and resized across. */
    static final int STRIP_ROWS = 256;

    /**
     * The image as RGB floats (0..255) at {@code height × width}, equal to converting the whole image and resizing it
     * with {@code INTER_LINEAR}, but holding no full-size float copy when the size changes. OpenCV's bilinear resize
     * is separable: a row's horizontal interpolation depends on the widths only, and the vertical step of a resize
     * that keeps the height weighs each row by exactly 1. So strips of rows are converted and resized across (height
     * kept), then the narrow result is resized down its columns (width kept). An exact halving of both sides is
     * OpenCV's area average over 2 × 2 blocks instead; it is done strip by strip with even strip heights.
     */
    static Mat scaledRgb(Mat bgr, int height, int width) {
        int h = bgr.rows();
        int w = bgr.cols();
        if (height == h && width == w) {
            Mat f = new Mat();
            bgr.convertTo(f, CV_32F);
            cvtColor(f, f, COLOR_BGR2RGB);
            return f;
        }
        boolean halving = w == 2 * width && h == 2 * height;
        Mat across = new Mat(halving ? height : h, width, CV_32FC3);
        try {
            for (int r0 = 0; r0 < h; r0 += STRIP_ROWS) {
                int r1 = Math.min(h, r0 + STRIP_ROWS);
                int o0 = halving ? r0 / 2 : r0;
                int o1 = halving ? r1 / 2 : r1;
                try (Mat strip = bgr.rowRange(r0, r1); Mat f = new Mat(); Mat part = new Mat();
                        Mat dst = across.rowRange(o0, o1); Size size = new Size(width, o1 - o0)) {
                    strip.convertTo(f, CV_32F);
                    cvtColor(f, f, COLOR_BGR2RGB);
                    resize(f, part, size, 0, 0, INTER_LINEAR);
                    part.copyTo(dst);
                }
            }
            if (halving || height == h) {
                return across;
            }
            Mat out = new Mat();
            try (Size size = new Size(width, height)) {
                resize(across, out, size, 0, 0, INTER_LINEAR);
            }
            across.close();
            return out;
        } catch (RuntimeException e) {
            across.close();
            throw e;
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
