package org.mseg.datasets.internal;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Text and boxes drawn with OpenCV the same way in every picture this module makes (confusion heatmaps, legends,
 * overlays, panels): one Hershey font, anti-aliased text, BGR colours given as {r, g, b} ints.
 */
public final class Drawing {
    /** The font of every picture. */
    public static final int FONT = FONT_HERSHEY_SIMPLEX;

    private Drawing() {
    }

    /** Measured text: width and height above the baseline, and the descent below it, in pixels. */
    public record TextSize(int width, int height, int baseline) {
    }

    /** The size of {@code text} drawn at {@code scale} with strokes {@code thickness} pixels wide. */
    public static TextSize textSize(String text, double scale, int thickness) {
        try (IntPointer baseline = new IntPointer(1);
                Size size = getTextSize(text, FONT, scale, thickness, baseline)) {
            return new TextSize(size.width(), size.height(), baseline.get());
        }
    }

    /** Width in pixels of {@code text} drawn at {@code scale} with 1-pixel strokes. */
    public static int textWidth(String text, double scale) {
        return textSize(text, scale, 1).width();
    }

    /** Writes {@code text} with its baseline starting at (x, y). */
    public static void text(Mat canvas, String text, int x, int y, double scale, int[] rgb, int thickness) {
        try (Point at = new Point(x, y); Scalar colour = bgr(rgb)) {
            putText(canvas, text, at, FONT, scale, colour, thickness, LINE_AA, false);
        }
    }

    /**
     * Writes {@code text} in {@code rgb} over a wider stroke of {@code outlineRgb}, so it reads on any background.
     */
    public static void outlinedText(Mat canvas, String text, int x, int y, double scale, int[] rgb, int[] outlineRgb,
            int thickness, int outline) {
        text(canvas, text, x, y, scale, outlineRgb, thickness + 2 * outline);
        text(canvas, text, x, y, scale, rgb, thickness);
    }

    /** Fills the rectangle at (x, y) of the given size. */
    public static void fillRect(Mat canvas, int x, int y, int width, int height, int[] rgb) {
        try (Rect box = new Rect(x, y, width, height); Scalar colour = bgr(rgb)) {
            rectangle(canvas, box, colour, FILLED, LINE_8, 0);
        }
    }

    /** Outlines the rectangle at (x, y) of the given size with a 1-pixel line inside it. */
    public static void strokeRect(Mat canvas, int x, int y, int width, int height, int[] rgb) {
        try (Rect box = new Rect(x, y, width, height); Scalar colour = bgr(rgb)) {
            rectangle(canvas, box, colour, 1, LINE_8, 0);
        }
    }

    /** An OpenCV colour (BGR order) for {r, g, b}; the caller closes it. */
    public static Scalar bgr(int[] rgb) {
        return new Scalar(rgb[2], rgb[1], rgb[0], 0);
    }
}
