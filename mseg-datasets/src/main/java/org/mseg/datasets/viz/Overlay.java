package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CMP_EQ;
import static org.bytedeco.opencv.global.opencv_core.CMP_GE;
import static org.bytedeco.opencv.global.opencv_core.CMP_GT;
import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_core.bitwise_and;
import static org.bytedeco.opencv.global.opencv_core.bitwise_not;
import static org.bytedeco.opencv.global.opencv_core.compare;
import static org.bytedeco.opencv.global.opencv_core.minMaxLoc;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_HEIGHT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_LEFT;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_TOP;
import static org.bytedeco.opencv.global.opencv_imgproc.CC_STAT_WIDTH;
import static org.bytedeco.opencv.global.opencv_imgproc.DIST_L2;
import static org.bytedeco.opencv.global.opencv_imgproc.DIST_MASK_PRECISE;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_CROSS;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_RECT;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;
import static org.bytedeco.opencv.global.opencv_imgproc.dilate;
import static org.bytedeco.opencv.global.opencv_imgproc.distanceTransform;
import static org.bytedeco.opencv.global.opencv_imgproc.erode;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.moments;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Moments;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.internal.Drawing;

/**
 * An image with its segmentation laid over it, as {@code infer}'s overlay and MSeg's demo (MSEG.md g.7): every
 * labelled pixel blended with its class colour, class boundaries drawn as thin lines in a darker shade of the class
 * colour, and each class name written inside each region large enough to hold it.
 *
 * <p>A region is a connected component (8-connected) of one class covering at least {@value #MIN_REGION_SHARE} of
 * the image. Its name goes at the region's most interior point, the pixel farthest from any other class and from the
 * image border (the maximum of OpenCV's distance transform within the region), so even a ring- or L-shaped region gets
 * its name inside it, which its centroid would not. Names are white with a dark outline, sized to the image.
 */
public final class Overlay {
    /** Smallest region, as a fraction of the image's pixels, that gets its name written. */
    public static final double MIN_REGION_SHARE = 0.005;

    private static final int[] TEXT = {255, 255, 255};
    private static final int[] TEXT_OUTLINE = {20, 20, 20};
    /** Boundaries are the class colour times this. */
    private static final double BOUNDARY_SHADE = 0.5;

    private Overlay() {
    }

    /**
     * Draws {@code label} over {@code bgrImage}. A labelled pixel becomes {@code (1 - alpha)·image + alpha·colour}
     * (rounded), where colour is its class's {@code palette} colour; ignore pixels (255 in {@code CV_8UC1}, 65535 in
     * {@code CV_16UC1}) keep the image's pixel. Then boundaries and names are drawn on top; an id without a name in
     * {@code classNames} is written as its number.
     *
     * @param bgrImage   BGR {@code CV_8UC3} image; it is not modified
     * @param label      {@code CV_8UC1} or {@code CV_16UC1} label map of the image's size
     * @param classNames class names by id
     * @param palette    class colours
     * @param alpha      weight of the class colour, 0..1 (0.5 is usual)
     * @return a new BGR {@code CV_8UC3} image of the image's size, owned by the caller, who closes it
     * @throws IllegalArgumentException if the image is not {@code CV_8UC3}, the label is not a label map, their sizes
     *                                  differ, or {@code alpha} is outside 0..1
     */
    public static Mat draw(Mat bgrImage, Mat label, List<String> classNames, Palette palette, double alpha) {
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(palette, "palette");
        if (bgrImage == null || bgrImage.empty() || bgrImage.type() != CV_8UC3) {
            throw new IllegalArgumentException("the image must be a non-empty BGR CV_8UC3 image, got "
                    + (bgrImage == null || bgrImage.empty() ? "an empty one" : LabelMaps.typeName(bgrImage.type())));
        }
        int ignore = LabelMaps.ignoreId(label);
        if (label.rows() != bgrImage.rows() || label.cols() != bgrImage.cols()) {
            throw new IllegalArgumentException("the label map is " + label.cols() + "x" + label.rows()
                    + " but the image is " + bgrImage.cols() + "x" + bgrImage.rows() + "; resize the label (nearest"
                    + " neighbour) to the image first");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be within 0..1, got " + alpha);
        }
        Mat out = new Mat();
        try (Mat colour = palette.colorize(label); Mat ignored = new Mat(); Mat labelled = new Mat()) {
            addWeighted(bgrImage, 1 - alpha, colour, alpha, 0, out);
            LabelMaps.equalMask(label, ignore, ignored);
            bitwise_not(ignored, labelled);
            bgrImage.copyTo(out, ignored);
            drawBoundaries(out, label, colour, labelled);
            drawNames(out, label, ignore, classNames);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * Marks a pixel as boundary when a 4-neighbour has a larger id. Lines are thus one pixel wide (thickened on images
     * of 1200 pixels or more a side), on the side of the smaller id, and never on ignore pixels (ignore is the
     * largest value).
     */
    private static void drawBoundaries(Mat out, Mat label, Mat colour, Mat labelled) {
        int rows = label.rows();
        int cols = label.cols();
        int width = Math.max(1, (int) Math.round(Math.min(rows, cols) / 800.0));
        try (Size three = new Size(3, 3); Mat cross = getStructuringElement(MORPH_CROSS, three);
                Mat neighbourMax = new Mat(); Mat boundary = new Mat(); Mat shade = new Mat()) {
            dilate(label, neighbourMax, cross);
            compare(neighbourMax, label, boundary, CMP_GT);
            if (width > 1) {
                try (Size w = new Size(width, width); Mat square = getStructuringElement(MORPH_RECT, w)) {
                    dilate(boundary, boundary, square);
                }
                bitwise_and(boundary, labelled, boundary);
            }
            colour.convertTo(shade, -1, BOUNDARY_SHADE, 0);
            shade.copyTo(out, boundary);
        }
    }

    /** Where a name goes: the region's most interior pixel (x, y), and the region's class and size. */
    record Placement(int classId, String text, int x, int y, int area) {
    }

    private static void drawNames(Mat out, Mat label, int ignore, List<String> classNames) {
        int rows = label.rows();
        int cols = label.cols();
        double scale = Math.max(0.35, Math.min(2.5, Math.sqrt((double) rows * cols) / 1600));
        int thickness = Math.max(1, (int) Math.round(scale * 1.5));
        int outline = Math.max(1, (int) Math.round(scale));
        for (Placement p : placements(label, ignore, classNames)) {
            Drawing.TextSize size = Drawing.textSize(p.text(), scale, thickness);
            int x = p.x() - size.width() / 2;
            int y = p.y() + size.height() / 2;
            // Keep the whole name on the image; near an edge it shifts off the exact interior point.
            x = Math.max(outline, Math.min(x, cols - size.width() - outline));
            y = Math.max(size.height() + outline, Math.min(y, rows - size.baseline() - outline));
            Drawing.outlinedText(out, p.text(), x, y, scale, TEXT, TEXT_OUTLINE, thickness, outline);
        }
    }

    /** The named regions of a label map, smallest first (so that larger regions' names are drawn on top). */
    static List<Placement> placements(Mat label, int ignore, List<String> classNames) {
        long minArea = Math.max(1, Math.round(MIN_REGION_SHARE * label.rows() * label.cols()));
        List<Placement> placements = new ArrayList<>();
        try (Mat distance = interiorDistance(label); Mat mask = new Mat(); Mat components = new Mat();
                Mat stats = new Mat(); Mat centroids = new Mat(); Mat inComponent = new Mat()) {
            long[] counts = LabelMaps.histogram(label);
            for (int id : LabelMaps.presentByCount(counts, ignore)) {
                if (counts[id] < minArea) {
                    break; // sorted by count: no later class has a region this large
                }
                LabelMaps.equalMask(label, id, mask);
                int n = connectedComponentsWithStats(mask, components, stats, centroids, 8, CV_32S);
                try (IntIndexer s = stats.createIndexer()) {
                    for (int k = 1; k < n; k++) {
                        int area = s.get(k, CC_STAT_AREA);
                        if (area < minArea) {
                            continue;
                        }
                        try (Rect box = new Rect(s.get(k, CC_STAT_LEFT), s.get(k, CC_STAT_TOP),
                                s.get(k, CC_STAT_WIDTH), s.get(k, CC_STAT_HEIGHT));
                                Mat componentBox = new Mat(components, box);
                                Mat distanceBox = new Mat(distance, box);
                                Point best = new Point()) {
                            LabelMaps.equalMask(componentBox, k, inComponent);
                            double[] max = new double[1];
                            minMaxLoc(distanceBox, null, max, null, best, inComponent);
                            int[] at = middleOfRidge(distanceBox, inComponent, max[0], best.x(), best.y());
                            placements.add(new Placement(id, name(id, classNames), box.x() + at[0],
                                    box.y() + at[1], area));
                        }
                    }
                }
            }
        }
        placements.sort(Comparator.comparingInt(Placement::area));
        return placements;
    }

    /**
     * The most interior point of a component. A long region has a ridge of equally interior pixels, and OpenCV
     * returns the first of them in scan order (its top end); the middle of the ridge reads better, so it is taken
     * when it lies on the ridge (it does not for a ring, whose ridge circles the hole).
     */
    private static int[] middleOfRidge(Mat distance, Mat inComponent, double max, int x, int y) {
        try (Scalar level = new Scalar(max - 1); Mat threshold = new Mat(1, 1, distance.type(), level);
                Mat ridge = new Mat()) {
            compare(distance, threshold, ridge, CMP_GE);
            bitwise_and(ridge, inComponent, ridge);
            try (Moments m = moments(ridge, true)) {
                if (m.m00() > 0) {
                    int cx = (int) Math.round(m.m10() / m.m00());
                    int cy = (int) Math.round(m.m01() / m.m00());
                    if (cy >= 0 && cy < ridge.rows() && cx >= 0 && cx < ridge.cols() && ridge.ptr(cy, cx).get() != 0) {
                        return new int[] {cx, cy};
                    }
                }
            }
            return new int[] {x, y};
        }
    }

    /**
     * For every pixel, the distance to the nearest pixel whose 3x3 neighbourhood holds another id, or to the image
     * border ({@code CV_32F}).
     */
    private static Mat interiorDistance(Mat label) {
        try (Size three = new Size(3, 3); Mat square = getStructuringElement(MORPH_RECT, three);
                Mat low = new Mat(); Mat high = new Mat(); Mat interior = new Mat();
                Scalar black = new Scalar(0); Point topLeft = new Point(0, 0);
                Point bottomRight = new Point(label.cols() - 1, label.rows() - 1)) {
            erode(label, low, square);
            dilate(label, high, square);
            compare(low, high, interior, CMP_EQ);
            rectangle(interior, topLeft, bottomRight, black, 1, LINE_8, 0);
            Mat distance = new Mat();
            distanceTransform(interior, distance, DIST_L2, DIST_MASK_PRECISE);
            return distance;
        }
    }

    private static String name(int id, List<String> classNames) {
        String name = id < classNames.size() ? classNames.get(id) : null;
        return name == null || name.isEmpty() ? String.valueOf(id) : name;
    }
}
