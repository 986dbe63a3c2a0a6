package org.mseg.datasets.metrics;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionHeatmapTest {

    @Test
    void smallTaxonomyDrawsEveryClassAndDecodesAtTheLayoutSize(@TempDir Path dir) {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(IouAccumulatorTest.PRED, IouAccumulatorTest.TARGET);
        List<String> names = List.of("road", "sky", "motorcyclist");
        Path png = dir.resolve("sub/confusion.png");
        ConfusionHeatmap.Layout layout = ConfusionHeatmap.writePng(png, m, names);
        assertEquals(List.of(0, 1, 2), layout.shownClasses());
        assertEquals(32, layout.cellSize());
        try (Mat img = imread(png.toString(), IMREAD_UNCHANGED); UByteIndexer px = img.createIndexer()) {
            assertFalse(img.empty());
            assertEquals(layout.width(), img.cols());
            assertEquals(layout.height(), img.rows());
            assertEquals(3, img.channels());
            // Class 2 (car) is always right: its diagonal cell is fully dark blue (BGR 140, 55, 30) near a corner.
            int x = layout.matrixX() + 2 * layout.cellSize() + 3;
            int y = layout.matrixY() + 2 * layout.cellSize() + 3;
            assertEquals(140, px.get(y, x, 0));
            assertEquals(30, px.get(y, x, 2));
            // Cell (row 1, column 2) never happens: white.
            assertEquals(255, px.get(layout.matrixY() + layout.cellSize() + 3, x, 2));
            // The label strips hold ink (class names were written).
            boolean ink = false;
            for (int yy = layout.matrixY() + 2; yy < layout.matrixY() + layout.cellSize() - 2; yy++) {
                for (int xx = 10; xx < layout.matrixX() - 2; xx++) {
                    ink |= px.get(yy, xx, 0) < 128;
                }
            }
            assertTrue(ink, "row label of class 0");
        }
    }

    @Test
    void largeTaxonomyShowsOnlyPresentClasses(@TempDir Path dir) {
        ConfusionMatrix m = new ConfusionMatrix(194);
        m.add(IouAccumulatorTest.bytes(3, 3, 120, 7), IouAccumulatorTest.bytes(3, 7, 7, 255));
        List<String> names = IntStream.range(0, 194).mapToObj(i -> "universal_class_" + i).toList();
        Path png = dir.resolve("confusion.png");
        ConfusionHeatmap.Layout layout = ConfusionHeatmap.writePng(png, m, names);
        assertEquals(List.of(3, 7, 120), layout.shownClasses());
        assertEquals(2, layout.title().size());
        try (Mat img = imread(png.toString(), IMREAD_UNCHANGED)) {
            assertEquals(layout.width(), img.cols());
            assertEquals(layout.height(), img.rows());
        }
    }

    @Test
    void everyUniversalClassPresentStillFitsReadableCells() {
        ConfusionMatrix m = new ConfusionMatrix(194);
        byte[] all = new byte[194];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        m.add(all, all);
        List<String> names = IntStream.range(0, 194).mapToObj(i -> "c" + i).toList();
        ConfusionHeatmap.Layout layout = ConfusionHeatmap.layout(m, names);
        assertEquals(194, layout.shownClasses().size());
        assertEquals(12, layout.cellSize());
        assertTrue(layout.width() < 3000 && layout.height() < 3000, layout.toString());
    }
}
