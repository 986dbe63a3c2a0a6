package org.mseg.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class SampleTest {
    @Test
    void replacingAMatReleasesThePreviousOne() {
        Mat first = TestMats.label(2, 2, 1, 2, 3, 4);
        Sample sample = new Sample(TestMats.image(2, 2, (r, c, ch) -> 0), first);
        sample.replaceLabel(TestMats.label(2, 2, 0, 0, 0, 0));
        assertTrue(first.isNull(), "the replaced label was released");
        assertEquals(0, TestMats.at(sample.label(), 1, 1));
        sample.close();
        sample.close();
        assertThrows(IllegalStateException.class, sample::label);
    }
}
