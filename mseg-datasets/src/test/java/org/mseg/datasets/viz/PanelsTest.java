package org.mseg.datasets.viz;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.TestMats;

class PanelsTest {

    @Test
    void imagesSitSideBySideAtTheFirstHeightUnderTheirTitles() {
        try (Scalar red = new Scalar(0, 0, 200, 0); Scalar green = new Scalar(0, 200, 0, 0);
                Mat a = new Mat(100, 80, CV_8UC3, red); Mat b = new Mat(100, 120, CV_8UC3, green);
                Mat c = TestMats.label(50, 40, (r, col) -> 90);
                Mat untitled = Panels.sideBySide(List.of(a, b, c), List.of("", "", ""));
                Mat out = Panels.sideBySide(List.of(a, b, c), List.of("image", "ground truth", "prediction"))) {
            assertEquals(CV_8UC3, out.type());
            int gap = (untitled.rows() - 100) / 2;
            assertTrue(gap >= 4, "gap " + gap);
            // The 50-row image is scaled to 100 rows, hence 80 columns.
            assertEquals(gap + 80 + gap + 120 + gap + 80 + gap, out.cols());
            assertEquals(untitled.cols(), out.cols());
            int strip = out.rows() - untitled.rows();
            assertTrue(strip > 8, "title strip " + strip);
            try (UByteIndexer px = out.createIndexer()) {
                int top = gap + strip;
                assertEquals(200, px.get(top + 50, gap + 40, 2));
                assertEquals(200, px.get(top + 50, gap + 80 + gap + 60, 1));
                int grayX = gap + 80 + gap + 120 + gap + 40;
                assertEquals(90, px.get(top + 50, grayX, 0));
                assertEquals(90, px.get(top + 50, grayX, 2));
                // The gaps are white, and the title strip holds ink.
                assertEquals(255, px.get(top + 50, gap + 80 + 1, 0));
                boolean ink = false;
                for (int r = gap; r < top; r++) {
                    for (int x = gap; x < gap + 80; x++) {
                        ink |= px.get(r, x, 0) < 128;
                    }
                }
                assertTrue(ink, "title of the first image");
            }
        }
    }

    @Test
    void inputsAreCheckedAndNamed() {
        try (Mat a = new Mat(10, 10, CV_8UC3); Mat f = new Mat(10, 10, CV_32FC3)) {
            assertThrows(IllegalArgumentException.class, () -> Panels.sideBySide(List.of(), List.of()));
            assertThrows(IllegalArgumentException.class, () -> Panels.sideBySide(List.of(a), List.of("x", "y")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Panels.sideBySide(List.of(a, f), List.of("x", "y")));
            assertTrue(e.getMessage().contains("image 1") && e.getMessage().contains("CV_32FC3"), e.getMessage());
        }
    }

    @Test
    void resizeToHeightKeepsTheAspectRatio() {
        try (Mat m = new Mat(100, 50, CV_8UC3); Mat small = Panels.resizeToHeight(m, 40, false);
                Mat big = Panels.resizeToHeight(m, 300, false)) {
            assertEquals(40, small.rows());
            assertEquals(20, small.cols());
            assertEquals(300, big.rows());
            assertEquals(150, big.cols());
            assertEquals(CV_8UC3, big.type());
        }
    }

    @Test
    void nearestResizeInventsNoLabelValues() {
        try (Mat label = TestMats.label(4, 4, (r, c) -> (r + c) % 2 == 0 ? 10 : 200);
                Mat up = Panels.resizeToHeight(label, 13, true)) {
            assertEquals(CV_8UC1, up.type());
            assertEquals(13, up.rows());
            assertEquals(13, up.cols());
            assertEquals(Set.of(10, 200), TestMats.values(up));
        }
    }

    @Test
    void resizeRefusesAnEmptyImageOrHeight() {
        try (Mat m = new Mat(); Mat ok = new Mat(2, 2, CV_8UC3)) {
            assertThrows(IllegalArgumentException.class, () -> Panels.resizeToHeight(m, 10, true));
            assertThrows(IllegalArgumentException.class, () -> Panels.resizeToHeight(ok, 0, true));
        }
    }
}
