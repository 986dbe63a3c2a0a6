package org.mseg.datasets.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mseg.datasets.metrics.IouAccumulatorTest.bytes;

import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;

/** Relabeled protocol (MSEG.md g.6), harmonic mean (g.3) and the confusion matrix. */
class SmallMetricsTest {

    // pixel          0  1  2  3    4  5
    // U (unrelab.)   5  5  7  7    9  3
    // R (relabeled)  5  6  6  8  255  3
    // prediction     5  6  6  7    1  4
    // 0: unchanged; 1, 2: changed and pred == R -> reward (pred := U); 3: changed, pred != R -> penalty 255;
    // 4: R is 255 -> changed, pred != R -> 255, and U := 255 (ignored); 5: unchanged, wrong stays wrong.
    @Test
    void relabeledProtocolRewardsThePrecedingAndPenalisesTheRest() {
        byte[] pred = bytes(5, 6, 6, 7, 1, 4);
        byte[] u = bytes(5, 5, 7, 7, 9, 3);
        byte[] r = bytes(5, 6, 6, 8, 255, 3);
        RelabeledProtocol.Result out = RelabeledProtocol.apply(pred, u, r);
        assertArrayEquals(bytes(5, 5, 7, 255, 255, 4), out.prediction());
        assertArrayEquals(bytes(5, 5, 7, 7, 255, 3), out.target());
        assertArrayEquals(bytes(5, 6, 6, 7, 1, 4), pred, "inputs are not modified");
        assertArrayEquals(bytes(5, 5, 7, 7, 9, 3), u);

        IouAccumulator acc = new IouAccumulator(10);
        acc.add(LabelBuffer.of(out.prediction()), LabelBuffer.of(out.target()));
        // class 7: target 2 (pixels 2, 3), intersection 1 (pixel 2), prediction 1 -> the penalty only widens union
        assertEquals(1, acc.intersection()[7]);
        assertEquals(2, acc.union()[7]);
        assertEquals(1 / (2 + 1e-10), acc.compute().iou(7));
        assertEquals(2 / (2 + 1e-10), acc.compute().iou(5));
        assertEquals(0, acc.target()[9], "the pixel whose relabeled GT is 255 is ignored");
    }

    @Test
    void relabeledProtocolRejectsDifferentSizes() {
        assertThrows(IllegalArgumentException.class, () -> RelabeledProtocol.apply(bytes(1), bytes(1), bytes(1, 2)));
    }

    @Test
    void harmonicMeanOfTestDatasetMious() {
        assertEquals(12.0 / 7, HarmonicMean.of(1, 2, 4), 1e-12);
        assertEquals(0.42, HarmonicMean.of(0.42), 1e-15);
        assertEquals(0.0, HarmonicMean.of(0.5, 0.0));
        assertThrows(IllegalArgumentException.class, HarmonicMean::of);
        assertThrows(IllegalArgumentException.class, () -> HarmonicMean.of(0.5, -0.1));
        assertThrows(IllegalArgumentException.class, () -> HarmonicMean.of(Double.NaN));
    }

    @Test
    void confusionMatrixCountsTargetRowsAndPredictedColumns() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(bytes(0, 1, 1, 0, 2, 2, 255, 7), bytes(0, 0, 1, 1, 255, 2, 1, 1));
        assertArrayEquals(new long[][] {{1, 1, 0}, {1, 1, 0}, {0, 0, 1}}, m.counts());
        assertArrayEquals(new long[] {2, 2, 1}, m.targetTotals(), "prediction 255 / 7 is not a class: not counted");
        assertArrayEquals(new long[] {2, 2, 1}, m.predictedTotals());
        double[][] n = m.rowNormalized();
        assertArrayEquals(new double[] {0.5, 0.5, 0}, n[0]);
        assertArrayEquals(new double[] {0, 0, 1}, n[2]);

        ConfusionMatrix other = new ConfusionMatrix(3);
        other.add(bytes(2, 2), bytes(2, 0), 0, 2);
        m.merge(other);
        assertEquals(1, m.count(0, 2));
        assertEquals(2, m.count(2, 2));
        assertArrayEquals(new double[] {0, 0, 0}, new ConfusionMatrix(3).rowNormalized()[1], "empty row is zeros");
    }
}
