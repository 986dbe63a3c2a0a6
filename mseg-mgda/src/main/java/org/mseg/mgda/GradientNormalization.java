package org.mseg.mgda;

import java.util.Arrays;
import java.util.List;

/**
 * How per-task gradients are rescaled before the min-norm problem, as upstream's {@code gradient_normalizers}
 * (MGDA reference code, copied into {@code mseg_semantic/multiobjective_opt/}). Upstream divides each task's
 * gradient by a normaliser {@code gn_t}; here we return the reciprocal, the scale {@code s_t = 1 / gn_t}:
 * <ul>
 *   <li>{@code none}: {@code s_t = 1} — what MSeg runs (gradients are not normalised, norms only printed);</li>
 *   <li>{@code l2}: {@code s_t = 1 / ‖g_t‖ = 1 / sqrt(G_tt)} — the rescaled Gram matrix holds cosine
 *       similarities;</li>
 *   <li>{@code loss}: {@code s_t = 1 / loss_t};</li>
 *   <li>{@code loss+}: {@code s_t = 1 / (loss_t · ‖g_t‖)}.</li>
 * </ul>
 * Working on Gram matrices, rescaling the gradients {@code g'_t = s_t g_t} is rescaling the matrix
 * ({@link #rescaleGram}: {@code G'_ij = s_i s_j G_ij}); the min-norm weights {@code α} are solved on {@code G'} and
 * the weights to apply to the <em>raw</em> gradients are {@code α_t · s_t} ({@link #rawGradientWeights}). Note
 * that those no longer sum to 1.
 *
 * <p>Zero normalisers: upstream divides by zero and produces inf/NaN gradients. Here a task whose normaliser is
 * zero (a zero gradient for {@code l2}, a zero loss for {@code loss}, either for {@code loss+}), or so small that
 * its reciprocal overflows, is left unscaled ({@code s_t = 1}); a zero gradient stays zero whatever its scale.
 * Gram diagonals that are slightly negative from rounding count as zero norms.
 */
public enum GradientNormalization {
    /** No normalisation ({@code none}); MSeg's setting. */
    NONE("none"),
    /** Divide by the gradient norm ({@code l2}). */
    L2("l2"),
    /** Divide by the task loss ({@code loss}). */
    LOSS("loss"),
    /** Divide by loss times gradient norm ({@code loss+}). */
    LOSS_PLUS("loss+");

    /** The normalisation MSeg trains with. */
    public static final GradientNormalization DEFAULT = NONE;

    private final String configName;

    GradientNormalization(String configName) {
        this.configName = configName;
    }

    /**
     * The name used in configuration files and by upstream.
     *
     * @return {@code none}, {@code l2}, {@code loss} or {@code loss+}
     */
    public String configName() {
        return configName;
    }

    /**
     * All configuration names.
     *
     * @return the names in declaration order, immutable
     */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(GradientNormalization::configName).toList();
    }

    /**
     * Looks a normalisation up by its configuration name (exact, as upstream spells it).
     *
     * @param name one of {@code none}, {@code l2}, {@code loss}, {@code loss+}
     * @return the normalisation
     * @throws IllegalArgumentException for any other name; the message lists the valid names
     */
    public static GradientNormalization fromConfigName(String name) {
        for (GradientNormalization n : values()) {
            if (n.configName.equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown gradient normalization " + (name == null ? "null" : "'" + name + "'")
                + "; valid names: " + String.join(", ", configNames()));
    }

    /**
     * The per-task scale factors {@code s_t} (the reciprocals of upstream's normalisers).
     *
     * @param gram   the Gram matrix of the raw per-task gradients (validated as by {@link MinNormSolver#solve})
     * @param losses one loss per task; their values are only read (and must be finite and ≥ 0) for {@code loss}
     *               and {@code loss+}
     * @return one positive, finite scale per task
     * @throws IllegalArgumentException for an invalid Gram matrix, a losses array of the wrong length, or a
     *                                  negative or non-finite loss where losses are used
     */
    public double[] scales(double[][] gram, double[] losses) {
        double[][] g = GramMatrices.validatedSymmetricCopy(gram);
        int n = g.length;
        if (losses == null || losses.length != n) {
            throw new IllegalArgumentException("need one loss per task: the Gram matrix has " + n + " tasks but "
                    + (losses == null ? "losses is null" : "there are " + losses.length + " losses"));
        }
        boolean usesLoss = this == LOSS || this == LOSS_PLUS;
        boolean usesNorm = this == L2 || this == LOSS_PLUS;
        double[] scales = new double[n];
        for (int t = 0; t < n; t++) {
            double divisor = 1.0;
            if (usesLoss) {
                double loss = losses[t];
                if (!Double.isFinite(loss) || loss < 0) {
                    throw new IllegalArgumentException("gradient normalization '" + configName + "' needs finite,"
                            + " non-negative losses, but the loss of task " + t + " is " + loss);
                }
                divisor *= loss;
            }
            if (usesNorm) {
                divisor *= Math.sqrt(Math.max(g[t][t], 0.0));
            }
            double scale = 1.0 / divisor;
            scales[t] = divisor > 0 && Double.isFinite(scale) ? scale : 1.0;
        }
        return scales;
    }

    /**
     * The Gram matrix of the rescaled gradients {@code s_t g_t}: {@code G'_ij = s_i s_j G_ij}.
     *
     * @param gram   the Gram matrix of the raw gradients (validated as by {@link MinNormSolver#solve})
     * @param scales one finite, positive scale per task, e.g. from {@link #scales}
     * @return a new, symmetric matrix
     * @throws IllegalArgumentException for an invalid matrix, mismatched or invalid scales, or an overflowing entry
     */
    public static double[][] rescaleGram(double[][] gram, double[] scales) {
        double[][] g = GramMatrices.validatedSymmetricCopy(gram);
        int n = g.length;
        checkScales(scales, n);
        double[][] rescaled = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = (scales[i] * g[i][j]) * scales[j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("rescaled Gram entry [" + i + "][" + j + "] overflows: scales "
                            + scales[i] + " and " + scales[j] + " are too large for entry " + g[i][j]);
                }
                rescaled[i][j] = v;
            }
        }
        return rescaled;
    }

    /**
     * The weights to apply to the raw gradients, {@code w_t = α_t · s_t}, given the min-norm weights {@code α}
     * solved on the rescaled Gram matrix.
     *
     * @param alpha  min-norm weights, one per task
     * @param scales the scales the Gram matrix was rescaled with
     * @return a new array of per-task weights
     * @throws IllegalArgumentException if the lengths differ or an entry is not finite
     */
    public static double[] rawGradientWeights(double[] alpha, double[] scales) {
        if (alpha == null) {
            throw new IllegalArgumentException("alpha is null");
        }
        checkScales(scales, alpha.length);
        double[] weights = new double[alpha.length];
        for (int t = 0; t < alpha.length; t++) {
            if (!Double.isFinite(alpha[t])) {
                throw new IllegalArgumentException("alpha of task " + t + " is " + alpha[t]);
            }
            weights[t] = alpha[t] * scales[t];
        }
        return weights;
    }

    private static void checkScales(double[] scales, int n) {
        if (scales == null || scales.length != n) {
            throw new IllegalArgumentException("need one scale per task (" + n + " tasks) but "
                    + (scales == null ? "scales is null" : "there are " + scales.length + " scales"));
        }
        for (int t = 0; t < n; t++) {
            if (!Double.isFinite(scales[t]) || !(scales[t] > 0)) {
                throw new IllegalArgumentException("scale of task " + t + " is " + scales[t]
                        + "; scales must be finite and positive");
            }
        }
    }
}
