package org.mseg.engine.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.DevicePlan;
import org.mseg.engine.Trainer;

/**
 * Compares training on two device plans (or two batch orders) step by step: the per-step losses and, after the last
 * step, every model variable (weights and BN running statistics) and momentum buffer. Differences are reported
 * relative to the magnitude of what is compared ({@code |a − b| / max(1, |a|)}), so a tolerance states a number of
 * float32 roundings, not one machine's values.
 */
public final class DataParallelCheck {

    private DataParallelCheck() {
    }

    /**
     * The result of a comparison.
     *
     * @param worstVariable the variable with the largest relative difference
     * @param variable      that difference
     * @param loss          the largest relative difference of a step's loss
     */
    public record Difference(String worstVariable, double variable, double loss) {
        /** The larger of the two. */
        public double max() {
            return Math.max(variable, loss);
        }
    }

    /** What one run left: the losses of its steps and its variables. */
    public record Run(List<Double> losses, Map<String, float[]> variables) {
    }

    /** Trains {@code batches} with a trainer built for {@code plan}. */
    public static Run train(Function<DevicePlan, Trainer> trainer, DevicePlan plan, List<Batch> batches) {
        try (Trainer t = trainer.apply(plan)) {
            if (!t.devices().equals(plan)) {
                throw new IllegalStateException("trainer built for " + t.devices() + ", not " + plan);
            }
            List<Double> losses = new ArrayList<>();
            for (Batch b : batches) {
                losses.add(t.step(b).outcome().loss());
            }
            return new Run(losses, t.variableValues());
        }
    }

    /** The relative differences of two runs. */
    public static Difference compare(Run a, Run b) {
        if (!a.variables().keySet().equals(b.variables().keySet())) {
            throw new IllegalArgumentException("the runs have different variables");
        }
        String worst = "";
        double variable = 0;
        for (var e : a.variables().entrySet()) {
            float[] x = e.getValue();
            float[] y = b.variables().get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs(x[i] - y[i]) / Math.max(1.0, Math.abs(x[i]));
                if (d > variable) {
                    variable = d;
                    worst = e.getKey();
                }
            }
        }
        double loss = 0;
        for (int i = 0; i < a.losses().size(); i++) {
            double x = a.losses().get(i);
            loss = Math.max(loss, Math.abs(x - b.losses().get(i)) / Math.max(1.0, Math.abs(x)));
        }
        return new Difference(worst, variable, loss);
    }

    /**
     * The batch with the crops of every dataset in reverse order: the same training step, summed in another order (BN
     * statistics and losses do not depend on the order of crops). Training on it shows how far float32 rounding alone
     * moves a run: the noise floor a multi-device run is held to.
     */
    public static Batch reversedWithinSlices(Batch batch) {
        int pixels = batch.height() * batch.width();
        float[] images = new float[batch.images().length];
        LabelBuffer labels = LabelBuffer.allocate(batch.labels().bits(), batch.size() * pixels);
        for (DatasetSlice s : batch.slices()) {
            for (int k = 0; k < s.count(); k++) {
                int from = s.offset() + k;
                int to = s.offset() + s.count() - 1 - k;
                System.arraycopy(batch.images(), from * pixels * 3, images, to * pixels * 3, pixels * 3);
                copyRow(batch.labels(), from, labels, to, pixels);
            }
        }
        return new Batch(batch.index(), batch.height(), batch.width(), images, labels, batch.slices(),
                batch.sourceState());
    }

    private static void copyRow(LabelBuffer from, int fromRow, LabelBuffer to, int toRow, int pixels) {
        if (from instanceof LabelBuffer.Shorts s) {
            System.arraycopy(s.ids(), fromRow * pixels, ((LabelBuffer.Shorts) to).ids(), toRow * pixels, pixels);
        } else {
            System.arraycopy(((LabelBuffer.Bytes) from).ids(), fromRow * pixels, ((LabelBuffer.Bytes) to).ids(),
                    toRow * pixels, pixels);
        }
    }
}
