package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.mseg.datasets.internal.Drawing;

/**
 * A legend of the classes present in a label map, drawn as a panel to the right of an image: one entry per class, a
 * colour swatch then {@code id name share%}, most pixels first. Entries fill a column from top to bottom and wrap into
 * further columns when the image is not tall enough for all of them. Text size follows the image height.
 */
public final class Legend {
    private static final int[] BACKGROUND = {255, 255, 255};
    private static final int[] INK = {0, 0, 0};
    private static final int[] SWATCH_EDGE = {60, 60, 60};

    private Legend() {
    }

    /**
     * The classes present in a label map, most pixels first (ties: smaller id first); the ignore value (255 in
     * {@code CV_8UC1}, 65535 in {@code CV_16UC1}) is never listed. Counted with one OpenCV histogram.
     *
     * @throws IllegalArgumentException if {@code label} is empty or neither {@code CV_8UC1} nor {@code CV_16UC1}
     */
    public static int[] presentClasses(Mat label) {
        int ignore = LabelMaps.ignoreId(label);
        return LabelMaps.presentByCount(LabelMaps.histogram(label), ignore);
    }

    /**
     * The colour image with a legend panel on its right listing the classes present in {@code label} (see
     * {@link #presentClasses}), each as a swatch of its {@code palette} colour and {@code id name share%}, where the
     * share is the class's fraction of all the label's pixels. An id without a name in {@code classNames} is listed
     * by its id alone. With no labelled pixel the panel says so.
     *
     * @param colour     BGR {@code CV_8UC3} image, typically {@code palette.colorize(label)}; it is not modified
     * @param label      {@code CV_8UC1} or {@code CV_16UC1} label map (need not have the colour image's size)
     * @param classNames class names by id
     * @param palette    colours of the swatches
     * @return a new BGR {@code CV_8UC3} image as tall as {@code colour} (or one legend row, if that is taller) and
     *         wider, owned by the caller, who closes it
     * @throws IllegalArgumentException if {@code colour} is not a non-empty {@code CV_8UC3} image or {@code label} is
     *                                  not a label map
     */
    public static Mat withLegend(Mat colour, Mat label, List<String> classNames, Palette palette) {
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(palette, "palette");
        if (colour == null || colour.empty() || colour.type() != CV_8UC3) {
            throw new IllegalArgumentException("the colour image must be a non-empty CV_8UC3 image, got "
                    + (colour == null || colour.empty() ? "an empty one" : LabelMaps.typeName(colour.type())));
        }
        int ignore = LabelMaps.ignoreId(label);
        long[] counts = LabelMaps.histogram(label);
        int[] present = LabelMaps.presentByCount(counts, ignore);
        long total = (long) label.rows() * label.cols();
        List<String> entries = new ArrayList<>();
        for (int id : present) {
            entries.add(entryText(id, classNames, counts[id] / (double) total));
        }

        Style style = Style.forHeight(colour.rows());
        // An image shorter than one legend row gets white below it rather than a clipped legend.
        int height = Math.max(colour.rows(), 2 * style.margin + style.rowHeight);
        List<String> texts = entries.isEmpty() ? List.of("no labelled pixels") : entries;
        int textWidth = 0;
        for (String t : texts) {
            textWidth = Math.max(textWidth, Drawing.textSize(t, style.scale, style.thickness).width());
        }
        int swatchSpace = entries.isEmpty() ? 0 : style.swatch + style.gap;
        int columnWidth = swatchSpace + textWidth + style.margin;
        int rowsPerColumn = Math.max(1, (height - 2 * style.margin) / style.rowHeight);
        int columns = (texts.size() + rowsPerColumn - 1) / rowsPerColumn;
        int panelWidth = style.margin + columns * columnWidth;

        Mat out;
        try (Scalar white = Drawing.bgr(BACKGROUND)) {
            out = new Mat(height, colour.cols() + panelWidth, CV_8UC3, white);
        }
        try (Rect left = new Rect(0, 0, colour.cols(), colour.rows()); Mat roi = new Mat(out, left)) {
            colour.copyTo(roi);
        }
        int x0 = colour.cols() + style.margin;
        for (int i = 0; i < texts.size(); i++) {
            int x = x0 + (i / rowsPerColumn) * columnWidth;
            int rowTop = style.margin + (i % rowsPerColumn) * style.rowHeight;
            if (!entries.isEmpty()) {
                int sy = rowTop + (style.rowHeight - style.swatch) / 2;
                Drawing.fillRect(out, x, sy, style.swatch, style.swatch, palette.rgb(present[i]));
                Drawing.strokeRect(out, x, sy, style.swatch, style.swatch, SWATCH_EDGE);
            }
            int baseline = rowTop + (style.rowHeight + style.textHeight) / 2;
            Drawing.text(out, texts.get(i), x + swatchSpace, baseline, style.scale, INK, style.thickness);
        }
        return out;
    }

    private static String entryText(int id, List<String> names, double share) {
        String name = id < names.size() ? names.get(id) : null;
        String percent = share < 0.001 ? "<0.1%" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
        return name == null || name.isEmpty() ? id + "  " + percent : id + " " + name + "  " + percent;
    }

    /** Sizes of the legend's text and boxes for an image height. */
    private record Style(double scale, int thickness, int textHeight, int rowHeight, int swatch, int gap,
            int margin) {
        static Style forHeight(int height) {
            // About 20-pixel capitals on a 1080-pixel image, never below a readable 9 pixels.
            double scale = Math.max(0.4, Math.min(1.2, height / 1200.0));
            int thickness = scale >= 0.8 ? 2 : 1;
            int textHeight = Drawing.textSize("Ag", scale, thickness).height();
            int rowHeight = Math.max(12, (int) Math.round(textHeight * 1.8));
            int swatch = Math.max(8, (int) Math.round(rowHeight * 0.7));
            int gap = Math.max(4, swatch / 2);
            int margin = Math.max(6, rowHeight / 2);
            return new Style(scale, thickness, textHeight, rowHeight, swatch, gap, margin);
        }
    }
}
