package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.Trainer;

/**
 * A tiny HRNet trained by the engine with {@code --strategy ccsa} on two toy "domains" that differ by a colour cast:
 * the contrastive and the cross-entropy losses both fall and every step gets its full set of pairs; a batch without
 * cross-domain pairs trains on cross-entropy alone.
 */
class CcsaTrainingTest {

    static final int SIZE = 17;
    static final int CLASSES = 4;
    static final List<DatasetSlice> SLICES = List.of(new DatasetSlice("alpha", 0, 2),
            new DatasetSlice("beta", 2, 2));
    private static final float[][] COLOURS = {{-1, -1, -1}, {1.5f, -1, -1}, {-1, 1.5f, -1}, {-1, -1, 1.5f}};

    /** Rectangles of class colours on class 0, with noise; the second dataset's images are brighter. */
    static Batch batch(long index) {
        int n = 4;
        int pixels = SIZE * SIZE;
        float[] images = new float[n * pixels * 3];
        byte[] labels = new byte[n * pixels];
        Random random = new Random(1000 + index);
        for (int b = 0; b < n; b++) {
            int[] lab = new int[pixels];
            for (int r = 0; r < 3; r++) {
                int c = 1 + random.nextInt(CLASSES - 1);
                int y0 = random.nextInt(SIZE);
                int x0 = random.nextInt(SIZE);
                int h = 4 + random.nextInt(SIZE / 2);
                int w = 4 + random.nextInt(SIZE / 2);
                for (int y = y0; y < Math.min(SIZE, y0 + h); y++) {
                    for (int x = x0; x < Math.min(SIZE, x0 + w); x++) {
                        lab[y * SIZE + x] = c;
                    }
                }
            }
            float cast = b >= 2 ? 0.6f : 0f;
            for (int p = 0; p < pixels; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    images[(b * pixels + p) * 3 + ch] = COLOURS[lab[p]][ch] + cast
                            + (float) (random.nextGaussian() * 0.3);
                }
                int y = p / SIZE;
                int x = p % SIZE;
                boolean border = y == 0 || x == 0 || y == SIZE - 1 || x == SIZE - 1;
                labels[b * pixels + p] = (byte) (border ? 255 : lab[p]);
            }
        }
        return new Batch(index, SIZE, SIZE, images, LabelBuffer.of(labels), SLICES, Map.of());
    }

    private static Trainer trainer(int steps) {
        CcsaStrategy strategy = new CcsaStrategy(new CcsaOptions(0.25, 20, 1.0, 3));
        return Trainer.builder()
                .model(tf -> new HrnetGraphModel(Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 7)))
                .slices(SLICES)
                .crop(SIZE, SIZE)
                .schedule(new PolyLrSchedule(0.05, steps, 0.9))
                .strategy(strategy, Map.of())
                .build();
    }

    /**
     * Forty steps on learnable data, then one step on a batch whose second dataset is entirely ignored (one graph and
     * session for both, to keep the suite short).
     */
    @Test
    void lossesFallAndABatchWithoutCrossDomainPairsTrainsOnCrossEntropyAlone() {
        int steps = 40;
        try (Trainer trainer = trainer(steps + 1)) {
            double[] contrastive = new double[steps];
            double[] crossEntropy = new double[steps];
            for (int i = 0; i < steps; i++) {
                Trainer.StepResult r = trainer.step(batch(i));
                Map<String, Double> extras = r.outcome().extras();
                assertEquals(20.0, extras.get("ccsa/positive_pairs"));
                assertEquals(60.0, extras.get("ccsa/negative_pairs"));
                contrastive[i] = extras.get("ccsa/contrastive");
                crossEntropy[i] = extras.get("ccsa/cross_entropy");
                assertEquals(0.25 * contrastive[i] + 0.75 * crossEntropy[i], r.outcome().loss(),
                        combinationBound(contrastive[i], crossEntropy[i]));
                assertEquals(List.of("alpha", "beta"), List.copyOf(r.outcome().datasetLosses().keySet()));
            }
            double firstC = mean(contrastive, 0, 5);
            double lastC = mean(contrastive, steps - 5, steps);
            double firstCe = mean(crossEntropy, 0, 5);
            double lastCe = mean(crossEntropy, steps - 5, steps);
            System.out.printf("ccsa tiny run: contrastive %.4f -> %.4f, cross-entropy %.4f -> %.4f%n", firstC, lastC,
                    firstCe, lastCe);
            assertTrue(lastC < 0.7 * firstC, "contrastive loss fell from " + firstC + " to " + lastC);
            assertTrue(lastCe < 0.8 * firstCe, "cross-entropy fell from " + firstCe + " to " + lastCe);

            Batch full = batch(steps);
            byte[] labels = ((LabelBuffer.Bytes) full.labels()).ids();
            Arrays.fill(labels, labels.length / 2, labels.length, (byte) 255);
            Trainer.StepResult r = trainer.step(new Batch(steps, SIZE, SIZE, full.images(), LabelBuffer.of(labels),
                    SLICES, Map.of()));
            Map<String, Double> extras = r.outcome().extras();
            assertEquals(0.0, extras.get("ccsa/positive_pairs"));
            assertEquals(0.0, extras.get("ccsa/negative_pairs"));
            assertEquals(0.0, extras.get("ccsa/contrastive"));
            assertTrue(extras.get("ccsa/cross_entropy") > 0);
            assertEquals(0.75 * extras.get("ccsa/cross_entropy"), r.outcome().loss(),
                    combinationBound(0, extras.get("ccsa/cross_entropy")));
        }
    }

    /**
     * The logged loss is {@code 0.25f·c + 0.75f·ce} evaluated in float32 from the very tensors logged as {@code c}
     * and {@code ce} (both weights are exact in binary): two rounded products and a rounded sum, so it is within
     * {@code γ_2·(0.25|c| + 0.75|ce|)} of the exact combination on any CPU, fused multiply-add or not; γ_3 leaves room
     * for one more rounding should Grappler reassociate it. The former absolute 1e-4 let a weight error of that size
     * through; this bound catches one of about 1e-6.
     */
    private static double combinationBound(double contrastive, double crossEntropy) {
        return gamma(3, FLOAT32_UNIT_ROUNDOFF) * (0.25 * Math.abs(contrastive) + 0.75 * Math.abs(crossEntropy));
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
