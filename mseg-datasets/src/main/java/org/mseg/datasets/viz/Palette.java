package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.LUT;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.nio.ShortBuffer;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A fixed colour for every class id 0..{@value #MAX_CLASS_ID}: the same class gets the same colour in every run,
 * dataset and image, and consecutive ids get clearly different colours.
 *
 * <p>The colours are Roberts' R3 sequence, the three-dimensional counterpart of golden-ratio hue stepping: colour
 * {@code i} is the point {@code frac(o + i·(1/g, 1/g², 1/g³))} of the RGB cube, where {@code g ≈ 1.2207} is the
 * plastic number ({@code g³ = g + 1}). The points of such a sequence spread evenly over the cube for any prefix of ids,
 * so the 194 universal classes are as well separated as the 19 Cityscapes ones, and each step moves every channel by
 * a fixed fraction, so neighbours differ by at least 120 (Euclidean RGB distance) everywhere up to 65534. Channels stay
 * at {@value #MIN_CHANNEL} or above, keeping every class well away from the black of ignored pixels.
 *
 * <p>In a label map, the ignore value (255 in 8-bit maps, 65535 in 16-bit maps) is drawn black. The id 255 is a real
 * class only in 16-bit maps (e.g. the naive taxonomy's 315 classes), and there it gets its colour.
 */
public final class Palette {
    /** The largest class id with a colour; 65535 is the ignore value of 16-bit maps. */
    public static final int MAX_CLASS_ID = 65534;

    /** Smallest value of any channel of a class colour. */
    static final int MIN_CHANNEL = 48;

    private static final double G = 1.22074408460575947536;
    private static final double[] STEP = {1 / G, 1 / (G * G), 1 / (G * G * G)};
    // Starts chosen so that id 0 is a saturated colour rather than the grey at the cube's centre.
    private static final double[] START = {0.9, 0.2, 0.6};

    private static final Palette STANDARD = new Palette();

    /** BGR colours of 8-bit label values; 255 (ignore) black. */
    private final byte[] lut8;

    private Palette() {
        lut8 = new byte[256 * 3];
        for (int id = 0; id < LabelMaps.IGNORE_8BIT; id++) {
            putBgr(lut8, id, rgb(id));
        }
    }

    /** The project's palette: the same object, hence the same colours, everywhere. */
    public static Palette standard() {
        return STANDARD;
    }

    /**
     * The colour of a class as {r, g, b}, each 0..255; a new array.
     *
     * @throws IllegalArgumentException if {@code classId} is outside 0..{@value #MAX_CLASS_ID}
     */
    public int[] rgb(int classId) {
        if (classId < 0 || classId > MAX_CLASS_ID) {
            throw new IllegalArgumentException("class ids with a colour are 0.." + MAX_CLASS_ID + ", got " + classId);
        }
        int[] rgb = new int[3];
        for (int ch = 0; ch < 3; ch++) {
            double x = START[ch] + classId * STEP[ch];
            x -= Math.floor(x);
            rgb[ch] = MIN_CHANNEL + (int) Math.round(x * (255 - MIN_CHANNEL));
        }
        return rgb;
    }

    /**
     * The colour of a class as {@code #rrggbb} (lower-case hex), for HTML and legends.
     *
     * @throws IllegalArgumentException as {@link #rgb(int)}
     */
    public String hex(int classId) {
        int[] c = rgb(classId);
        return String.format(Locale.ROOT, "#%02x%02x%02x", c[0], c[1], c[2]);
    }

    /**
     * Paints a label map: each pixel gets its class colour, ignore pixels (255 in {@code CV_8UC1}, 65535 in
     * {@code CV_16UC1}) black. 8-bit maps go through one OpenCV lookup table.
     *
     * @return a new BGR {@code CV_8UC3} image of the label's size, owned by the caller, who closes it
     * @throws IllegalArgumentException if {@code label} is empty or neither {@code CV_8UC1} nor {@code CV_16UC1}
     */
    public Mat colorize(Mat label) {
        int ignore = LabelMaps.ignoreId(label);
        if (ignore == LabelMaps.IGNORE_8BIT) {
            // LUT maps each channel through the table's matching channel, so the one-channel label is first
            // repeated into three channels.
            try (Mat table = new Mat(1, 256, CV_8UC3); Mat label3 = new Mat()) {
                table.data().put(lut8);
                cvtColor(label, label3, COLOR_GRAY2BGR);
                Mat colour = new Mat();
                LUT(label3, table, colour);
                return colour;
            }
        }
        return colorize16(label);
    }

    private Mat colorize16(Mat label) {
        // OpenCV's LUT takes 8-bit input only: read the 16-bit ids once and look each up in a 65536-entry table.
        int rows = label.rows();
        int cols = label.cols();
        short[] ids = new short[rows * cols];
        try (Mat continuous = label.isContinuous() ? null : label.clone()) {
            ShortBuffer buf = (continuous != null ? continuous : label).createBuffer();
            buf.get(ids);
        }
        byte[] table = Lut16.BGR;
        byte[] bgr = new byte[ids.length * 3];
        for (int i = 0; i < ids.length; i++) {
            int t = (ids[i] & 0xffff) * 3;
            bgr[3 * i] = table[t];
            bgr[3 * i + 1] = table[t + 1];
            bgr[3 * i + 2] = table[t + 2];
        }
        Mat colour = new Mat(rows, cols, CV_8UC3);
        colour.data().put(bgr);
        return colour;
    }

    private static void putBgr(byte[] table, int id, int[] rgb) {
        table[3 * id] = (byte) rgb[2];
        table[3 * id + 1] = (byte) rgb[1];
        table[3 * id + 2] = (byte) rgb[0];
    }

    /** The 16-bit table, built on first use only (192 KiB). */
    private static final class Lut16 {
        static final byte[] BGR = build();

        private static byte[] build() {
            byte[] table = new byte[(LabelMaps.IGNORE_16BIT + 1) * 3];
            for (int id = 0; id <= MAX_CLASS_ID; id++) {
                putBgr(table, id, STANDARD.rgb(id));
            }
            return table;
        }
    }
}
