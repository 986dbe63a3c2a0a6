package org.mseg.engine;

import java.util.Locale;
import java.util.Map;
import org.mseg.api.train.StepReport;

/** The one-line text form of a {@link StepReport}, as training logs print it. */
public final class StepLines {

    private StepLines() {
    }

    /**
     * E.g. {@code step 20/600 loss 3.1042 (ade20k-150-relabeled 3.2011, bdd-relabeled 2.9140) lr 0.009700
     * 11.8 crops/s data 4%}.
     */
    public static String format(StepReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "step %d/%d loss %.4f", r.iteration(), r.maxIterations(), r.loss()));
        if (!r.datasetLosses().isEmpty()) {
            sb.append(" (");
            boolean first = true;
            for (Map.Entry<String, Double> e : r.datasetLosses().entrySet()) {
                sb.append(first ? "" : ", ").append(e.getKey())
                        .append(String.format(Locale.ROOT, " %.4f", e.getValue()));
                first = false;
            }
            sb.append(')');
        }
        sb.append(String.format(Locale.ROOT, " lr %.6f %.1f crops/s data %.0f%%", r.learningRate(),
                r.cropsPerSecond(), 100 * r.dataWaitFraction()));
        for (Map.Entry<String, Double> e : r.extras().entrySet()) {
            sb.append(String.format(Locale.ROOT, " %s %.4f", e.getKey(), e.getValue()));
        }
        return sb.toString();
    }
}
