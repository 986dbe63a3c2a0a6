package org.mseg.engine;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.transform.Normalize;
import org.mseg.datasets.viz.Palette;
import org.mseg.datasets.viz.Panels;

/** Image | ground truth | prediction pictures of validation crops, for TensorBoard. */
final class ValidationPictures {
    /** Validation images per dataset that get a picture. */
    static final int PER_DATASET = 3;
    /** Small crops are enlarged (nearest) to at least this height so that they can be read. */
    static final int MIN_HEIGHT = 256;

    private static final Palette PALETTE = Palette.standard();

    private ValidationPictures() {
    }

    /** A picture as RGB bytes with its size. */
    record Picture(int height, int width, byte[] rgb) {
    }

    /**
     * Draws the first image of a batch.
     *
     * @param images     normalised NHWC float images (the first {@code h · w · 3} values are used)
     * @param target     labels (8- or 16-bit ids; the first {@code h · w} are used)
     * @param prediction predictions of the same width
     */
    static Picture draw(float[] images, int h, int w, LabelBuffer target, LabelBuffer prediction) {
        double[] mean = Normalize.imagenetMean();
        double[] std = Normalize.imagenetStd();
        try (Mat rgbF = new Mat(h, w, CV_32FC3); Mat rgb8 = new Mat(); Mat bgr = new Mat();
                Mat gt = labels(h, w, target); Mat pred = labels(h, w, prediction);
                Mat gtColour = PALETTE.colorize(gt); Mat predColour = PALETTE.colorize(pred)) {
            FloatBuffer fb = rgbF.createBuffer();
            for (int i = 0; i < h * w * 3; i++) {
                int c = i % 3;
                fb.put(i, (float) (images[i] * std[c] + mean[c]));
            }
            rgbF.convertTo(rgb8, CV_8U);
            cvtColor(rgb8, bgr, COLOR_RGB2BGR);
            int height = Math.max(h, MIN_HEIGHT);
            try (Mat a = Panels.resizeToHeight(bgr, height, true);
                    Mat b = Panels.resizeToHeight(gtColour, height, true);
                    Mat c = Panels.resizeToHeight(predColour, height, true);
                    Mat panel = Panels.sideBySide(List.of(a, b, c), List.of("image", "ground truth", "prediction"));
                    Mat rgb = new Mat()) {
                cvtColor(panel, rgb, COLOR_BGR2RGB);
                Mat cont = rgb.isContinuous() ? rgb : rgb.clone();
                try {
                    byte[] out = new byte[cont.rows() * cont.cols() * 3];
                    ((ByteBuffer) cont.createBuffer()).get(out);
                    return new Picture(cont.rows(), cont.cols(), out);
                } finally {
                    if (cont != rgb) {
                        cont.close();
                    }
                }
            }
        }
    }

    private static Mat labels(int h, int w, LabelBuffer labels) {
        if (labels instanceof LabelBuffer.Shorts wide) {
            Mat m = new Mat(h, w, CV_16UC1);
            ((ShortBuffer) m.createBuffer()).put(wide.ids(), 0, h * w);
            return m;
        }
        Mat m = new Mat(h, w, CV_8UC1);
        ((ByteBuffer) m.createBuffer()).put(((LabelBuffer.Bytes) labels).ids(), 0, h * w);
        return m;
    }
}
