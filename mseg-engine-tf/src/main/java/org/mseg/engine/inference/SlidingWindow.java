package org.mseg.engine.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * MSeg's sliding-window grid (MSEG.md g.2): windows of the crop size with stride {@code ceil(2/3 · crop)} per axis,
 * {@code ceil((size − crop) / stride) + 1} positions, the last one moved back so that it ends at the border. Every
 * pixel of the padded image is covered at least once.
 */
public final class SlidingWindow {

    /** Top-left corner of one window. */
    public record Window(int top, int left) {
    }

    private SlidingWindow() {
    }

    /** The stride for a crop size: {@code ceil(crop · 2 / 3)} (476 for 713). */
    public static int stride(int crop) {
        if (crop < 1) {
            throw new IllegalArgumentException("crop must be positive, got " + crop);
        }
        return (int) Math.ceil(crop * 2.0 / 3.0);
    }

    /** Window starts along one axis of {@code size ≥ crop} pixels. */
    public static int[] starts(int size, int crop) {
        if (size < crop) {
            throw new IllegalArgumentException("size " + size + " is smaller than the crop " + crop
                    + "; pad the image to the crop first");
        }
        int stride = stride(crop);
        int grid = (int) Math.ceil((double) (size - crop) / stride) + 1;
        int[] starts = new int[grid];
        for (int i = 0; i < grid; i++) {
            int end = Math.min(i * stride + crop, size);
            starts[i] = end - crop;
        }
        return starts;
    }

    /** All windows of a padded image, row by row. */
    public static List<Window> grid(int height, int width, int cropHeight, int cropWidth) {
        int[] tops = starts(height, cropHeight);
        int[] lefts = starts(width, cropWidth);
        List<Window> out = new ArrayList<>(tops.length * lefts.length);
        for (int top : tops) {
            for (int left : lefts) {
                out.add(new Window(top, left));
            }
        }
        return out;
    }
}
