package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.BORDER_ISOLATED;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.CV_16SC2;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.remap;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.transform.Normalize;
import org.mseg.datasets.transform.RandScale;
import org.mseg.datasets.transform.ResizeShort;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;

/**
 * MSeg's train chain ({@link TransformChain#train}) computed into a worker's reusable buffers and written straight
 * into the batch arrays: ResizeShort → RandScale → RandRotate (p 0.5) → RandomGaussianBlur (p 0.5) →
 * RandomHorizontalFlip (p 0.5) → random Crop → Normalize → label lookup. The output is bit-identical to
 * {@code TransformChain.train(params, lookup)}; the loader tests check this crop by crop.
 *
 * <p>Every random draw (scale, rotation and angle, blur, flip, crop offsets) depends on sizes only, so all are made
 * first, in upstream's order, and the image is then only computed where the crop reads it: at 1080p the crop window
 * is on average a fifth of the scaled image. Only the short-side resize and the label's random scale (a byte per
 * pixel) run on the whole image. Each step is made per-pixel identical to its whole-image call:
 * <ul>
 *   <li>Random scale: OpenCV's float bilinear resize is separable, and each output row depends on two source rows
 *       resized horizontally; {@link #scaleRegion} has OpenCV resize just the source rows needed horizontally and
 *       does the vertical blend for the region in Java, with OpenCV's coefficients and float arithmetic.</li>
 *   <li>Rotation: {@code cv::warpAffine} inverts the matrix, turns it into fixed-point source coordinates and weights
 *       per destination pixel (rounding {@code m·x} at the absolute column {@code x}), and hands those tables to
 *       {@code cv::remap}. {@link #affineMaps} builds the same tables for the window's pixels only, and remap runs on
 *       them. A translated matrix into a window-sized destination would not be exact, because of that rounding.</li>
 *   <li>Blur: OpenCV's separable filter computes each row with SIMD except its last few values, which a scalar loop
 *       sums in another order (and without FMA), so they can differ in the last bit. The blurred band therefore starts
 *       at a column that is a multiple of {@value #BAND_ALIGN} and ends either at the image's right edge or
 *       {@value #BAND_TAIL} columns past the window, so that every kept pixel falls on the same side of that split as
 *       in the whole image. Where the band meets the image edge the blur's reflect-101 border is the image's own;
 *       elsewhere the band holds the 2 pixels the blur reads.</li>
 *   <li>Flip: the window is read mirrored while it is copied into the batch.</li>
 * </ul>
 * Padding, normalisation and the label table are applied to the batch crop, with the arithmetic of {@link Normalize}
 * and the table of the label lookup.
 */
final class PooledTrainChain {
    private static final double ROTATE_P = 0.5;
    private static final double BLUR_P = 0.5;
    private static final int BLUR_KERNEL = 5;
    private static final int BLUR_REACH = BLUR_KERNEL / 2;
    private static final double FLIP_P = 0.5;
    /** Column alignment of the blurred band: a multiple of every SIMD width OpenCV uses, in pixels of 3 floats. */
    static final int BAND_ALIGN = 32;
    /** Columns beyond the blur's reach that the band extends past the window, to hold the row's scalar tail. */
    static final int BAND_TAIL = 16;
    /** {@code cv::warpAffine}'s fixed-point constants: AB_BITS, INTER_BITS and INTER_TAB_SIZE. */
    private static final int AB_BITS = 10;
    private static final int AB_SCALE = 1 << AB_BITS;
    private static final int INTER_BITS = 5;
    private static final int INTER_TAB_SIZE = 1 << INTER_BITS;

    private final ResizeShort resizeShort;
    private final RandScale randScale;
    private final double scaleMax;
    private final double rotateMin;
    private final double rotateMax;
    private final int cropH;
    private final int cropW;
    private final int ignoreLabel;
    private final double[] mean = Normalize.imagenetMean();
    private final float[] meanF = new float[3];
    private final float[] stdF = new float[3];

    PooledTrainChain(TransformParams params) {
        this.resizeShort = new ResizeShort(params.shortSize());
        this.randScale = new RandScale(params.scaleMin(), params.scaleMax());
        this.scaleMax = params.scaleMax();
        this.rotateMin = params.rotateMin();
        this.rotateMax = params.rotateMax();
        this.cropH = params.trainH();
        this.cropW = params.trainW();
        this.ignoreLabel = params.ignoreLabel();
        double[] std = Normalize.imagenetStd();
        for (int c = 0; c < 3; c++) {
            meanF[c] = (float) mean[c];
            stdF[c] = (float) std[c];
        }
    }

    /**
     * Transforms a decoded image and label and writes the normalised crop and its converted labels at a batch offset.
     *
     * @param image  the decoded RGB {@code CV_32FC3} image (0..255); left unchanged
     * @param label  its {@code CV_8UC1} label of the same size; left unchanged
     * @param random the sample's generator
     * @param ws     the calling worker's buffers
     * @param images batch images, NHWC; the crop goes to {@code [offset·h·w·3, (offset+1)·h·w·3)}
     * @param labels batch labels; the crop goes to {@code [offset·h·w, (offset+1)·h·w)}
     * @param offset sample index within the batch
     * @param lut    256-entry table from the dataset's 8-bit ids to training ids, of the width of {@code labels};
     *               {@code null} for none (8-bit labels only)
     */
    void apply(Mat image, Mat label, RandomGenerator random, Workspace ws, float[] images, LabelBuffer labels,
            int offset, LabelBuffer lut) {
        int pixels = cropH * cropW;
        if (labels instanceof LabelBuffer.Shorts wide) {
            // 16-bit labels: the crop's 8-bit ids first, then through the 16-bit table.
            byte[] crop = ws.cropLabels(pixels);
            run(image, label, random, ws, images, offset * pixels * 3, crop, 0, null);
            widen(crop, 0, wide.ids(), offset * pixels, pixels, ((LabelBuffer.Shorts) lut).ids());
        } else {
            run(image, label, random, ws, images, offset * pixels * 3, ((LabelBuffer.Bytes) labels).ids(),
                    offset * pixels, lut == null ? null : ((LabelBuffer.Bytes) lut).ids());
        }
    }

    /** The chain, writing the crop at {@code images[imageStart...]} and its labels at {@code labels[labelStart...]}. */
    private void run(Mat image, Mat label, RandomGenerator random, Workspace ws, float[] images, int imageStart,
            byte[] labels, int labelStart, byte[] lut) {
        try (Views views = new Views()) {
            // ResizeShort. OpenCV's resize to the same size is a plain copy, so then the decoded sample serves as is.
            int[] wh = resizeShort.outputSize(image.cols(), image.rows());
            reserveLargest(ws, wh);
            Mat shortImage = image;
            Mat shortLabel = label;
            if (wh[0] != image.cols() || wh[1] != image.rows()) {
                shortImage = views.add(ws.view(Workspace.IMAGE_A, wh[1], wh[0], CV_32FC3));
                shortLabel = views.add(ws.view(Workspace.LABEL_A, wh[1], wh[0], CV_8UC1));
                try (Size size = new Size(wh[0], wh[1])) {
                    resize(image, shortImage, size, 0, 0, INTER_LINEAR);
                    resize(label, shortLabel, size, 0, 0, INTER_NEAREST);
                }
            }
            // RandScale: the label on the whole image; the image only where the crop reads it (scaleRegion, below).
            double s = randScale.scaleFor(random.nextDouble());
            int[] scaled = RandScale.outputSize(wh[0], wh[1], s);
            int w = scaled[0];
            int h = scaled[1];
            Mat scaledImage = views.add(ws.view(Workspace.IMAGE_B, h, w, CV_32FC3));
            Mat scaledLabel = views.add(ws.view(Workspace.LABEL_B, h, w, CV_8UC1));
            try (Size empty = new Size(0, 0)) {
                resize(shortLabel, scaledLabel, empty, s, s, INTER_NEAREST);
            }
            // The remaining draws, in upstream's order; the crop offsets are drawn over the padded size.
            boolean rotate = random.nextDouble() < ROTATE_P;
            double angle = rotate ? rotateMin + (rotateMax - rotateMin) * random.nextDouble() : 0;
            boolean blur = random.nextDouble() < BLUR_P;
            boolean flip = random.nextDouble() < FLIP_P;
            int padH = Math.max(cropH - h, 0);
            int padW = Math.max(cropW - w, 0);
            int hOff = random.nextInt(0, h + padH - cropH + 1);
            int wOff = random.nextInt(0, w + padW - cropW + 1);
            // The window in image coordinates (rows from top, columns from the flipped image's left edge); the part
            // outside the image is padding. Unflipped, its columns are [x0, x1) of the rotated image.
            int top = hOff - padH / 2;
            int flippedLeft = wOff - padW / 2;
            int left = flip ? w - flippedLeft - cropW : flippedLeft;
            int x0 = Math.max(left, 0);
            int x1 = Math.min(left + cropW, w);
            int y0 = Math.max(top, 0);
            int y1 = Math.min(top + cropH, h);

            double[] inverse = rotate ? inverseRotation(w, h, angle) : null;
            Mat pixels = scaledImage;
            int pixelsX = 0;
            int pixelsY = 0;
            try (Scalar meanColour = new Scalar(mean[0], mean[1], mean[2], 0)) {
                if (blur) {
                    int bx0 = Math.max(x0 - BLUR_REACH, 0) / BAND_ALIGN * BAND_ALIGN;
                    int bx1 = Math.min(x1 + BLUR_REACH + BAND_TAIL, w);
                    int by0 = Math.max(y0 - BLUR_REACH, 0);
                    int by1 = Math.min(y1 + BLUR_REACH, h);
                    Mat band;
                    if (rotate) {
                        band = rotated(views, ws, shortImage, s, scaledImage, inverse, bx0, by0, bx1, by1,
                                meanColour);
                    } else {
                        scaleRegion(views, ws, shortImage, s, scaledImage, bx0, by0, bx1, by1);
                        try (Rect r = new Rect(bx0, by0, bx1 - bx0, by1 - by0)) {
                            band = views.add(new Mat(scaledImage, r));
                        }
                    }
                    pixels = views.add(ws.view(Workspace.BLURRED, by1 - by0, bx1 - bx0, CV_32FC3));
                    // Isolated: the band is the whole image to the filter, like the rotated image upstream blurs.
                    try (Size k = new Size(BLUR_KERNEL, BLUR_KERNEL)) {
                        GaussianBlur(band, pixels, k, 0, 0, BORDER_REFLECT_101 | BORDER_ISOLATED);
                    }
                    pixelsX = bx0;
                    pixelsY = by0;
                } else if (rotate) {
                    pixels = rotated(views, ws, shortImage, s, scaledImage, inverse, x0, y0, x1, y1, meanColour);
                    pixelsX = x0;
                    pixelsY = y0;
                } else {
                    scaleRegion(views, ws, shortImage, s, scaledImage, x0, y0, x1, y1);
                }
            }
            Mat ids = scaledLabel;
            int idsX = 0;
            int idsY = 0;
            if (rotate) {
                try (Scalar ignore = new Scalar(ignoreLabel)) {
                    ids = rotatedLabel(views, ws, scaledLabel, inverse, x0, y0, x1, y1, ignore);
                }
                idsX = x0;
                idsY = y0;
            }
            copyWindow(pixels, pixelsX, pixelsY, ids, idsX, idsY, top, Math.max(-flippedLeft, 0), x0, x1, y0, y1, flip,
                    images, imageStart, labels, labelStart, lut);
        }
    }

    /** Sizes the scale buffers for the largest image this sample can become. */
    private void reserveLargest(Workspace ws, int[] resized) {
        int[] largest = RandScale.outputSize(resized[0], resized[1], scaleMax);
        long pixels = (long) (largest[0] + 1) * (largest[1] + 1);
        ws.reserve(Workspace.IMAGE_B, pixels * Workspace.elemSize(CV_32FC3));
        ws.reserve(Workspace.LABEL_B, pixels);
    }

    /**
     * The part {@code [x0, x1) × [y0, y1)} of {@code cv::warpAffine(scaled, dst, M, scaled size, INTER_LINEAR,
     * BORDER_CONSTANT, border)} for the forward matrix whose inverse is given, computed alone; the scaled image is
     * first computed where the remap tables read it.
     *
     * @param source the image before the random scale
     * @param scaled a full-size view of the scaled image's buffer, filled here where needed
     */
    private static Mat rotated(Views views, Workspace ws, Mat source, double s, Mat scaled, double[] inverse, int x0,
            int y0, int x1, int y1, Scalar border) {
        int rows = y1 - y0;
        int cols = x1 - x0;
        int n = rows * cols;
        short[] xy = ws.xy(2 * n);
        short[] alpha = ws.alpha(n);
        affineMaps(inverse, x0, y0, cols, rows, ws.deltas(2 * cols), xy, alpha);
        // Bilinear taps read (sx, sy) to (sx + 1, sy + 1); those inside the image bound what must be scaled.
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = Integer.MIN_VALUE;
        int maxY = Integer.MIN_VALUE;
        for (int k = 0; k < 2 * n; k += 2) {
            minX = Math.min(minX, xy[k]);
            maxX = Math.max(maxX, xy[k]);
            minY = Math.min(minY, xy[k + 1]);
            maxY = Math.max(maxY, xy[k + 1]);
        }
        scaleRegion(views, ws, source, s, scaled, Math.max(minX, 0), Math.max(minY, 0),
                Math.min(maxX + 2, scaled.cols()), Math.min(maxY + 2, scaled.rows()));
        Mat dst = views.add(ws.view(Workspace.BAND, rows, cols, CV_32FC3));
        Mat mapXy = views.add(ws.view(Workspace.MAP_XY, rows, cols, CV_16SC2));
        Mat mapAlpha = views.add(ws.view(Workspace.MAP_ALPHA, rows, cols, CV_16UC1));
        try (ShortPointer p = new ShortPointer(mapXy.data()); ShortPointer q = new ShortPointer(mapAlpha.data())) {
            p.put(xy, 0, 2 * n);
            q.put(alpha, 0, n);
        }
        remap(scaled, dst, mapXy, mapAlpha, INTER_LINEAR, BORDER_CONSTANT, border);
        return dst;
    }

    /** As {@link #rotated}, nearest-neighbour, for the label (scaled whole: a byte per pixel is cheap). */
    private static Mat rotatedLabel(Views views, Workspace ws, Mat scaled, double[] inverse, int x0, int y0, int x1,
            int y1, Scalar border) {
        int rows = y1 - y0;
        int cols = x1 - x0;
        int n = rows * cols;
        short[] xy = ws.xy(2 * n);
        affineMaps(inverse, x0, y0, cols, rows, ws.deltas(2 * cols), xy, null);
        Mat dst = views.add(ws.view(Workspace.BAND_LABEL, rows, cols, CV_8UC1));
        Mat mapXy = views.add(ws.view(Workspace.MAP_XY, rows, cols, CV_16SC2));
        try (ShortPointer p = new ShortPointer(mapXy.data()); Mat none = new Mat()) {
            p.put(xy, 0, 2 * n);
            remap(scaled, dst, mapXy, none, INTER_NEAREST, BORDER_CONSTANT, border);
        }
        return dst;
    }

    /**
     * Computes {@code cv::resize(source, scaled, (0, 0), s, s, INTER_LINEAR)} inside {@code [x0, x1) × [y0, y1)} of
     * {@code scaled} only, identically. OpenCV's float bilinear resize is separable: each output row is
     * {@code H[sy]·β0 + H[sy+1]·β1} in single precision, where {@code H} is a source row resized horizontally and
     * {@code sy}, {@code β} come from the row alone. OpenCV computes {@code H} for the source rows needed (a resize of
     * those full-width rows with {@code fy = 1}: same horizontal tables, and rows passed through as
     * {@code H·1 + H'·0}), and Java the vertical step for the region. Where OpenCV's resize would not take that path
     * (same size: a copy; an integer inverse scale: area averaging), the whole image is resized.
     */
    private static void scaleRegion(Views views, Workspace ws, Mat source, double s, Mat scaled, int x0, int y0,
            int x1, int y1) {
        int srcW = source.cols();
        int srcH = source.rows();
        int w = scaled.cols();
        double inverseScale = 1.0 / s;
        double rounded = Math.rint(inverseScale);
        if (w == srcW && scaled.rows() == srcH || Math.abs(inverseScale - rounded) < Math.ulp(1.0)) {
            try (Size empty = new Size(0, 0)) {
                resize(source, scaled, empty, s, s, INTER_LINEAR);
            }
            return;
        }
        if (x0 >= x1 || y0 >= y1) {
            return;
        }
        int firstRow = clamp(sourceRow(y0, inverseScale), srcH);
        int lastRow = clamp(sourceRow(y1 - 1, inverseScale) + 1, srcH);
        Mat rows = views.add(ws.view(Workspace.SCALED_ROWS, lastRow - firstRow + 1, w, CV_32FC3));
        try (Mat sourceRows = source.rowRange(firstRow, lastRow + 1); Size empty = new Size(0, 0)) {
            resize(sourceRows, rows, empty, s, 1, INTER_LINEAR);
        }
        int length = (x1 - x0) * 3;
        float[] upper = ws.floats(0, length);
        float[] lower = ws.floats(1, length);
        float[] out = ws.floats(2, length);
        FloatBuffer h = rows.createBuffer();
        FloatBuffer dst = scaled.createBuffer();
        for (int y = y0; y < y1; y++) {
            // cv::resize's vertical coefficients, in its float arithmetic
            float fy = (float) ((y + 0.5) * inverseScale - 0.5);
            int sy = (int) Math.floor(fy);
            fy -= sy;
            float b0 = 1.f - fy;
            float b1 = fy;
            h.get(((clamp(sy, srcH) - firstRow) * w + x0) * 3, upper, 0, length);
            h.get(((clamp(sy + 1, srcH) - firstRow) * w + x0) * 3, lower, 0, length);
            for (int k = 0; k < length; k++) {
                out[k] = upper[k] * b0 + lower[k] * b1;
            }
            dst.put((y * w + x0) * 3, out, 0, length);
        }
    }

    /** The first of the two source rows {@code cv::resize} blends into output row {@code y} (before clamping). */
    private static int sourceRow(int y, double inverseScale) {
        return (int) Math.floor((float) ((y + 0.5) * inverseScale - 0.5));
    }

    private static int clamp(int row, int rows) {
        return Math.max(0, Math.min(row, rows - 1));
    }

    /**
     * The inverse of {@code getRotationMatrix2D((w/2, h/2), angle, 1)}, computed operation for operation as
     * {@code cv::warpAffine} inverts its matrix.
     */
    static double[] inverseRotation(int w, int h, double angle) {
        double[] m = new double[6];
        try (Point2f center = new Point2f(w / 2.0f, h / 2.0f);
                Mat matrix = getRotationMatrix2D(center, angle, 1.0);
                DoublePointer p = new DoublePointer(matrix.data())) {
            p.get(m);
        }
        double d = m[0] * m[4] - m[1] * m[3];
        d = d != 0 ? 1.0 / d : 0;
        double a11 = m[4] * d;
        double a22 = m[0] * d;
        m[0] = a11;
        m[1] *= -d;
        m[3] *= -d;
        m[4] = a22;
        double b1 = -m[0] * m[2] - m[1] * m[5];
        double b2 = -m[3] * m[2] - m[4] * m[5];
        m[2] = b1;
        m[5] = b2;
        return m;
    }

    /**
     * The remap tables {@code cv::warpAffine} builds for destination pixels {@code [x0, x0+cols) × [y0, y0+rows)}:
     * source coordinates (interleaved x, y) and, for bilinear ({@code alpha} not null), the 5-bit fractional weights'
     * table index; for nearest ({@code alpha} null), rounded coordinates. Same integer and double arithmetic as
     * OpenCV's {@code WarpAffineInvoker} and {@code hal::warpAffineBlockline[NN]}.
     *
     * @param inverse the inverted 2×3 matrix (destination → source)
     * @param deltas  scratch of at least {@code 2·cols} ints
     */
    static void affineMaps(double[] inverse, int x0, int y0, int cols, int rows, int[] deltas, short[] xy,
            short[] alpha) {
        boolean nearest = alpha == null;
        int roundDelta = nearest ? AB_SCALE / 2 : AB_SCALE / INTER_TAB_SIZE / 2;
        int shift = nearest ? AB_BITS : AB_BITS - INTER_BITS;
        for (int i = 0; i < cols; i++) {
            int x = x0 + i;
            deltas[i] = cvRound(inverse[0] * x * AB_SCALE);
            deltas[cols + i] = cvRound(inverse[3] * x * AB_SCALE);
        }
        int k = 0;
        for (int r = 0; r < rows; r++) {
            int y = y0 + r;
            int rowX = cvRound((inverse[1] * y + inverse[2]) * AB_SCALE) + roundDelta;
            int rowY = cvRound((inverse[4] * y + inverse[5]) * AB_SCALE) + roundDelta;
            for (int i = 0; i < cols; i++, k++) {
                int sx = (rowX + deltas[i]) >> shift;
                int sy = (rowY + deltas[cols + i]) >> shift;
                if (nearest) {
                    xy[2 * k] = saturateShort(sx);
                    xy[2 * k + 1] = saturateShort(sy);
                } else {
                    xy[2 * k] = saturateShort(sx >> INTER_BITS);
                    xy[2 * k + 1] = saturateShort(sy >> INTER_BITS);
                    alpha[k] = (short) ((sy & (INTER_TAB_SIZE - 1)) * INTER_TAB_SIZE + (sx & (INTER_TAB_SIZE - 1)));
                }
            }
        }
    }

    /** OpenCV's {@code saturate_cast<int>(double)}: round half to even, clamped to the int range. */
    private static int cvRound(double v) {
        return (int) Math.rint(v);
    }

    private static short saturateShort(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }

    /**
     * Writes the crop into the batch: the window's rows {@code top..top+cropH} of the image, of which
     * {@code [y0, y1) × [x0, x1)} are image pixels and go to crop columns from {@code c0} on (mirrored when flipped);
     * the rest is padding. Then normalises the crop and maps its labels.
     *
     * @param pixels the final image values, whose pixel (0, 0) is image pixel (pixelsX, pixelsY)
     * @param ids    the final labels, whose pixel (0, 0) is image pixel (idsX, idsY)
     */
    private void copyWindow(Mat pixels, int pixelsX, int pixelsY, Mat ids, int idsX, int idsY, int top, int c0, int x0,
            int x1, int y0, int y1, boolean flip, float[] images, int imageStart, byte[] labels, int labelStart,
            byte[] lut) {
        if (!pixels.isContinuous() || !ids.isContinuous()) {
            throw new IllegalStateException("workspace views are continuous");
        }
        int width = x1 - x0;
        int pixelsCols = pixels.cols();
        int idsCols = ids.cols();
        FloatBuffer src = pixels.createBuffer();
        ByteBuffer srcLabels = ids.createBuffer();
        for (int r = 0; r < cropH; r++) {
            int y = top + r;
            int rowStart = imageStart + r * cropW * 3;
            int labelRow = labelStart + r * cropW;
            if (y < y0 || y >= y1) {
                fillPadding(images, labels, rowStart, labelRow, 0, cropW);
                continue;
            }
            fillPadding(images, labels, rowStart, labelRow, 0, c0);
            fillPadding(images, labels, rowStart, labelRow, c0 + width, cropW);
            src.get(((y - pixelsY) * pixelsCols + x0 - pixelsX) * 3, images, rowStart + c0 * 3, width * 3);
            srcLabels.get((y - idsY) * idsCols + x0 - idsX, labels, labelRow + c0, width);
            if (flip) {
                mirror(images, labels, rowStart + c0 * 3, labelRow + c0, width);
            }
        }
        normalise(images, imageStart, cropH * cropW * 3, meanF, stdF);
        lookUp(labels, labelStart, cropH * cropW, lut);
    }

    private void fillPadding(float[] images, byte[] labels, int rowStart, int labelRow, int from, int to) {
        for (int c = from; c < to; c++) {
            int k = rowStart + c * 3;
            images[k] = (float) mean[0];
            images[k + 1] = (float) mean[1];
            images[k + 2] = (float) mean[2];
        }
        if (to > from) {
            Arrays.fill(labels, labelRow + from, labelRow + to, (byte) ignoreLabel);
        }
    }

    /** Reverses the order of {@code n} pixels (3 floats each) and their labels in place. */
    private static void mirror(float[] images, byte[] labels, int imageAt, int labelAt, int n) {
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            int a = imageAt + 3 * i;
            int b = imageAt + 3 * j;
            for (int ch = 0; ch < 3; ch++) {
                float t = images[a + ch];
                images[a + ch] = images[b + ch];
                images[b + ch] = t;
            }
            byte t = labels[labelAt + i];
            labels[labelAt + i] = labels[labelAt + j];
            labels[labelAt + j] = t;
        }
    }

    /** {@link Normalize}'s arithmetic, in place: {@code (x - mean[c]) / std[c]} in single precision. */
    static void normalise(float[] dst, int start, int length, float[] mean, float[] std) {
        float m0 = mean[0];
        float m1 = mean[1];
        float m2 = mean[2];
        float s0 = std[0];
        float s1 = std[1];
        float s2 = std[2];
        for (int k = start, end = start + length; k < end; k += 3) {
            dst[k] = (dst[k] - m0) / s0;
            dst[k + 1] = (dst[k + 1] - m1) / s1;
            dst[k + 2] = (dst[k + 2] - m2) / s2;
        }
    }

    /** The label lookup's table applied in place; nothing when {@code lut} is null. */
    static void lookUp(byte[] dst, int start, int length, byte[] lut) {
        if (lut == null) {
            return;
        }
        for (int k = start, end = start + length; k < end; k++) {
            dst[k] = lut[dst[k] & 0xff];
        }
    }

    /** Converts 8-bit labels to 16-bit training ids through a 256-entry table. */
    static void widen(byte[] src, int srcStart, short[] dst, int dstStart, int length, short[] wideLut) {
        for (int k = 0; k < length; k++) {
            dst[dstStart + k] = wideLut[src[srcStart + k] & 0xff];
        }
    }

    /** Mat headers made for one sample, closed together (the workspace owns their storage). */
    private static final class Views implements AutoCloseable {
        private final List<Mat> mats = new ArrayList<>(8);

        Mat add(Mat mat) {
            mats.add(mat);
            return mat;
        }

        @Override
        public void close() {
            for (Mat m : mats) {
                m.close();
            }
        }
    }
}
