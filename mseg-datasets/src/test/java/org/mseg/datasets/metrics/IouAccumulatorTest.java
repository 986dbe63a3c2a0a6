package org.mseg.datasets.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;

/** Hand-computed cases of MSEG.md g.4. */
class IouAccumulatorTest {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    // target  0 0 1 1 255 2
    // pred    0 1 1 0   2 2   (the ignored pixel's prediction 2 counts nowhere)
    // inter  {1,1,1}  pred {2,2,1}  target {2,2,1}  union {3,3,1}
    static final byte[] TARGET = bytes(0, 0, 1, 1, 255, 2);
    static final byte[] PRED = bytes(0, 1, 1, 0, 2, 2);

    @Test
    void histogramsSkipIgnorePixelsOnBothSides() {
        IouAccumulator acc = new IouAccumulator(3);
        acc.add(LabelBuffer.of(PRED), LabelBuffer.of(TARGET));
        assertArrayEquals(new long[] {1, 1, 1}, acc.intersection());
        assertArrayEquals(new long[] {2, 2, 1}, acc.predicted());
        assertArrayEquals(new long[] {2, 2, 1}, acc.target());
        assertArrayEquals(new long[] {3, 3, 1}, acc.union());
    }

    @Test
    void metricsFollowTheUpstreamFormulasExactly() {
        IouAccumulator acc = new IouAccumulator(3);
        acc.add(LabelBuffer.of(PRED), LabelBuffer.of(TARGET));
        SegmentationMetrics m = acc.compute();
        double[] iou = {1 / (3 + 1e-10), 1 / (3 + 1e-10), 1 / (1 + 1e-10)};
        double[] a = {1 / (2 + 1e-10), 1 / (2 + 1e-10), 1 / (1 + 1e-10)};
        assertArrayEquals(iou, m.iou());
        assertArrayEquals(a, m.accuracy());
        assertEquals((iou[0] + iou[1] + iou[2]) / 3, m.mIoU());
        assertEquals((a[0] + a[1] + a[2]) / 3, m.mAcc());
        assertEquals(3 / (5 + 1e-10), m.allAcc());
        assertEquals(5.0 / 9, m.mIoU(), 1e-9);
        assertEquals(Set.of(), m.excluded());
    }

    @Test
    void absentClassesCountZeroInTheMean() {
        IouAccumulator acc = new IouAccumulator(4);
        acc.add(LabelBuffer.of(PRED), LabelBuffer.of(TARGET));
        SegmentationMetrics m = acc.compute();
        assertEquals(0.0, m.iou(3));
        assertEquals(0.0, m.accuracy(3));
        assertEquals(5.0 / 12, m.mIoU(), 1e-9);
        assertEquals(2.0 / 4, m.mAcc(), 1e-9);
    }

    @Test
    void aClassOnlyInThePredictionHasIouAndAccuracyZero() {
        IouAccumulator acc = new IouAccumulator(2);
        acc.add(LabelBuffer.of(bytes(0, 1)), LabelBuffer.of(bytes(0, 0)));
        SegmentationMetrics m = acc.compute();
        assertArrayEquals(new long[] {2, 1}, acc.union(), "class 0: pred 1 + target 2 - inter 1; class 1: pred 1");
        assertEquals(0.5, m.iou(0), 1e-9);
        assertEquals(0.0, m.iou(1));
        assertEquals(0.0, m.accuracy(1));
        assertEquals(0.25, m.mIoU(), 1e-9);
        assertEquals(0.5, m.allAcc(), 1e-9);
    }

    @Test
    void valuesAtOrAboveKFallOutsideTheBins() {
        IouAccumulator acc = new IouAccumulator(3);
        acc.add(LabelBuffer.of(bytes(5, 3, 1)), LabelBuffer.of(bytes(1, 1, 4)));
        assertArrayEquals(new long[] {0, 1, 0}, acc.predicted(),
                "predictions 5 and 3 are not classes; only target 255 voids a prediction, so 1 over target 4 counts");
        assertArrayEquals(new long[] {0, 2, 0}, acc.target(), "target 4 is not a class");
        assertArrayEquals(new long[] {0, 3, 0}, acc.union());
        assertEquals(0.0, acc.compute().iou(1));
    }

    @Test
    void excludedIdsLeaveTheMeansButKeepPerClassValuesAndAllAcc() {
        IouAccumulator acc = new IouAccumulator(4);
        acc.add(LabelBuffer.of(PRED), LabelBuffer.of(TARGET));
        SegmentationMetrics m = acc.compute(Set.of(3));
        assertEquals(5.0 / 9, m.mIoU(), 1e-9, "excluding the absent class 3 gives the 3-class mean");
        assertEquals(4, m.iou().length);
        SegmentationMetrics m0 = acc.compute(Set.of(0, 3));
        assertEquals((1 / (3 + 1e-10) + 1 / (1 + 1e-10)) / 2, m0.mIoU());
        assertEquals((1 / (2 + 1e-10) + 1 / (1 + 1e-10)) / 2, m0.mAcc());
        assertEquals(3 / (5 + 1e-10), m0.allAcc());
        assertEquals(List.of(1, 2), m0.includedClasses());
        assertEquals(List.of(0, 3), List.copyOf(m0.excluded()));
    }

    @Test
    void invalidExclusionsAndSizesAreRejected() {
        IouAccumulator acc = new IouAccumulator(3);
        assertThrows(IllegalArgumentException.class, () -> acc.compute(Set.of(255)));
        assertThrows(IllegalArgumentException.class, () -> acc.compute(Set.of(0, 1, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> acc.add(LabelBuffer.of(bytes(1)), LabelBuffer.of(bytes(1, 2))));
        assertThrows(IndexOutOfBoundsException.class,
                () -> acc.add(LabelBuffer.of(bytes(1, 2)), LabelBuffer.of(bytes(1, 2)), 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new IouAccumulator(0));
        assertThrows(IllegalArgumentException.class, () -> new IouAccumulator(65536));
    }

    @Test
    void rangesAndMergeEqualOneAccumulatorOverEverything() {
        byte[] pred = new byte[12];
        byte[] target = new byte[12];
        System.arraycopy(PRED, 0, pred, 0, 6);
        System.arraycopy(TARGET, 0, target, 0, 6);
        System.arraycopy(bytes(2, 2, 0, 1, 1, 1), 0, pred, 6, 6);
        System.arraycopy(bytes(2, 0, 0, 255, 1, 2), 0, target, 6, 6);
        IouAccumulator whole = new IouAccumulator(3);
        whole.add(LabelBuffer.of(pred), LabelBuffer.of(target));
        IouAccumulator first = new IouAccumulator(3);
        first.add(LabelBuffer.of(pred), LabelBuffer.of(target), 0, 6);
        IouAccumulator second = new IouAccumulator(3);
        second.add(LabelBuffer.of(pred), LabelBuffer.of(target), 6, 6);
        first.merge(second);
        assertEquals(whole.compute(), first.compute());
        assertArrayEquals(whole.union(), first.union());
        assertThrows(IllegalArgumentException.class, () -> first.merge(new IouAccumulator(4)));
    }

    @Test
    void concurrentAddsLoseNoCounts() throws Exception {
        int k = 19;
        SplittableRandom random = new SplittableRandom(7);
        byte[][] preds = new byte[32][];
        byte[][] targets = new byte[32][];
        for (int i = 0; i < preds.length; i++) {
            preds[i] = new byte[5000];
            targets[i] = new byte[5000];
            for (int j = 0; j < 5000; j++) {
                preds[i][j] = (byte) random.nextInt(k);
                targets[i][j] = (byte) (random.nextInt(10) == 0 ? 255 : random.nextInt(k));
            }
        }
        IouAccumulator sequential = new IouAccumulator(k);
        for (int i = 0; i < preds.length; i++) {
            sequential.add(LabelBuffer.of(preds[i]), LabelBuffer.of(targets[i]));
        }
        IouAccumulator shared = new IouAccumulator(k);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] done = new Future<?>[preds.length];
            for (int i = 0; i < preds.length; i++) {
                int index = i;
                done[i] = pool.submit(() -> shared.add(LabelBuffer.of(preds[index]), LabelBuffer.of(targets[index])));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertArrayEquals(sequential.intersection(), shared.intersection());
        assertArrayEquals(sequential.union(), shared.union());
        assertArrayEquals(sequential.target(), shared.target());
    }

    @Test
    void sixteenBitMapsCountClassesAbove255AndSkip65535() {
        IouAccumulator acc = new IouAccumulator(315);
        short[] target = {(short) 300, (short) 300, (short) 255, (short) 0xFFFF, (short) 7};
        short[] prediction = {(short) 300, (short) 255, (short) 255, (short) 300, (short) 7};
        acc.add(LabelBuffer.of(prediction), LabelBuffer.of(target));
        assertEquals(1, acc.intersection()[300]);
        assertEquals(2, acc.target()[300]);
        assertEquals(1, acc.predicted()[300], "the ignored pixel's prediction is not counted");
        assertEquals(1, acc.intersection()[255], "255 is a class in a 16-bit map");
        assertEquals(2, acc.predicted()[255]);
        assertThrows(IllegalStateException.class,
                () -> acc.add(LabelBuffer.of(new byte[1]), LabelBuffer.of(new byte[1])));
    }
}
