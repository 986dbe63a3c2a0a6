package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.javacpp.indexer.UShortIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.TestMats;

class OverlayTest {
    private static final Palette PALETTE = Palette.standard();
    private static final List<String> NAMES = List.of("road", "building", "sky", "tiny");
    private static final int ROWS = 240;
    private static final int COLS = 320;

    /**
     * Rows 0..19 ignore; below, building (1) on the left half and road (0) on the right, with a 6x6 tiny (3)
     * square inside the road, far too small to be named.
     */
    private static Mat label() {
        return TestMats.label(ROWS, COLS, (r, c) -> {
            if (r < 20) {
                return 255;
            }
            if (r >= 200 && r < 206 && c >= 290 && c < 296) {
                return 3;
            }
            return c < COLS / 2 ? 1 : 0;
        });
    }

    /** A dim, textured image (never white, so written names stand out). */
    private static Mat image() {
        Mat m = new Mat(ROWS, COLS, CV_8UC3);
        try (UByteIndexer px = m.createIndexer()) {
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < COLS; c++) {
                    px.put(r, c, 0, 40 + (r * 7 + c) % 100);
                    px.put(r, c, 1, 60 + (r + c * 3) % 90);
                    px.put(r, c, 2, 30 + (r * c) % 110);
                }
            }
        }
        return m;
    }

    @Test
    void ignorePixelsKeepTheImage() {
        try (Mat image = image(); Mat label = label(); Mat out = Overlay.draw(image, label, NAMES, PALETTE, 0.5);
                UByteIndexer o = out.createIndexer(); UByteIndexer i = image.createIndexer()) {
            assertEquals(CV_8UC3, out.type());
            assertEquals(ROWS, out.rows());
            assertEquals(COLS, out.cols());
            for (int r = 0; r < 20; r++) {
                for (int c = 0; c < COLS; c++) {
                    for (int ch = 0; ch < 3; ch++) {
                        assertEquals(i.get(r, c, ch), o.get(r, c, ch), "ignore pixel (" + r + ", " + c + ")");
                    }
                }
            }
        }
    }

    @Test
    void labelledPixelsAwayFromNamesAndBoundariesAreTheAlphaBlend() {
        double alpha = 0.3;
        try (Mat image = image(); Mat label = label(); Mat out = Overlay.draw(image, label, NAMES, PALETTE, alpha);
                UByteIndexer o = out.createIndexer(); UByteIndexer i = image.createIndexer()) {
            // Corners of each region, far from its centre (where the name goes) and from other classes.
            int[][] points = {{30, 10, 1}, {230, 10, 1}, {30, 310, 0}, {230, 200, 0}, {202, 292, 3}};
            for (int[] p : points) {
                int[] rgb = PALETTE.rgb(p[2]);
                for (int ch = 0; ch < 3; ch++) {
                    double expected = (1 - alpha) * i.get(p[0], p[1], ch) + alpha * rgb[2 - ch];
                    assertEquals(expected, o.get(p[0], p[1], ch), 0.51, "pixel (" + p[0] + ", " + p[1] + ")");
                }
            }
        }
    }

    @Test
    void boundariesAreOnePixelOnTheSmallerIdsSide() {
        try (Mat image = image(); Mat label = label(); Mat out = Overlay.draw(image, label, NAMES, PALETTE, 0.5);
                UByteIndexer o = out.createIndexer(); UByteIndexer i = image.createIndexer()) {
            int r = 60;
            // Column 159 is building (1), column 160 road (0): the line is drawn on the road's side only.
            int[] road = PALETTE.rgb(0);
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(Math.round(road[2 - ch] * 0.5), o.get(r, 160, ch), 1.0, "boundary pixel");
                double blend = 0.5 * i.get(r, 159, ch) + 0.5 * PALETTE.rgb(1)[2 - ch];
                assertEquals(blend, o.get(r, 159, ch), 0.51, "building next to the boundary");
            }
        }
    }

    @Test
    void namesAreWrittenInsideLargeRegionsOnly() {
        try (Mat image = image(); Mat label = label(); Mat out = Overlay.draw(image, label, NAMES, PALETTE, 0.5)) {
            // The 6x6 tiny square (0.05 % of the image) gets no name.
            List<Overlay.Placement> placements = Overlay.placements(label, 255, NAMES);
            assertEquals(2, placements.size(), placements.toString());
            for (Overlay.Placement p : placements) {
                assertEquals(p.classId(), TestMats.at(label, p.y(), p.x()), "name inside its region: " + p);
                assertTrue(p.text().equals(NAMES.get(p.classId())));
                // The building spans rows 20..239 and columns 0..159: its interior point is near its centre.
                if (p.classId() == 1) {
                    assertTrue(Math.abs(p.x() - 80) <= 2 && Math.abs(p.y() - 130) <= 2, p.toString());
                }
                int[] light = brightPixels(out, p.x(), p.y(), 8);
                assertTrue(light[0] >= 5, "white text near " + p + ": " + light[0]);
                assertTrue(light[1] >= 5, "dark outline near " + p + ": " + light[1]);
            }
        }
    }

    @Test
    void aRingIsNamedOnTheRingNotInItsHole() {
        // Class 2 is a ring of width 30 around a 60x60 class-1 hole, on class 0.
        try (Mat label = TestMats.label(200, 200, (r, c) -> {
            int d = Math.max(Math.abs(r - 100), Math.abs(c - 100));
            return d < 30 ? 1 : d < 60 ? 2 : 0;
        })) {
            Overlay.Placement ring = Overlay.placements(label, 255, NAMES).stream()
                    .filter(p -> p.classId() == 2).findFirst().orElseThrow();
            assertEquals(2, TestMats.at(label, ring.y(), ring.x()), ring.toString());
        }
    }

    @Test
    void sixteenBitLabelsUse65535AsIgnoreAndNameClassesAbove255() {
        List<String> names = IntStream.range(0, 315).mapToObj(i -> "naive " + i).toList();
        try (Mat image = image(); Mat label = new Mat(ROWS, COLS, CV_16UC1)) {
            try (UShortIndexer w = label.createIndexer()) {
                for (int r = 0; r < ROWS; r++) {
                    for (int c = 0; c < COLS; c++) {
                        w.put(r, c, r < 20 ? 65535 : c < COLS / 2 ? 300 : 255);
                    }
                }
            }
            try (Mat out = Overlay.draw(image, label, names, PALETTE, 0.5); UByteIndexer o = out.createIndexer();
                    UByteIndexer i = image.createIndexer()) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(i.get(5, 100, ch), o.get(5, 100, ch), "ignore pixel");
                    double blend = 0.5 * i.get(230, 5, ch) + 0.5 * PALETTE.rgb(300)[2 - ch];
                    assertEquals(blend, o.get(230, 5, ch), 0.51, "class 300");
                }
            }
            List<Overlay.Placement> placements = Overlay.placements(label, 65535, names);
            assertEquals(List.of("naive 255", "naive 300"),
                    placements.stream().map(Overlay.Placement::text).sorted().toList());
        }
    }

    @Test
    void mismatchedSizesAndBadAlphaAreRefused() {
        try (Mat image = image(); Mat small = TestMats.label(10, 10, (r, c) -> 0); Mat label = label()) {
            assertThrows(IllegalArgumentException.class, () -> Overlay.draw(image, small, NAMES, PALETTE, 0.5));
            assertThrows(IllegalArgumentException.class, () -> Overlay.draw(image, label, NAMES, PALETTE, 1.5));
            assertThrows(IllegalArgumentException.class, () -> Overlay.draw(label, label, NAMES, PALETTE, 0.5));
        }
    }

    @Test
    void theInputImageIsNotModified() {
        try (Mat image = image(); Mat before = image.clone(); Mat label = label();
                Mat out = Overlay.draw(image, label, NAMES, PALETTE, 0.5)) {
            assertFalse(out.address() == image.address());
            try (UByteIndexer a = image.createIndexer(); UByteIndexer b = before.createIndexer()) {
                for (int r = 0; r < ROWS; r += 7) {
                    for (int c = 0; c < COLS; c += 5) {
                        assertEquals(b.get(r, c, 1), a.get(r, c, 1));
                    }
                }
            }
        }
    }

    /**
     * Counts of near-white and near-black pixels around (x, y). Blends of this dim image with any colour stay below
     * 203 and above 38, so only text makes either.
     */
    private static int[] brightPixels(Mat out, int x, int y, int radius) {
        int white = 0;
        int dark = 0;
        try (UByteIndexer px = out.createIndexer()) {
            for (int r = Math.max(0, y - radius); r <= Math.min(out.rows() - 1, y + radius); r++) {
                for (int c = Math.max(0, x - 3 * radius); c <= Math.min(out.cols() - 1, x + 3 * radius); c++) {
                    int b = px.get(r, c, 0);
                    int g = px.get(r, c, 1);
                    int rr = px.get(r, c, 2);
                    if (b > 215 && g > 215 && rr > 215) {
                        white++;
                    }
                    if (b < 30 && g < 30 && rr < 30) {
                        dark++;
                    }
                }
            }
        }
        return new int[] {white, dark};
    }
}
