package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.train.StepReport;
import org.mseg.engine.StepLines;
import org.mseg.engine.Trainer;

/**
 * A tiny HRNet trained by the engine with {@code --strategy mgda} on three synthetic datasets with different class
 * subsets and colour casts: the weights α move from step to step, the loss falls, and the log line carries α.
 */
class MgdaTrainingTest {

    private static final int STEPS = 30;

    @Test
    void alphaMovesAndTheLossFallsOverThirtySteps() {
        ToyTraining.Steps steps = new ToyTraining.Steps();
        double[] loss = new double[STEPS];
        double[] meanDatasetLoss = new double[STEPS];
        double[][] alpha = new double[STEPS][];
        String line = null;
        try (Trainer trainer = ToyTraining.trainer(new MgdaStrategy(MgdaOptions.defaults(), steps), 0.05, STEPS)) {
            for (int i = 0; i < STEPS; i++) {
                Trainer.StepResult r = trainer.step(ToyTraining.batch(i));
                loss[i] = r.outcome().loss();
                meanDatasetLoss[i] = r.outcome().datasetLosses().values().stream().mapToDouble(Double::doubleValue)
                        .average().orElseThrow();
                alpha[i] = steps.last().alpha();
                assertEquals(List.of("alpha", "beta", "gamma"), steps.last().datasets());
                if (i == STEPS - 1) {
                    line = StepLines.format(new StepReport(r.iteration(), STEPS, loss[i],
                            r.outcome().datasetLosses(), r.learningRate(), 10, 0, 0.1, r.outcome().extras()));
                }
            }
        }
        assertEquals(STEPS, steps.seen.size());
        double largestMove = 0;
        for (int d = 0; d < 3; d++) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (double[] a : alpha) {
                min = Math.min(min, a[d]);
                max = Math.max(max, a[d]);
            }
            largestMove = Math.max(largestMove, max - min);
        }
        double first = mean(loss, 0, 5);
        double last = mean(loss, STEPS - 5, STEPS);
        double firstMean = mean(meanDatasetLoss, 0, 5);
        double lastMean = mean(meanDatasetLoss, STEPS - 5, STEPS);
        System.out.printf("mgda tiny run: weighted loss %.4f -> %.4f, mean dataset loss %.4f -> %.4f, largest α range"
                + " %.3f; last line: %s%n", first, last, firstMean, lastMean, largestMove, line);
        assertTrue(largestMove > 0.1, "α stayed put: largest range over the run " + largestMove);
        assertTrue(last < 0.8 * first, "weighted loss fell only from " + first + " to " + last);
        assertTrue(lastMean < 0.8 * firstMean, "mean dataset loss fell only from " + firstMean + " to " + lastMean);
        assertTrue(line.contains(" alpha/alpha ") && line.contains(" alpha/gamma ") && line.contains("grad_norm/beta"),
                line);
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
