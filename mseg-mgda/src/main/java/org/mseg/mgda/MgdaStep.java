package org.mseg.mgda;

import java.util.List;
import java.util.Objects;

/**
 * What MGDA solved in one training step; given to the observer of {@link MgdaStrategy}. Arrays are copied in and out,
 * so the record is immutable; all per-dataset arrays follow {@link #datasets()}.
 *
 * @param iteration   steps completed before this one
 * @param datasets    dataset names in batch order
 * @param gram        the Gram matrix of the raw per-dataset gradients as fetched from the graph (symmetrised)
 * @param objectives  the per-dataset training losses {@code L_d}
 * @param scales      the normalisation scales {@code s_d} (all 1 for {@code none})
 * @param alpha       the min-norm weights solved on the rescaled Gram matrix (on the simplex)
 * @param weights     the weights applied to the raw gradients, {@code w_d = α_d·s_d / Σ_e α_e·s_e}
 * @param converged   whether the solver met its tolerance
 */
public record MgdaStep(long iteration, List<String> datasets, double[][] gram, double[] objectives, double[] scales,
        double[] alpha, double[] weights, boolean converged) {

    /** Validates the sizes and copies everything. */
    public MgdaStep {
        datasets = List.copyOf(datasets);
        int n = datasets.size();
        gram = copy(Objects.requireNonNull(gram, "gram"));
        objectives = check("objectives", objectives, n);
        scales = check("scales", scales, n);
        alpha = check("alpha", alpha, n);
        weights = check("weights", weights, n);
        if (gram.length != n) {
            throw new IllegalArgumentException("Gram matrix has " + gram.length + " rows for " + n + " datasets");
        }
    }

    @Override
    public double[][] gram() {
        return copy(gram);
    }

    @Override
    public double[] objectives() {
        return objectives.clone();
    }

    @Override
    public double[] scales() {
        return scales.clone();
    }

    @Override
    public double[] alpha() {
        return alpha.clone();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    /** The value the step minimised, {@code Σ_d α_d L_d}: what the log line reports as the loss. */
    public double weightedLoss() {
        double sum = 0;
        for (int d = 0; d < alpha.length; d++) {
            sum += alpha[d] * objectives[d];
        }
        return sum;
    }

    private static double[] check(String name, double[] values, int n) {
        Objects.requireNonNull(values, name);
        if (values.length != n) {
            throw new IllegalArgumentException(name + " has " + values.length + " entries for " + n + " datasets");
        }
        return values.clone();
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }
}
