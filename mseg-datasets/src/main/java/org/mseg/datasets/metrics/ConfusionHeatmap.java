package org.mseg.datasets.metrics;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.mseg.api.MsegException;
import org.mseg.datasets.internal.Drawing;

/**
 * Renders a {@link ConfusionMatrix} as a PNG heatmap with OpenCV: the row-normalised matrix (row = ground truth,
 * column = prediction) as white-to-blue cells, class names along the left (rows) and the top (columns, written
 * bottom-to-top), grid lines, and the percentage in each cell when cells are large enough to hold it.
 *
 * <p>Up to {@value #ALL_CLASSES_UP_TO} classes every class is drawn; beyond that (e.g. the 194 universal classes) only
 * classes present in the ground truth or the prediction are, so the picture stays readable. Cell size shrinks with
 * the number of drawn classes, from 32 down to 12 pixels.
 */
public final class ConfusionHeatmap {
    /** Largest class count for which every class is drawn, present or not. */
    public static final int ALL_CLASSES_UP_TO = 30;

    private static final int FONT = Drawing.FONT;
    private static final int MARGIN = 10;
    private static final int PAD = 6;
    private static final int MAX_CELL = 32;
    private static final int MIN_CELL = 12;
    private static final int TARGET_SIDE = 2400;
    private static final double TITLE_SCALE = 0.5;
    private static final int TITLE_LINE = 22;

    private ConfusionHeatmap() {
    }

    /**
     * Where everything goes in the picture.
     *
     * @param width         image width in pixels
     * @param height        image height in pixels
     * @param cellSize      side of one matrix cell in pixels
     * @param labelSize     width of the row-label strip, and height of the column-label strip
     * @param fontScale     OpenCV font scale of the class names
     * @param shownClasses  class ids drawn, in order (rows and columns alike)
     * @param title         the caption lines above the matrix
     */
    public record Layout(int width, int height, int cellSize, int labelSize, double fontScale,
            List<Integer> shownClasses, List<String> title) {
        public Layout {
            shownClasses = List.copyOf(shownClasses);
            title = List.copyOf(title);
        }

        /** Left edge of the matrix. */
        int matrixX() {
            return MARGIN + labelSize;
        }

        /** Top edge of the matrix. */
        int matrixY() {
            return MARGIN + title.size() * TITLE_LINE + PAD + labelSize;
        }
    }

    /**
     * The layout {@link #writePng} uses for this matrix and these names.
     *
     * @throws IllegalArgumentException if the number of names is not the matrix's class count
     */
    public static Layout layout(ConfusionMatrix matrix, List<String> classNames) {
        int k = matrix.numClasses();
        if (classNames.size() != k) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + k + " classes");
        }
        List<Integer> shown = new ArrayList<>();
        if (k > ALL_CLASSES_UP_TO) {
            long[] t = matrix.targetTotals();
            long[] p = matrix.predictedTotals();
            for (int c = 0; c < k; c++) {
                if (t[c] > 0 || p[c] > 0) {
                    shown.add(c);
                }
            }
        }
        List<String> title = new ArrayList<>();
        title.add("Confusion matrix, row-normalised (rows: ground truth, columns: prediction)");
        if (shown.isEmpty()) {
            for (int c = 0; c < k; c++) {
                shown.add(c);
            }
        } else {
            title.add("Showing the " + shown.size() + " of " + k + " classes present in ground truth or prediction");
        }
        int n = shown.size();
        int cell = Math.max(MIN_CELL, Math.min(MAX_CELL, TARGET_SIDE / n));
        double fontScale = Math.min(0.5, cell * 0.7 / 22.0);
        int labelSize = 0;
        for (int c : shown) {
            labelSize = Math.max(labelSize, Drawing.textWidth(classNames.get(c), fontScale));
        }
        labelSize += 2 * PAD;
        int titleWidth = 0;
        for (String line : title) {
            titleWidth = Math.max(titleWidth, Drawing.textWidth(line, TITLE_SCALE));
        }
        int width = Math.max(2 * MARGIN + labelSize + n * cell, 2 * MARGIN + titleWidth);
        int height = MARGIN + title.size() * TITLE_LINE + PAD + labelSize + n * cell + MARGIN;
        return new Layout(width, height, cell, labelSize, fontScale, shown, title);
    }

    /**
     * Draws the heatmap and writes it as a PNG (parent folders are created).
     *
     * @return the layout used
     * @throws IllegalArgumentException if the number of names is not the matrix's class count
     * @throws MsegException            if the file cannot be written; names the file
     */
    public static Layout writePng(Path file, ConfusionMatrix matrix, List<String> classNames) {
        Layout layout = layout(matrix, classNames);
        double[][] norm = matrix.rowNormalized();
        try (Scalar white = new Scalar(255, 255, 255, 0);
                Mat canvas = new Mat(layout.height(), layout.width(), CV_8UC3, white)) {
            drawTitle(canvas, layout);
            drawCells(canvas, layout, norm);
            drawRowLabels(canvas, layout, classNames);
            drawColumnLabels(canvas, layout, classNames);
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new MsegException("Cannot create the folder of " + file + ": " + e + ".", e);
            }
            if (!imwrite(file.toString(), canvas)) {
                throw new MsegException("OpenCV could not write the confusion heatmap " + file + ". Check that the"
                        + " folder is writable and the name ends in .png.");
            }
        }
        return layout;
    }

    private static void drawTitle(Mat canvas, Layout layout) {
        try (Scalar black = new Scalar(0, 0, 0, 0)) {
            for (int i = 0; i < layout.title().size(); i++) {
                try (Point at = new Point(MARGIN, MARGIN + (i + 1) * TITLE_LINE - 6)) {
                    putText(canvas, layout.title().get(i), at, FONT, TITLE_SCALE, black, 1, LINE_AA, false);
                }
            }
        }
    }

    private static void drawCells(Mat canvas, Layout layout, double[][] norm) {
        List<Integer> shown = layout.shownClasses();
        int n = shown.size();
        int cell = layout.cellSize();
        int x0 = layout.matrixX();
        int y0 = layout.matrixY();
        boolean writeValues = cell >= 24;
        // The widest value, "100", must fit inside a cell.
        double valueScale = Math.min(0.5, (cell - 6) / (double) Drawing.textWidth("100", 1.0));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                double v = norm[shown.get(r)][shown.get(c)];
                try (Scalar colour = colour(v); Rect box = new Rect(x0 + c * cell, y0 + r * cell, cell, cell)) {
                    rectangle(canvas, box, colour, FILLED, LINE_8, 0);
                }
                long percent = Math.round(v * 100);
                if (writeValues && percent > 0) {
                    String text = String.valueOf(percent);
                    int w = Drawing.textWidth(text, valueScale);
                    try (Scalar ink = v > 0.5 ? new Scalar(255, 255, 255, 0) : new Scalar(0, 0, 0, 0);
                            Point at = new Point(x0 + c * cell + (cell - w) / 2, y0 + r * cell + cell / 2 + 4)) {
                        putText(canvas, text, at, FONT, valueScale, ink, 1, LINE_AA, false);
                    }
                }
            }
        }
        try (Scalar grid = new Scalar(200, 200, 200, 0)) {
            for (int i = 0; i <= n; i++) {
                try (Point a = new Point(x0 + i * cell, y0); Point b = new Point(x0 + i * cell, y0 + n * cell);
                        Point c = new Point(x0, y0 + i * cell); Point d = new Point(x0 + n * cell, y0 + i * cell)) {
                    line(canvas, a, b, grid, 1, LINE_8, 0);
                    line(canvas, c, d, grid, 1, LINE_8, 0);
                }
            }
        }
    }

    private static void drawRowLabels(Mat canvas, Layout layout, List<String> names) {
        try (Scalar black = new Scalar(0, 0, 0, 0)) {
            for (int r = 0; r < layout.shownClasses().size(); r++) {
                String name = names.get(layout.shownClasses().get(r));
                int w = Drawing.textWidth(name, layout.fontScale());
                try (Point at = new Point(layout.matrixX() - PAD - w, baseline(layout, r))) {
                    putText(canvas, name, at, FONT, layout.fontScale(), black, 1, LINE_AA, false);
                }
            }
        }
    }

    private static void drawColumnLabels(Mat canvas, Layout layout, List<String> names) {
        int n = layout.shownClasses().size();
        int cell = layout.cellSize();
        // OpenCV writes horizontal text only: write the names as rows of a strip, then turn it a quarter left, so
        // that row i becomes column i and each name reads bottom-to-top starting next to the matrix.
        try (Scalar white = new Scalar(255, 255, 255, 0); Scalar black = new Scalar(0, 0, 0, 0);
                Mat strip = new Mat(n * cell, layout.labelSize(), CV_8UC3, white); Mat turned = new Mat()) {
            for (int c = 0; c < n; c++) {
                String name = names.get(layout.shownClasses().get(c));
                try (Point at = new Point(PAD, baseline(layout, c) - layout.matrixY())) {
                    putText(strip, name, at, FONT, layout.fontScale(), black, 1, LINE_AA, false);
                }
            }
            rotate(strip, turned, ROTATE_90_COUNTERCLOCKWISE);
            try (Rect where = new Rect(layout.matrixX(), layout.matrixY() - layout.labelSize(), n * cell,
                    layout.labelSize()); Mat roi = new Mat(canvas, where)) {
                turned.copyTo(roi);
            }
        }
    }

    /** Baseline y of the text of row {@code i}, centred vertically in the cell. */
    private static int baseline(Layout layout, int i) {
        int textHeight = (int) Math.round(22 * layout.fontScale());
        return layout.matrixY() + i * layout.cellSize() + (layout.cellSize() + textHeight) / 2;
    }

    private static Scalar colour(double v) {
        // White (0) to dark blue (1), in BGR.
        return new Scalar(255 - 115 * v, 255 - 200 * v, 255 - 225 * v, 0);
    }
}
