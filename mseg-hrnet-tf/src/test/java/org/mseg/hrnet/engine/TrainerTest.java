package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.TrainingException;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.Trainer;

/** Training steps of a tiny HRNet on toy data: learning, bit-reproducibility, exact resume, failure on NaN. */
class TrainerTest {

    private static final int SIZE = 17;
    private static final int SMALL = 9;
    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(2);

    @Test
    void lossFallsOnLearnableData() {
        ToyBatches data = new ToyBatches(1, SIZE, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 60, 7).evalSize(SIZE, SIZE).build()) {
            double first = 0;
            double last = 0;
            for (int i = 0; i < 60; i++) {
                Trainer.StepResult r = t.step(data.next());
                assertEquals(i + 1, r.iteration());
                assertEquals(Map.of("alpha", 0, "beta", 1).keySet(), r.outcome().datasetLosses().keySet());
                if (i < 5) {
                    first += r.outcome().loss() / 5;
                } else if (i >= 55) {
                    last += r.outcome().loss() / 5;
                }
            }
            assertTrue(last < 0.7 * first, "loss fell from " + first + " to " + last);
            Batch b = data.next();
            LabelBuffer predicted = t.predict(b.images(), b.size(), SIZE, SIZE);
            int correct = 0;
            int labelled = 0;
            for (int i = 0; i < predicted.length(); i++) {
                if (b.labels().get(i) != 255) {
                    labelled++;
                    correct += predicted.get(i) == b.labels().get(i) ? 1 : 0;
                }
            }
            assertTrue(correct > 0.5 * labelled, "pixel accuracy " + (double) correct / labelled);
        }
    }

    @Test
    void twoSeededRunsGiveBitIdenticalWeights() {
        Map<String, float[]> a = train(6, 0, null);
        Map<String, float[]> b = train(6, 0, null);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
        }
    }

    /** Runs {@code steps} steps from batch {@code start} (restoring {@code prefix} first, if given). */
    private static Map<String, float[]> train(int steps, int start, String prefix) {
        ToyBatches data = new ToyBatches(3, SMALL, Toy.CLASSES, SLICES, start);
        Trainer.Builder b = Toy.trainer(SMALL, SLICES, 0.05, start + steps, 11);
        if (prefix != null) {
            b.initializer(t -> {
                t.session().restore(prefix);
                t.resumeAt(start);
            });
        }
        try (Trainer t = b.build()) {
            for (int i = 0; i < steps; i++) {
                t.step(data.next());
            }
            return t.variableValues();
        }
    }

    @Test
    void nonFiniteLossStopsTrainingNamingTheStep() {
        ToyBatches data = new ToyBatches(1, SIZE, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 10, 7).build()) {
            t.step(data.next());
            Batch good = data.next();
            float[] poisoned = good.images().clone();
            poisoned[5] = Float.NaN;
            Batch bad = new Batch(good.index(), SIZE, SIZE, poisoned, good.labels(), SLICES, Map.of());
            TrainingException e = assertThrows(TrainingException.class, () -> t.step(bad));
            assertTrue(e.getMessage().contains("at step 2"), e.getMessage());
            assertEquals(1, t.iteration());
            assertThrows(TrainingException.class, () -> t.step(data.next()));
        }
    }

    @Test
    void stepsStopAtMaxIters() {
        ToyBatches data = new ToyBatches(1, 9, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(9, SLICES, 0.01, 2, 7).build()) {
            t.step(data.next());
            assertEquals(0.01 * Math.pow(0.5, 0.9), t.step(data.next()).learningRate(), 1e-12);
            TrainingException e = assertThrows(TrainingException.class, () -> t.step(data.next()));
            assertTrue(e.getMessage().contains("max_iters 2"), e.getMessage());
        }
    }

    @Test
    void batchesOfAnotherLayoutAreRejected() {
        try (Trainer t = Toy.trainer(9, SLICES, 0.01, 2, 7).build()) {
            Batch other = new ToyBatches(1, 9, Toy.CLASSES, ToyBatches.twoDatasets(1), 0).next();
            assertThrows(IllegalArgumentException.class, () -> t.step(other));
        }
    }
}
