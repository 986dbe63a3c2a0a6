package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.transform.Normalize;
import org.mseg.datasets.transform.RandScale;
import org.mseg.datasets.transform.ResizeShort;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;

/**
 * MSeg's train chain ({@link TransformChain#train}) computed into a worker's reusable buffers and written straight
 * into the batch arrays: ResizeShort → RandScale → RandRotate (p 0.5) → RandomGaussianBlur (p 0.5) →
 * RandomHorizontalFlip (p 0.5) → random Crop → Normalize → label lookup.
 *
 * <p>Same OpenCV calls with the same arguments, same random draws in the same order, same float arithmetic for the
 * normalisation and the same table for the labels as the transform classes, so the output is bit-identical to
 * {@code TransformChain.train(params, lookup)} (the loader tests check this crop by crop); only the destinations
 * differ: every step writes into a {@link Workspace} buffer instead of a fresh Mat, and the crop is a window copied
 * into the batch rather than a cloned Mat.
 */
final class FullFrameTrainChain {
    private static final double ROTATE_P = 0.5;
    private static final double BLUR_P = 0.5;
    private static final int BLUR_KERNEL = 5;
    private static final double FLIP_P = 0.5;

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

    FullFrameTrainChain(TransformParams params) {
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
     * @param image       the decoded RGB {@code CV_32FC3} image (0..255); left unchanged
     * @param label       its {@code CV_8UC1} label of the same size; left unchanged
     * @param random      the sample's generator
     * @param ws          the calling worker's buffers
     * @param images      batch images, NHWC; the crop goes to {@code [offset·h·w·3, (offset+1)·h·w·3)}
     * @param labels      batch labels; the crop goes to {@code [offset·h·w, (offset+1)·h·w)}
     * @param offset      sample index within the batch
     * @param lut         256-entry label table, or {@code null} for none
     */
    void apply(Mat image, Mat label, RandomGenerator random, Workspace ws, float[] images, byte[] labels, int offset,
            byte[] lut) {
        Step step = new Step(ws, image, label);
        try {
            // ResizeShort
            int[] wh = resizeShort.outputSize(step.width(), step.height());
            reserveLargest(ws, wh);
            try (Size size = new Size(wh[0], wh[1])) {
                step.image(wh[1], wh[0], (src, dst) -> resize(src, dst, size, 0, 0, INTER_LINEAR));
                step.label(wh[1], wh[0], (src, dst) -> resize(src, dst, size, 0, 0, INTER_NEAREST));
            }
            // RandScale
            double s = randScale.scaleFor(random.nextDouble());
            int[] scaled = RandScale.outputSize(step.width(), step.height(), s);
            try (Size empty = new Size(0, 0)) {
                step.image(scaled[1], scaled[0], (src, dst) -> resize(src, dst, empty, s, s, INTER_LINEAR));
                step.label(scaled[1], scaled[0], (src, dst) -> resize(src, dst, empty, s, s, INTER_NEAREST));
            }
            // RandRotate
            if (random.nextDouble() < ROTATE_P) {
                double angle = rotateMin + (rotateMax - rotateMin) * random.nextDouble();
                int h = step.height();
                int w = step.width();
                try (Point2f center = new Point2f(w / 2.0f, h / 2.0f);
                        Mat matrix = getRotationMatrix2D(center, angle, 1.0);
                        Size size = new Size(w, h);
                        Scalar meanColour = new Scalar(mean[0], mean[1], mean[2], 0);
                        Scalar ignore = new Scalar(ignoreLabel)) {
                    step.image(h, w, (src, dst) -> warpAffine(src, dst, matrix, size, INTER_LINEAR, BORDER_CONSTANT,
                            meanColour));
                    step.label(h, w, (src, dst) -> warpAffine(src, dst, matrix, size, INTER_NEAREST, BORDER_CONSTANT,
                            ignore));
                }
            }
            // RandomGaussianBlur
            if (random.nextDouble() < BLUR_P) {
                try (Size k = new Size(BLUR_KERNEL, BLUR_KERNEL)) {
                    step.image(step.height(), step.width(), (src, dst) -> GaussianBlur(src, dst, k, 0));
                }
            }
            // RandomHorizontalFlip
            if (random.nextDouble() < FLIP_P) {
                step.image(step.height(), step.width(), (src, dst) -> flip(src, dst, 1));
                step.label(step.height(), step.width(), (src, dst) -> flip(src, dst, 1));
            }
            // Crop: pad to at least the crop size (odd pixel to the bottom/right), then a random window.
            int padH = Math.max(cropH - step.height(), 0);
            int padW = Math.max(cropW - step.width(), 0);
            if (padH > 0 || padW > 0) {
                int top = padH / 2;
                int left = padW / 2;
                int h = step.height() + padH;
                int w = step.width() + padW;
                try (Scalar meanColour = new Scalar(mean[0], mean[1], mean[2], 0);
                        Scalar ignore = new Scalar(ignoreLabel)) {
                    step.image(h, w, (src, dst) -> copyMakeBorder(src, dst, top, padH - top, left, padW - left,
                            BORDER_CONSTANT, meanColour));
                    step.label(h, w, (src, dst) -> copyMakeBorder(src, dst, top, padH - top, left, padW - left,
                            BORDER_CONSTANT, ignore));
                }
            }
            int hOff = random.nextInt(0, step.height() - cropH + 1);
            int wOff = random.nextInt(0, step.width() - cropW + 1);
            copyWindow(step, hOff, wOff, images, labels, offset, lut);
        } finally {
            step.close();
        }
    }

    /** Sizes the buffers for the largest image this sample can become (largest scale, then padding). */
    private void reserveLargest(Workspace ws, int[] resized) {
        int[] largest = RandScale.outputSize(resized[0], resized[1], scaleMax);
        long pixels = (long) Math.max(largest[0] + 1, cropW) * Math.max(largest[1] + 1, cropH);
        ws.reserve(Workspace.IMAGE_A, pixels * Workspace.elemSize(CV_32FC3));
        ws.reserve(Workspace.IMAGE_B, pixels * Workspace.elemSize(CV_32FC3));
        ws.reserve(Workspace.LABEL_A, pixels);
        ws.reserve(Workspace.LABEL_B, pixels);
    }

    private void copyWindow(Step step, int hOff, int wOff, float[] images, byte[] labels, int offset, byte[] lut) {
        Mat image = step.image;
        Mat label = step.label;
        if (!image.isContinuous() || !label.isContinuous()) {
            throw new IllegalStateException("workspace views are continuous");
        }
        int w = step.width();
        int rowFloats = cropW * 3;
        int imageStart = offset * cropH * cropW * 3;
        int labelStart = offset * cropH * cropW;
        FloatBuffer src = image.createBuffer();
        ByteBuffer srcLabels = label.createBuffer();
        for (int r = 0; r < cropH; r++) {
            src.get(((hOff + r) * w + wOff) * 3, images, imageStart + r * rowFloats, rowFloats);
            srcLabels.get((hOff + r) * w + wOff, labels, labelStart + r * cropW, cropW);
        }
        normalise(images, imageStart, cropH * cropW * 3, meanF, stdF);
        lookUp(labels, labelStart, cropH * cropW, lut);
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

    /** An OpenCV call from a source to a destination Mat. */
    private interface Op {
        void run(Mat src, Mat dst);
    }

    /**
     * The current image and label of a sample travelling through the buffers: each step writes into the buffer the
     * current one does not use, then becomes current. The first source is the decoded image and label.
     */
    private static final class Step implements AutoCloseable {
        private final Workspace ws;
        private Mat image;
        private Mat label;
        private int imageBuffer = -1;
        private int labelBuffer = -1;

        Step(Workspace ws, Mat image, Mat label) {
            this.ws = ws;
            this.image = image;
            this.label = label;
        }

        int height() {
            return image.rows();
        }

        int width() {
            return image.cols();
        }

        void image(int rows, int cols, Op op) {
            int target = imageBuffer == Workspace.IMAGE_A ? Workspace.IMAGE_B : Workspace.IMAGE_A;
            Mat dst = ws.view(target, rows, cols, CV_32FC3);
            try {
                op.run(image, dst);
            } catch (RuntimeException e) {
                dst.close();
                throw e;
            }
            release(image, imageBuffer);
            image = dst;
            imageBuffer = target;
        }

        void label(int rows, int cols, Op op) {
            int target = labelBuffer == Workspace.LABEL_A ? Workspace.LABEL_B : Workspace.LABEL_A;
            Mat dst = ws.view(target, rows, cols, CV_8UC1);
            try {
                op.run(label, dst);
            } catch (RuntimeException e) {
                dst.close();
                throw e;
            }
            release(label, labelBuffer);
            label = dst;
            labelBuffer = target;
        }

        /** Closes a view header (never the decoded Mats, which the workspace owns). */
        private static void release(Mat mat, int buffer) {
            if (buffer >= 0) {
                mat.close();
            }
        }

        @Override
        public void close() {
            release(image, imageBuffer);
            release(label, labelBuffer);
        }
    }
}
