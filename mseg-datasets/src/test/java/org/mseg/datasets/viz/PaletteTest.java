package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.javacpp.indexer.UShortIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.TestMats;

class PaletteTest {
    private static final Palette PALETTE = Palette.standard();

    @Test
    void coloursArePinnedSoEveryRunAndDatasetAgrees() {
        assertSame(PALETTE, Palette.standard());
        // Changing these breaks the colours of every picture made before; do it only on purpose.
        assertArrayEquals(new int[] {234, 89, 172}, PALETTE.rgb(0));
        assertArrayEquals(new int[] {197, 228, 79}, PALETTE.rgb(1));
        assertEquals("#ea59ac", PALETTE.hex(0));
        assertEquals("#c5e44f", PALETTE.hex(1));
    }

    @Test
    void hexIsTheRgbTriple() {
        for (int id : new int[] {0, 7, 193, 255, 314, 65534}) {
            int[] c = PALETTE.rgb(id);
            assertEquals(String.format("#%02x%02x%02x", c[0], c[1], c[2]), PALETTE.hex(id));
        }
    }

    @Test
    void noTwoOfTheFirst256ClassesShareAColour() {
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < 256; id++) {
            Integer before = seen.put(PALETTE.hex(id), id);
            assertEquals(null, before, "classes " + before + " and " + id + " share " + PALETTE.hex(id));
        }
    }

    @Test
    void neighbouringIdsAreFarApartEverywhere() {
        double min = Double.MAX_VALUE;
        int[] prev = PALETTE.rgb(0);
        for (int id = 1; id <= Palette.MAX_CLASS_ID; id++) {
            int[] c = PALETTE.rgb(id);
            min = Math.min(min, distance(prev, c));
            prev = c;
        }
        assertTrue(min >= 100, "closest neighbours are only " + min + " apart");
    }

    @Test
    void universalClassesAreSpreadOutAndNoneIsNearBlack() {
        double min = Double.MAX_VALUE;
        for (int i = 0; i < 194; i++) {
            int[] a = PALETTE.rgb(i);
            assertTrue(a[0] + a[1] + a[2] >= 3 * Palette.MIN_CHANNEL, "class " + i + " is too dark");
            for (int j = 0; j < i; j++) {
                min = Math.min(min, distance(a, PALETTE.rgb(j)));
            }
        }
        assertTrue(min >= 15, "two universal classes are only " + min + " apart");
    }

    @Test
    void idsOutsideTheRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PALETTE.rgb(-1));
        assertThrows(IllegalArgumentException.class, () -> PALETTE.rgb(65535));
    }

    @Test
    void colorizeGivesEachPixelItsClassColourAndIgnoreBlack() {
        int[] ids = {0, 1, 2, 193, 254, 255};
        try (Mat label = TestMats.label(2, 3, ids); Mat colour = PALETTE.colorize(label);
                UByteIndexer px = colour.createIndexer()) {
            assertEquals(CV_8UC3, colour.type());
            assertEquals(2, colour.rows());
            assertEquals(3, colour.cols());
            for (int i = 0; i < ids.length; i++) {
                int[] expected = ids[i] == 255 ? new int[] {0, 0, 0} : PALETTE.rgb(ids[i]);
                assertPixel(expected, px, i / 3, i % 3);
            }
        }
    }

    @Test
    void colorizeReadsARegionOfALargerMap() {
        try (Mat label = TestMats.label(3, 3, 9, 9, 9, 9, 4, 5, 9, 6, 7); Rect r = new Rect(1, 1, 2, 2);
                Mat roi = new Mat(label, r); Mat colour = PALETTE.colorize(roi);
                UByteIndexer px = colour.createIndexer()) {
            assertPixel(PALETTE.rgb(4), px, 0, 0);
            assertPixel(PALETTE.rgb(5), px, 0, 1);
            assertPixel(PALETTE.rgb(6), px, 1, 0);
            assertPixel(PALETTE.rgb(7), px, 1, 1);
        }
    }

    @Test
    void colorizeSixteenBitMapsWith65535AsIgnore() {
        int[][] ids = {{255, 314, 65534, 7}, {65535, 3, 0, 9}};
        try (Mat label = new Mat(2, 4, CV_16UC1)) {
            try (UShortIndexer w = label.createIndexer()) {
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 4; c++) {
                        w.put(r, c, ids[r][c]);
                    }
                }
            }
            // Columns 0..2: a region that is not contiguous in memory.
            try (Rect r = new Rect(0, 0, 3, 2); Mat roi = new Mat(label, r); Mat colour = PALETTE.colorize(roi);
                    UByteIndexer px = colour.createIndexer()) {
                assertEquals(CV_8UC3, colour.type());
                assertPixel(PALETTE.rgb(255), px, 0, 0); // 255 is a real class in 16-bit maps
                assertPixel(PALETTE.rgb(314), px, 0, 1);
                assertPixel(PALETTE.rgb(65534), px, 0, 2);
                assertPixel(new int[] {0, 0, 0}, px, 1, 0);
                assertPixel(PALETTE.rgb(3), px, 1, 1);
                assertPixel(PALETTE.rgb(0), px, 1, 2);
            }
        }
    }

    @Test
    void otherLabelTypesAreRefusedNamingTheType() {
        try (Mat label = new Mat(2, 2, CV_32SC1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PALETTE.colorize(label));
            assertTrue(e.getMessage().contains("CV_32SC1"), e.getMessage());
        }
    }

    static void assertPixel(int[] rgb, UByteIndexer px, int r, int c) {
        int[] actual = {px.get(r, c, 2), px.get(r, c, 1), px.get(r, c, 0)};
        assertArrayEquals(rgb, actual, "pixel (" + r + ", " + c + ")");
    }

    private static double distance(int[] a, int[] b) {
        double dr = a[0] - b[0];
        double dg = a[1] - b[1];
        double db = a[2] - b[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
