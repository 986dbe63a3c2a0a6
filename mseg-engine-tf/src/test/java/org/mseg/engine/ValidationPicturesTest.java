package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.transform.Normalize;
import org.mseg.datasets.viz.Palette;

class ValidationPicturesTest {

    @Test
    void imageGroundTruthAndPredictionSideBySide() {
        int h = 8;
        int w = 8;
        float[] image = new float[h * w * 3];
        double[] mean = Normalize.imagenetMean();
        double[] std = Normalize.imagenetStd();
        for (int i = 0; i < image.length; i++) {
            int c = i % 3;
            image[i] = (float) ((new int[] {250, 10, 10}[c] - mean[c]) / std[c]); // a red image
        }
        byte[] gt = new byte[h * w];
        byte[] pred = new byte[h * w];
        Arrays.fill(gt, (byte) 7);
        Arrays.fill(pred, (byte) 42);
        ValidationPictures.Picture p = ValidationPictures.draw(image, h, w, LabelBuffer.of(gt), LabelBuffer.of(pred));
        assertEquals(p.height() * p.width() * 3, p.rgb().length);
        // Near the bottom (below the title strips), at the centres of the three panels.
        int row = p.height() - 10;
        int first = (row * p.width() + p.width() / 6) * 3;
        assertArrayEquals(new byte[] {(byte) 250, 10, 10}, Arrays.copyOfRange(p.rgb(), first, first + 3));
        int last = (row * p.width() + 5 * p.width() / 6) * 3;
        int[] expected = Palette.standard().rgb(42);
        assertArrayEquals(new byte[] {(byte) expected[0], (byte) expected[1], (byte) expected[2]},
                Arrays.copyOfRange(p.rgb(), last, last + 3));
        int middle = (row * p.width() + p.width() / 2) * 3;
        int[] gtColour = Palette.standard().rgb(7);
        assertArrayEquals(new byte[] {(byte) gtColour[0], (byte) gtColour[1], (byte) gtColour[2]},
                Arrays.copyOfRange(p.rgb(), middle, middle + 3), "ground truth in the middle panel");
    }
}
