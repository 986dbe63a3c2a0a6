package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CMP_EQ;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.compare;
import static org.bytedeco.opencv.global.opencv_imgproc.calcHist;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/** What the viz classes need to know about a label map: its ignore id, its class histogram, one class's mask. */
final class LabelMaps {
    /** The ignore id of 8-bit label maps. */
    static final int IGNORE_8BIT = 255;
    /** The ignore id of 16-bit label maps. */
    static final int IGNORE_16BIT = 65535;

    private LabelMaps() {
    }

    /**
     * Checks that {@code label} is a non-empty {@code CV_8UC1} or {@code CV_16UC1} map and returns its ignore id.
     *
     * @throws IllegalArgumentException otherwise, naming the type found
     */
    static int ignoreId(Mat label) {
        if (label == null || label.empty()) {
            throw new IllegalArgumentException("the label map is empty");
        }
        int type = label.type();
        if (type == CV_8UC1) {
            return IGNORE_8BIT;
        }
        if (type == CV_16UC1) {
            return IGNORE_16BIT;
        }
        throw new IllegalArgumentException("a label map must be CV_8UC1 (255 = ignore) or CV_16UC1 (65535 = ignore),"
                + " got " + typeName(type));
    }

    /** Pixel count of every id (index = id), ignore included: 256 entries for 8-bit maps, 65536 for 16-bit. */
    static long[] histogram(Mat label) {
        int ignore = ignoreId(label);
        int bins = ignore + 1;
        // new int[] {...}: IntPointer(int) would allocate that many ints instead of holding the value.
        try (IntPointer channels = new IntPointer(new int[] {0});
                IntPointer histSize = new IntPointer(new int[] {bins});
                FloatPointer range = new FloatPointer(0f, (float) bins);
                // An array, not the FloatPointer alone: PointerPointer(Pointer) would reinterpret it as float**.
                PointerPointer<FloatPointer> ranges = new PointerPointer<>(new FloatPointer[] {range});
                Mat noMask = new Mat();
                Mat hist = new Mat()) {
            calcHist(label, 1, channels, noMask, hist, 1, histSize, ranges, true, false);
            long[] counts = new long[bins];
            // calcHist counts in integers and hands them over as floats: exact up to 2^24 pixels per class.
            try (FloatIndexer h = hist.createIndexer()) {
                for (int id = 0; id < bins; id++) {
                    counts[id] = Math.round(h.get(id, 0));
                }
            }
            return counts;
        }
    }

    /** Ids other than {@code ignore} with a non-zero count, most pixels first (ties: smaller id first). */
    static int[] presentByCount(long[] counts, int ignore) {
        return java.util.stream.IntStream.range(0, counts.length)
                .filter(id -> id != ignore && counts[id] > 0)
                .boxed()
                .sorted((a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Writes into {@code mask} a {@code CV_8UC1} map that is 255 where {@code m == value} and 0 elsewhere. */
    static void equalMask(Mat m, int value, Mat mask) {
        // A 1x1 Mat of the same type is taken as a scalar by compare (and as an equal-sized array for 1x1 maps).
        try (Scalar s = new Scalar(value); Mat v = new Mat(1, 1, m.type(), s)) {
            compare(m, v, mask, CMP_EQ);
        }
    }

    /** OpenCV's name of a Mat type, e.g. {@code CV_8UC3}. */
    static String typeName(int type) {
        String[] depths = {"8U", "8S", "16U", "16S", "32S", "32F", "64F", "16F"};
        return "CV_" + depths[type & 7] + "C" + ((type >> 3) + 1);
    }
}
