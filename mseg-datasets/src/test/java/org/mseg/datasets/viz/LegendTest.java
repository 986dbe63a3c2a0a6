package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.javacpp.indexer.UShortIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.TestMats;

class LegendTest {
    private static final Palette PALETTE = Palette.standard();
    private static final List<String> NAMES = IntStream.range(0, 194).mapToObj(i -> "class " + i).toList();

    /** 200 rows of 50 pixels: class 7 in 50 % of them, class 3 in 30 %, class 9 in 15 %, ignore in 5 %. */
    private static Mat sceneLabel() {
        return TestMats.label(200, 50, (r, c) -> r < 100 ? 7 : r < 160 ? 3 : r < 190 ? 9 : 255);
    }

    @Test
    void presentClassesAreSortedByPixelCountWithoutIgnore() {
        try (Mat label = sceneLabel()) {
            assertArrayEquals(new int[] {7, 3, 9}, Legend.presentClasses(label));
        }
    }

    @Test
    void presentClassesBreakTiesBySmallerId() {
        try (Mat label = TestMats.label(1, 4, 5, 2, 5, 2)) {
            assertArrayEquals(new int[] {2, 5}, Legend.presentClasses(label));
        }
    }

    @Test
    void presentClassesOfAnAllIgnoreMapIsEmpty() {
        try (Mat label = TestMats.label(2, 2, 255, 255, 255, 255)) {
            assertArrayEquals(new int[0], Legend.presentClasses(label));
        }
    }

    @Test
    void presentClassesOfSixteenBitMapsKeep255AndDrop65535() {
        try (Mat label = new Mat(1, 6, CV_16UC1)) {
            int[] ids = {300, 300, 255, 65535, 65535, 65535};
            try (UShortIndexer w = label.createIndexer()) {
                for (int c = 0; c < ids.length; c++) {
                    w.put(0, c, ids[c]);
                }
            }
            assertArrayEquals(new int[] {300, 255}, Legend.presentClasses(label));
        }
    }

    @Test
    void legendPanelSitsRightOfTheUnchangedImageAndShowsExactlyThePresentColours() {
        try (Mat label = sceneLabel(); Mat colour = PALETTE.colorize(label);
                Mat out = Legend.withLegend(colour, label, NAMES, PALETTE)) {
            assertEquals(CV_8UC3, out.type());
            assertEquals(colour.rows(), out.rows());
            assertTrue(out.cols() > colour.cols() + 40, "legend panel width " + (out.cols() - colour.cols()));
            try (UByteIndexer o = out.createIndexer(); UByteIndexer c = colour.createIndexer()) {
                for (int r = 0; r < colour.rows(); r++) {
                    for (int x = 0; x < colour.cols(); x++) {
                        for (int ch = 0; ch < 3; ch++) {
                            assertEquals(c.get(r, x, ch), o.get(r, x, ch));
                        }
                    }
                }
            }
            Set<String> panel = panelColours(out, colour.cols());
            for (int id : new int[] {7, 3, 9}) {
                assertTrue(panel.contains(PALETTE.hex(id)), "swatch of class " + id);
            }
            for (int id : new int[] {0, 1, 4, 8, 10}) {
                assertFalse(panel.contains(PALETTE.hex(id)), "class " + id + " is absent and must not be listed");
            }
        }
    }

    @Test
    void swatchesRunDownInShareOrder() {
        try (Mat label = sceneLabel(); Mat colour = PALETTE.colorize(label);
                Mat out = Legend.withLegend(colour, label, NAMES, PALETTE)) {
            int[] order = {7, 3, 9};
            int[] firstRow = new int[3];
            for (int i = 0; i < 3; i++) {
                firstRow[i] = firstRowOf(out, colour.cols(), PALETTE.rgb(order[i]));
            }
            assertTrue(firstRow[0] >= 0 && firstRow[0] < firstRow[1] && firstRow[1] < firstRow[2],
                    java.util.Arrays.toString(firstRow));
        }
    }

    @Test
    void manyClassesInAShortImageWrapIntoColumns() {
        try (Mat few = TestMats.label(64, 64, (r, c) -> c < 32 ? 1 : 2);
                Mat many = TestMats.label(64, 64, (r, c) -> (r / 8) * 8 + c / 8);
                Mat fewColour = PALETTE.colorize(few); Mat manyColour = PALETTE.colorize(many);
                Mat fewOut = Legend.withLegend(fewColour, few, NAMES, PALETTE);
                Mat manyOut = Legend.withLegend(manyColour, many, NAMES, PALETTE)) {
            assertEquals(64, manyOut.rows());
            int fewPanel = fewOut.cols() - 64;
            int manyPanel = manyOut.cols() - 64;
            assertTrue(manyPanel > 4 * fewPanel, "64 classes in 64 rows need several columns: " + fewPanel + " vs "
                    + manyPanel);
            Set<String> panel = panelColours(manyOut, 64);
            for (int id = 0; id < 64; id++) {
                assertTrue(panel.contains(PALETTE.hex(id)), "swatch of class " + id);
            }
        }
    }

    @Test
    void anAllIgnoreMapStillGetsAPanel() {
        try (Mat label = TestMats.label(20, 20, (r, c) -> 255); Mat colour = PALETTE.colorize(label);
                Mat out = Legend.withLegend(colour, label, NAMES, PALETTE)) {
            assertTrue(out.cols() > 20);
        }
    }

    @Test
    void aGrayColourImageIsRefused() {
        try (Mat label = sceneLabel()) {
            assertThrows(IllegalArgumentException.class, () -> Legend.withLegend(label, label, NAMES, PALETTE));
        }
    }

    @Test
    void anIdWithoutANameIsListedByItsNumber() {
        try (Mat label = TestMats.label(4, 4, (r, c) -> 200); Mat colour = new Mat(4, 4, CV_8UC3, new Scalar(0));
                Mat out = Legend.withLegend(colour, label, List.of("only"), PALETTE)) {
            assertTrue(panelColours(out, 4).contains(PALETTE.hex(200)));
        }
    }

    /** The exact colours in the panel, as hex. */
    static Set<String> panelColours(Mat out, int from) {
        Set<String> colours = new HashSet<>();
        try (UByteIndexer px = out.createIndexer()) {
            for (int r = 0; r < out.rows(); r++) {
                for (int x = from; x < out.cols(); x++) {
                    colours.add(String.format("#%02x%02x%02x", px.get(r, x, 2), px.get(r, x, 1), px.get(r, x, 0)));
                }
            }
        }
        return colours;
    }

    private static int firstRowOf(Mat out, int from, int[] rgb) {
        try (UByteIndexer px = out.createIndexer()) {
            for (int r = 0; r < out.rows(); r++) {
                for (int x = from; x < out.cols(); x++) {
                    if (px.get(r, x, 2) == rgb[0] && px.get(r, x, 1) == rgb[1] && px.get(r, x, 0) == rgb[2]) {
                        return r;
                    }
                }
            }
        }
        return -1;
    }
}
