package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.mseg.datasets.internal.Drawing;

/** Images side by side with a title above each, e.g. image | ground truth | prediction. */
public final class Panels {
    private static final int[] BACKGROUND = {255, 255, 255};
    private static final int[] INK = {0, 0, 0};

    private Panels() {
    }

    /**
     * Puts images side by side on a white background, all at the height of the first one, separated and framed by
     * small gaps, each under its title (centred, shrunk to fit the image's width). Images of another height are
     * resized with {@link #resizeToHeight} (smooth interpolation); resize label colourings yourself with
     * {@code nearest = true} first if their pixels must stay pure. A gray {@code CV_8UC1} image is shown as gray.
     * When every title is empty, no title strip is drawn.
     *
     * @param images BGR {@code CV_8UC3} or gray {@code CV_8UC1} images, at least one; they are not modified
     * @param titles one title per image
     * @return a new BGR {@code CV_8UC3} image, owned by the caller, who closes it
     * @throws IllegalArgumentException if there is no image, an image is empty or of another type, or the number of
     *                                  titles differs from the number of images
     */
    public static Mat sideBySide(List<Mat> images, List<String> titles) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(titles, "titles");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image to put side by side");
        }
        if (titles.size() != images.size()) {
            throw new IllegalArgumentException(titles.size() + " titles for " + images.size() + " images");
        }
        for (int i = 0; i < images.size(); i++) {
            Mat m = images.get(i);
            if (m == null || m.empty() || (m.type() != CV_8UC3 && m.type() != CV_8UC1)) {
                throw new IllegalArgumentException("image " + i + " must be a non-empty CV_8UC3 or CV_8UC1 image, got "
                        + (m == null || m.empty() ? "an empty one" : LabelMaps.typeName(m.type())));
            }
        }
        int height = images.get(0).rows();
        int gap = Math.max(4, height / 100);
        double scale = Math.max(0.4, Math.min(1.2, height / 900.0));
        int thickness = scale >= 0.8 ? 2 : 1;
        boolean anyTitle = titles.stream().anyMatch(t -> t != null && !t.isBlank());
        int textHeight = Drawing.textSize("Ag", scale, thickness).height();
        int strip = anyTitle ? (int) Math.round(textHeight * 2.2) : 0;

        List<Mat> panels = new ArrayList<>();
        List<Mat> resized = new ArrayList<>();
        try {
            int width = gap;
            for (Mat m : images) {
                Mat panel = m;
                if (m.rows() != height) {
                    panel = resizeToHeight(m, height, false);
                    resized.add(panel);
                }
                panels.add(panel);
                width += panel.cols() + gap;
            }
            Mat out;
            try (Scalar white = Drawing.bgr(BACKGROUND)) {
                out = new Mat(gap + strip + height + gap, width, CV_8UC3, white);
            }
            int x = gap;
            for (int i = 0; i < panels.size(); i++) {
                Mat panel = panels.get(i);
                try (Rect where = new Rect(x, gap + strip, panel.cols(), height); Mat roi = new Mat(out, where)) {
                    if (panel.type() == CV_8UC1) {
                        cvtColor(panel, roi, COLOR_GRAY2BGR);
                    } else {
                        panel.copyTo(roi);
                    }
                }
                String title = titles.get(i);
                if (title != null && !title.isBlank()) {
                    drawTitle(out, title, x, panel.cols(), gap, strip, scale, thickness);
                }
                x += panel.cols() + gap;
            }
            return out;
        } finally {
            resized.forEach(Mat::close);
        }
    }

    private static void drawTitle(Mat out, String title, int x, int width, int top, int strip, double scale,
            int thickness) {
        Drawing.TextSize size = Drawing.textSize(title, scale, thickness);
        double fitted = size.width() <= width ? scale : scale * width / (double) size.width();
        Drawing.TextSize s = Drawing.textSize(title, fitted, thickness);
        int tx = x + Math.max(0, (width - s.width()) / 2);
        int ty = top + (strip + s.height()) / 2;
        Drawing.text(out, title, tx, ty, fitted, INK, thickness);
    }

    /**
     * A copy of {@code m} resized to {@code height} rows, the width scaled in proportion (at least 1 column).
     *
     * @param nearest nearest-neighbour interpolation, for label maps and their colourings (no blended ids or colours);
     *                otherwise area averaging when shrinking and bilinear when enlarging
     * @return a new Mat of {@code m}'s type, owned by the caller, who closes it
     * @throws IllegalArgumentException if {@code m} is empty or {@code height < 1}
     */
    public static Mat resizeToHeight(Mat m, int height, boolean nearest) {
        if (m == null || m.empty()) {
            throw new IllegalArgumentException("cannot resize an empty image");
        }
        if (height < 1) {
            throw new IllegalArgumentException("height must be at least 1, got " + height);
        }
        int width = Math.max(1, (int) Math.round(m.cols() * (double) height / m.rows()));
        int interpolation = nearest ? INTER_NEAREST : height < m.rows() ? INTER_AREA : INTER_LINEAR;
        Mat out = new Mat();
        try (Size size = new Size(width, height)) {
            resize(m, out, size, 0, 0, interpolation);
        }
        return out;
    }
}
