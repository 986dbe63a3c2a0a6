package org.mseg.datasets.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;
import static org.bytedeco.opencv.global.opencv_imgproc.fillConvexPoly;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Two aligned rasters drawn together: the scene class of every pixel ({@code CV_8UC1}, {@link SceneClass#ordinal()},
 * 255 where nothing is drawn) and its base colour ({@code CV_8UC3}, BGR). Each shape is drawn into both, so the label
 * follows the image exactly. Aliasing is off ({@code LINE_8}) so that no pixel gets a mixed class.
 */
final class Canvas implements AutoCloseable {
    private final int width;
    private final int height;
    private final Mat classes;
    private final Mat colour;

    Canvas(int width, int height) {
        this.width = width;
        this.height = height;
        try (Scalar none = new Scalar(255, 255, 255, 0); Scalar black = new Scalar(0, 0, 0, 0)) {
            this.classes = new Mat(height, width, CV_8UC1, none);
            this.colour = new Mat(height, width, CV_8UC3, black);
        }
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The class raster; owned by the canvas. */
    Mat classes() {
        return classes;
    }

    /** The colour raster; owned by the canvas. */
    Mat colour() {
        return colour;
    }

    /** A filled axis-aligned rectangle with corners (x0, y0) and (x1, y1), both inclusive. */
    void rect(SceneClass c, int[] bgr, int x0, int y0, int x1, int y1) {
        try (Point a = new Point(x0, y0); Point b = new Point(x1, y1); Scalar id = id(c); Scalar col = bgr(bgr)) {
            rectangle(classes, a, b, id, FILLED, LINE_8, 0);
            rectangle(colour, a, b, col, FILLED, LINE_8, 0);
        }
    }

    /** A rectangle in the colour raster only: detail (car windows, frames) inside a region of one class. */
    void detail(int[] bgr, int x0, int y0, int x1, int y1) {
        try (Point a = new Point(x0, y0); Point b = new Point(x1, y1); Scalar col = bgr(bgr)) {
            rectangle(colour, a, b, col, FILLED, LINE_8, 0);
        }
    }

    /** A line in the colour raster only (lane markings, window bars). */
    void detailLine(int[] bgr, int x0, int y0, int x1, int y1, int thickness) {
        try (Point a = new Point(x0, y0); Point b = new Point(x1, y1); Scalar col = bgr(bgr)) {
            line(colour, a, b, col, thickness, LINE_8, 0);
        }
    }

    /** A filled ellipse, optionally rotated by {@code angle} degrees. */
    void ellipseShape(SceneClass c, int[] bgr, int cx, int cy, int ax, int ay, double angle) {
        try (Point centre = new Point(cx, cy); Size axes = new Size(Math.max(1, ax), Math.max(1, ay));
                Scalar id = id(c); Scalar col = bgr(bgr)) {
            ellipse(classes, centre, axes, angle, 0, 360, id, FILLED, LINE_8, 0);
            ellipse(colour, centre, axes, angle, 0, 360, col, FILLED, LINE_8, 0);
        }
    }

    /** A circle; filled when {@code thickness} is negative, else a ring. */
    void circleShape(SceneClass c, int[] bgr, int cx, int cy, int radius, int thickness) {
        try (Point centre = new Point(cx, cy); Scalar id = id(c); Scalar col = bgr(bgr)) {
            circle(classes, centre, Math.max(1, radius), id, thickness, LINE_8, 0);
            circle(colour, centre, Math.max(1, radius), col, thickness, LINE_8, 0);
        }
    }

    /** A line of the given thickness. */
    void lineShape(SceneClass c, int[] bgr, int x0, int y0, int x1, int y1, int thickness) {
        try (Point a = new Point(x0, y0); Point b = new Point(x1, y1); Scalar id = id(c); Scalar col = bgr(bgr)) {
            line(classes, a, b, id, Math.max(1, thickness), LINE_8, 0);
            line(colour, a, b, col, Math.max(1, thickness), LINE_8, 0);
        }
    }

    /** A filled convex polygon given as x0, y0, x1, y1, ... */
    void polygon(SceneClass c, int[] bgr, int... xy) {
        int n = xy.length / 2;
        try (Point pts = new Point(n); Scalar id = id(c); Scalar col = bgr(bgr)) {
            for (int i = 0; i < n; i++) {
                pts.position(i).x(xy[2 * i]).y(xy[2 * i + 1]);
            }
            pts.position(0);
            fillConvexPoly(classes, pts, n, id, LINE_8, 0);
            fillConvexPoly(colour, pts, n, col, LINE_8, 0);
        }
    }

    private static Scalar id(SceneClass c) {
        return new Scalar(c.ordinal(), 0, 0, 0);
    }

    private static Scalar bgr(int[] bgr) {
        return new Scalar(bgr[0], bgr[1], bgr[2], 0);
    }

    @Override
    public void close() {
        classes.close();
        colour.close();
    }
}
