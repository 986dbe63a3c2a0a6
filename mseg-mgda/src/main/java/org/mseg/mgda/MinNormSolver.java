package org.mseg.mgda;

import java.util.Arrays;
import java.util.Objects;

/**
 * The MGDA min-norm problem: convex weights {@code α} (each {@code α_t ≥ 0}, {@code Σ α_t = 1}) minimising
 * {@code ‖Σ_t α_t g_t‖² = αᵀ G α}, given only the Gram matrix {@code G[i][j] = ⟨g_i, g_j⟩} of the per-task
 * gradients (in MSeg a task is a training dataset and {@code g_t} its gradient w.r.t. all model parameters).
 *
 * <h2>Algorithm</h2>
 * <ul>
 *   <li>One task: {@code [1]}.</li>
 *   <li>Two tasks: the exact closed form {@code γ = clamp((G11 − G01) / (G00 + G11 − 2·G01), 0, 1)},
 *       {@code α = (γ, 1 − γ)}, with the true vertices at the boundaries: {@code G01 ≥ G00} gives {@code (1, 0)}
 *       and {@code G01 ≥ G11} gives {@code (0, 1)}.</li>
 *   <li>Three or more tasks: Wolfe's minimum-norm-point algorithm (an exact active-set method that works on the
 *       Gram matrix alone): it keeps an affinely independent support, solves the KKT system of the equality
 *       constrained problem on that support by Cholesky, and pivots points in and out until the Frank-Wolfe gap is
 *       below the tolerance. It terminates in finitely many steps with the exact minimum up to rounding. Should
 *       rounding stall it (near-duplicate gradients, a Gram matrix with small negative eigenvalues), an iterative
 *       polish continues from its point: each iteration is a projected-gradient step (Euclidean projection onto
 *       the simplex, exact line search on the segment) followed by a pairwise Frank-Wolfe step (weight moved from
 *       the worst support task to the best task, exact line search). Every step of both phases counts against the
 *       iteration cap.</li>
 * </ul>
 * Convergence is measured by the KKT residual {@code max(λ − min_t (Gα)_t, max_{t: α_t > tol} (Gα)_t − λ)} with
 * {@code λ = αᵀGα}, relative to the Gram scale {@code max |G_ij|}: at the minimum every task has
 * {@code (Gα)_t ≥ λ}, with equality on the support. The first term is the Frank-Wolfe duality gap, which also
 * bounds how far the cost is above the minimum.
 *
 * <h2>Degenerate inputs</h2>
 * The solver returns a point of the simplex and never NaN. All-zero gradients give the uniform vector (the
 * objective is flat). Tasks whose gradients coincide up to rounding (equal rows and columns of {@code G}: two equal
 * tasks, two zero gradients) share their combined weight equally, so identical tasks are treated identically; in
 * particular two identical gradients give {@code (½, ½)}. A zero gradient next to non-zero ones gets all the weight
 * (cost 0: the tasks are Pareto-stationary). Rank-deficient Gram matrices are handled exactly because the active
 * set stays affinely independent. The input is symmetrised; asymmetry or a negative diagonal beyond {@code 1e-6}
 * relative to {@code max |G_ij|} is rejected (loose enough for Gram matrices reduced in float32). For a matrix
 * that is genuinely indefinite the problem is not convex: the answer is still a simplex point, a KKT point when
 * {@link Result#converged()}, but not necessarily the global minimum.
 *
 * <h2>Differences from MSeg ({@code mseg_semantic/multiobjective_opt/min_norm_solvers_new.py})</h2>
 * We compute the true minimum; upstream does not, because of four defects we do not copy:
 * <ol>
 *   <li>{@code MAX_ITER = 250} is never applied: the loop counter is never incremented, so upstream iterates until
 *       its {@code Σ|Δα| < 1e-5} test holds, however long that takes. Here {@code maxIterations} is a real cap and
 *       the result says whether the tolerance was met.</li>
 *   <li>For fewer than three tasks upstream returns the uniform vector (with the best pair's cost, which does not
 *       belong to that vector). Here two tasks get the closed-form optimum and one task gets {@code [1]}.</li>
 *   <li>Upstream's two-point line search clips the boundary cases to {@code 0.999} / {@code 0.001} instead of
 *       {@code 1} / {@code 0}, so it can never reach a vertex, not even when one gradient is the minimum. Here the
 *       boundaries give the true vertices {@code (1, 0)} / {@code (0, 1)}.</li>
 *   <li>Upstream evaluates the best pair as an initial point and then overwrites it with the uniform vector; its
 *       stopping test is on the step length (it returns the point before the last step), not on optimality. Here
 *       the start is the shortest gradient and the stopping test is the KKT residual.</li>
 * </ol>
 * Upstream also scales the projected-gradient step by an uncapped {@code t}; our projected-gradient step uses a
 * fixed step {@code 1/L} and is only a safeguard behind the exact active-set method.
 */
public final class MinNormSolver {

    /** Iteration cap of {@link #solve(double[][])}: ample for the active-set method (typically ≈ n steps). */
    public static final int DEFAULT_MAX_ITERATIONS = 10_000;

    /** KKT tolerance of {@link #solve(double[][])}, relative to the Gram scale {@code max |G_ij|}. */
    public static final double DEFAULT_TOLERANCE = 1e-10;

    /**
     * Below this (relative to the Gram scale) a Cholesky pivot of the active-set system counts as zero: the new
     * task lies in the affine hull of the support up to rounding of the Gram entries.
     */
    private static final double PIVOT_TOLERANCE = 1e-14;

    /** Largest difference of two Gram rows (relative to the Gram scale) for which the tasks count as duplicates. */
    private static final double DUPLICATE_TOLERANCE = 64 * Math.ulp(1.0);

    private MinNormSolver() {}

    /**
     * Outcome of {@link #solve(double[][], int, double)}.
     *
     * @param alpha      the convex weights, one per task (each ≥ 0, summing to 1 up to rounding)
     * @param cost       {@code αᵀGα} for the (symmetrised) input, i.e. {@code ‖Σ_t α_t g_t‖²}
     * @param iterations active-set and polish steps taken (0 for one or two tasks and for all-zero gradients)
     * @param converged  whether the KKT residual is within the tolerance; {@code false} means the iteration cap
     *                   was hit or rounding stalled the method, and {@code alpha} is the best point reached
     */
    public record Result(double[] alpha, double cost, int iterations, boolean converged) {

        /**
         * Creates a result; {@code alpha} is copied (and copied again on access) so the record stays immutable.
         *
         * @param alpha      the convex weights, one per task
         * @param cost       {@code αᵀGα}
         * @param iterations steps taken
         * @param converged  whether the KKT residual is within the tolerance
         */
        public Result {
            Objects.requireNonNull(alpha, "alpha");
            alpha = alpha.clone();
        }

        /**
         * The weights.
         *
         * @return a copy of the weights, one per task
         */
        @Override
        public double[] alpha() {
            return alpha.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && Arrays.equals(alpha, r.alpha)
                    && Double.compare(cost, r.cost) == 0 && iterations == r.iterations && converged == r.converged;
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(alpha), cost, iterations, converged);
        }

        @Override
        public String toString() {
            return "Result[alpha=" + Arrays.toString(alpha) + ", cost=" + cost + ", iterations=" + iterations
                    + ", converged=" + converged + "]";
        }
    }

    /**
     * Min-norm convex weights with {@link #DEFAULT_MAX_ITERATIONS} and {@link #DEFAULT_TOLERANCE}.
     *
     * @param gram the Gram matrix {@code G[i][j] = ⟨g_i, g_j⟩}, square, finite and symmetric
     * @return the weights {@code α}, one per task
     * @throws IllegalArgumentException if {@code gram} is empty, not square, not finite, not symmetric or has a
     *                                  negative diagonal; the message names the entry
     */
    public static double[] solve(double[][] gram) {
        return solve(gram, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE).alpha;
    }

    /**
     * Min-norm convex weights with an explicit iteration cap and tolerance.
     *
     * @param gram          the Gram matrix {@code G[i][j] = ⟨g_i, g_j⟩}, square, finite and symmetric
     * @param maxIterations the most active-set plus polish steps to take, at least 1
     * @param tolerance     the KKT residual to reach, relative to {@code max |G_ij|}; finite and ≥ 0
     * @return weights, cost, steps taken and whether the tolerance was met
     * @throws IllegalArgumentException for an invalid matrix (see {@link #solve(double[][])}) or invalid options
     */
    public static Result solve(double[][] gram, int maxIterations, double tolerance) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
        }
        if (!Double.isFinite(tolerance) || tolerance < 0) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
        double[][] g = GramMatrices.validatedSymmetricCopy(gram);
        int n = g.length;
        if (n == 1) {
            return new Result(new double[] {1.0}, g[0][0], 0, true);
        }
        double scale = GramMatrices.maxAbs(g);
        if (scale == 0.0) {
            return new Result(uniform(n), 0.0, 0, true);
        }
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = g[i][j] / scale;
            }
        }

        double[] alpha;
        int iterations = 0;
        if (n == 2) {
            alpha = twoTasks(m);
        } else {
            alpha = new double[n];
            iterations = activeSet(m, alpha, maxIterations, tolerance);
            if (kktResidual(m, alpha, tolerance) > tolerance && iterations < maxIterations) {
                iterations += polish(m, alpha, maxIterations - iterations, tolerance);
            }
        }
        if (!allFinite(alpha)) {
            // Cannot happen for validated input; kept so that no caller ever sees NaN weights.
            alpha = vertex(n, argminDiagonal(m));
        }
        shareAmongDuplicates(m, alpha, tolerance);
        normaliseOntoSimplex(alpha);
        boolean converged = n == 2 || kktResidual(m, alpha, tolerance) <= tolerance;
        double cost = GramMatrices.dot(alpha, GramMatrices.multiply(g, alpha));
        return new Result(alpha, cost, iterations, converged);
    }

    /**
     * Euclidean projection onto the probability simplex {@code {z : z ≥ 0, Σ z = 1}}: {@code z = max(y − τ, 0)}
     * with the threshold {@code τ} found by sorting (Held, Wolfe and Crowder 1974; Duchi et al. 2008), the same
     * result as upstream's {@code projection_to_simplex}.
     *
     * @param y any finite, non-empty vector
     * @return the closest point of the simplex to {@code y}
     * @throws IllegalArgumentException if {@code y} is null, empty or has a non-finite entry
     */
    public static double[] projectToSimplex(double[] y) {
        if (y == null || y.length == 0) {
            throw new IllegalArgumentException("cannot project " + (y == null ? "null" : "an empty vector")
                    + " onto the simplex: it needs at least one entry");
        }
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("cannot project onto the simplex: entry " + i + " is " + y[i]);
            }
        }
        double[] sorted = y.clone();
        Arrays.sort(sorted);
        int m = sorted.length;
        double cumulative = 0.0;
        double tau = 0.0;
        // The test below holds for the k largest entries exactly for k = 1..ρ; τ is taken at k = ρ.
        for (int k = 1; k <= m; k++) {
            double largest = sorted[m - k];
            cumulative += largest;
            double candidate = (cumulative - 1.0) / k;
            if (largest - candidate > 0) {
                tau = candidate;
            } else {
                break;
            }
        }
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
            z[i] = Math.max(y[i] - tau, 0.0);
        }
        return z;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Two tasks

    private static double[] twoTasks(double[][] m) {
        double d0 = m[0][0] - m[0][1]; // ⟨g0, g0 − g1⟩
        double d1 = m[1][1] - m[0][1]; // ⟨g1, g1 − g0⟩
        if (d0 > 0 && d1 > 0) {
            double gamma = d1 / (d0 + d1);
            return new double[] {gamma, 1.0 - gamma};
        }
        if (d0 <= 0 && d1 <= 0) {
            // Equal gradients (shared later), or an indefinite matrix whose minimum on the segment is a vertex.
            return m[0][0] <= m[1][1] ? new double[] {1.0, 0.0} : new double[] {0.0, 1.0};
        }
        return d0 <= 0 ? new double[] {1.0, 0.0} : new double[] {0.0, 1.0};
    }

    // ---------------------------------------------------------------------------------------------------------
    // Wolfe's minimum-norm-point algorithm on the Gram matrix

    /** Runs the active-set method from the shortest gradient, writing into {@code alpha}; returns the steps. */
    private static int activeSet(double[][] m, double[] alpha, int maxIterations, double tolerance) {
        int n = m.length;
        int start = argminDiagonal(m);
        Arrays.fill(alpha, 0.0);
        alpha[start] = 1.0;
        int[] support = new int[n];
        boolean[] inSupport = new boolean[n];
        int size = 1;
        support[0] = start;
        inSupport[start] = true;
        int iterations = 0;

        while (iterations < maxIterations) {
            double[] grad = GramMatrices.multiply(m, alpha);
            double lambda = GramMatrices.dot(alpha, grad);
            int entering = argmin(grad);
            if (grad[entering] >= lambda - tolerance || inSupport[entering]) {
                return iterations; // optimal, or rounding makes a support task look improving: stop
            }
            support[size++] = entering;
            inSupport[entering] = true;

            boolean firstMinorCycle = true;
            while (true) {
                iterations++;
                double[] v = affineMinimiser(m, support, size);
                if (v == null) {
                    // Affinely dependent up to rounding; leave it to the polish. Entering has weight 0 only in
                    // the first minor cycle; later the support stays as it is (a valid convex combination).
                    if (firstMinorCycle) {
                        size = removeAt(support, size, size - 1, inSupport);
                    }
                    return iterations;
                }
                boolean allPositive = true;
                for (int k = 0; k < size; k++) {
                    if (!(v[k] > 0)) {
                        allPositive = false;
                        break;
                    }
                }
                if (allPositive) {
                    for (int k = 0; k < size; k++) {
                        alpha[support[k]] = v[k];
                    }
                    break;
                }
                // Move from alpha towards v until the first weight reaches zero, then drop the zero weights.
                double theta = 1.0;
                int blocking = -1;
                for (int k = 0; k < size; k++) {
                    if (v[k] <= 0) {
                        double a = alpha[support[k]];
                        double t = a - v[k] > 0 ? a / (a - v[k]) : 0.0;
                        if (t < theta) {
                            theta = t;
                            blocking = k;
                        }
                    }
                }
                if (firstMinorCycle && blocking == size - 1 && theta == 0.0) {
                    size = removeAt(support, size, size - 1, inSupport);
                    return iterations; // the entering task cannot take weight: rounding, leave it to the polish
                }
                for (int k = 0; k < size; k++) {
                    int t = support[k];
                    alpha[t] = k == blocking ? 0.0 : Math.max(alpha[t] + theta * (v[k] - alpha[t]), 0.0);
                }
                for (int k = size - 1; k >= 0; k--) {
                    if (alpha[support[k]] <= 0.0) {
                        size = removeAt(support, size, k, inSupport);
                    }
                }
                renormalise(alpha);
                firstMinorCycle = false;
                if (iterations >= maxIterations) {
                    return iterations;
                }
            }
        }
        return iterations;
    }

    /**
     * The minimiser of {@code ‖x‖²} over the affine hull of the support, as weights (summing to 1, possibly
     * negative) on the support; {@code null} when the support is affinely dependent up to rounding. With the base
     * point {@code b} and differences {@code q_k = g_k − g_b} it solves {@code Q c = −r},
     * {@code Q_kl = ⟨q_k, q_l⟩}, {@code r_k = ⟨q_k, g_b⟩}, which is positive definite exactly for an affinely
     * independent support.
     */
    private static double[] affineMinimiser(double[][] m, int[] support, int size) {
        int b = support[0];
        int k = size - 1;
        double[] v = new double[size];
        if (k == 0) {
            v[0] = 1.0;
            return v;
        }
        double[][] q = new double[k][k];
        double[] rhs = new double[k];
        for (int i = 0; i < k; i++) {
            int si = support[i + 1];
            for (int j = 0; j <= i; j++) {
                int sj = support[j + 1];
                double value = m[si][sj] - m[si][b] - m[b][sj] + m[b][b];
                q[i][j] = value;
                q[j][i] = value;
            }
            rhs[i] = -(m[si][b] - m[b][b]);
        }
        double[] c = choleskySolve(q, rhs);
        if (c == null) {
            return null;
        }
        double sum = 0.0;
        for (int i = 0; i < k; i++) {
            v[i + 1] = c[i];
            sum += c[i];
        }
        v[0] = 1.0 - sum;
        return allFinite(v) ? v : null;
    }

    /** Solves {@code a x = rhs} for symmetric {@code a}; {@code null} if {@code a} is not numerically PD. */
    private static double[] choleskySolve(double[][] a, double[] rhs) {
        int n = rhs.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double d = a[j][j];
            for (int p = 0; p < j; p++) {
                d -= l[j][p] * l[j][p];
            }
            if (!(d > PIVOT_TOLERANCE)) {
                return null;
            }
            double root = Math.sqrt(d);
            l[j][j] = root;
            for (int i = j + 1; i < n; i++) {
                double s = a[i][j];
                for (int p = 0; p < j; p++) {
                    s -= l[i][p] * l[j][p];
                }
                l[i][j] = s / root;
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = rhs[i];
            for (int p = 0; p < i; p++) {
                s -= l[i][p] * y[p];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int p = i + 1; p < n; p++) {
                s -= l[p][i] * x[p];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    private static int removeAt(int[] support, int size, int k, boolean[] inSupport) {
        inSupport[support[k]] = false;
        System.arraycopy(support, k + 1, support, k, size - k - 1);
        return size - 1;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Iterative polish: projected gradient + pairwise Frank-Wolfe, both with exact line search

    /**
     * Improves {@code alpha} in place for at most {@code maxIterations} iterations; returns the iterations taken.
     * Package-private so that tests can check the iterative method on its own.
     */
    static int polish(double[][] m, double[] alpha, int maxIterations, double tolerance) {
        int n = m.length;
        double lipschitz = 0.0; // Gershgorin bound on λ_max(M); the gradient of αᵀMα is 2Mα
        for (double[] row : m) {
            double s = 0.0;
            for (double v : row) {
                s += Math.abs(v);
            }
            lipschitz = Math.max(lipschitz, s);
        }
        if (lipschitz == 0.0) {
            return 0;
        }
        double step = 1.0 / (2.0 * lipschitz);
        int iterations = 0;
        while (iterations < maxIterations) {
            if (kktResidual(m, alpha, tolerance) <= tolerance) {
                break;
            }
            iterations++;
            // Projected-gradient step: direction towards proj(α − η∇f), exact line search on [0, 1].
            double[] grad = GramMatrices.multiply(m, alpha);
            double[] trial = new double[n];
            for (int t = 0; t < n; t++) {
                trial[t] = alpha[t] - step * 2.0 * grad[t];
            }
            double[] direction = projectToSimplex(trial);
            for (int t = 0; t < n; t++) {
                direction[t] -= alpha[t];
            }
            double slope = GramMatrices.dot(direction, grad);
            double curvature = GramMatrices.dot(direction, GramMatrices.multiply(m, direction));
            double gamma = lineSearch(slope, curvature, 1.0);
            boolean moved = gamma > 0;
            for (int t = 0; t < n; t++) {
                alpha[t] = Math.max(alpha[t] + gamma * direction[t], 0.0);
            }
            renormalise(alpha);

            // Pairwise Frank-Wolfe step: move weight from the worst support task to the best task.
            grad = GramMatrices.multiply(m, alpha);
            int best = argmin(grad);
            int worst = -1;
            for (int t = 0; t < n; t++) {
                if (alpha[t] > 0 && (worst < 0 || grad[t] > grad[worst])) {
                    worst = t;
                }
            }
            if (worst >= 0 && worst != best) {
                double pairSlope = grad[best] - grad[worst];
                double pairCurvature = m[best][best] + m[worst][worst] - 2.0 * m[best][worst];
                double maxStep = alpha[worst];
                double delta = lineSearch(pairSlope, pairCurvature, maxStep);
                if (delta > 0) {
                    moved = true;
                    alpha[best] += delta;
                    alpha[worst] = delta >= maxStep ? 0.0 : alpha[worst] - delta;
                    renormalise(alpha);
                }
            }
            if (!moved) {
                break; // no descent left at working precision
            }
        }
        return iterations;
    }

    /**
     * Minimiser over {@code γ ∈ [0, max]} of {@code 2γ·slope + γ²·curvature} (the change of {@code αᵀMα} along a
     * direction with {@code slope = dᵀMα}, {@code curvature = dᵀMd}); handles flat and concave directions.
     */
    private static double lineSearch(double slope, double curvature, double max) {
        if (!(slope < 0)) {
            return 0.0;
        }
        if (curvature > 0) {
            return Math.min(-slope / curvature, max);
        }
        return max;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared helpers

    /** {@code max(λ − min_t (Mα)_t, max_{t: α_t > tol} (Mα)_t − λ)}; 0 exactly at a KKT point. */
    static double kktResidual(double[][] m, double[] alpha, double tolerance) {
        double[] grad = GramMatrices.multiply(m, alpha);
        double lambda = GramMatrices.dot(alpha, grad);
        double residual = 0.0;
        for (int t = 0; t < grad.length; t++) {
            residual = Math.max(residual, lambda - grad[t]);
            if (alpha[t] > tolerance) {
                residual = Math.max(residual, grad[t] - lambda);
            }
        }
        return residual;
    }

    /**
     * Gives tasks whose gradients coincide up to rounding (equal Gram rows: {@code |G_ti − G_tj|} at rounding level
     * for every {@code t}) equal shares of their combined weight. That leaves {@code Σ α_t g_t} unchanged up to
     * rounding and makes the answer independent of the order of duplicated tasks. Reverted in the (rounding-only)
     * case where it would push the KKT residual above the tolerance.
     */
    private static void shareAmongDuplicates(double[][] m, double[] alpha, double tolerance) {
        int n = m.length;
        int[] group = new int[n];
        for (int i = 0; i < n; i++) {
            group[i] = i;
        }
        boolean any = false;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (sameRows(m, i, j)) {
                    int ri = root(group, i);
                    int rj = root(group, j);
                    if (ri != rj) {
                        group[Math.max(ri, rj)] = Math.min(ri, rj);
                        any = true;
                    }
                }
            }
        }
        if (!any) {
            return;
        }
        double residualBefore = kktResidual(m, alpha, tolerance);
        double[] before = alpha.clone();
        double[] total = new double[n];
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            int r = root(group, i);
            total[r] += alpha[i];
            count[r]++;
        }
        for (int i = 0; i < n; i++) {
            int r = root(group, i);
            alpha[i] = total[r] / count[r];
        }
        if (kktResidual(m, alpha, tolerance) > Math.max(tolerance, residualBefore)) {
            System.arraycopy(before, 0, alpha, 0, n);
        }
    }

    private static boolean sameRows(double[][] m, int i, int j) {
        for (int t = 0; t < m.length; t++) {
            if (Math.abs(m[t][i] - m[t][j]) > DUPLICATE_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static int root(int[] group, int i) {
        while (group[i] != i) {
            group[i] = group[group[i]];
            i = group[i];
        }
        return i;
    }

    /** Clamps rounding negatives to 0 and rescales to sum 1. */
    private static void normaliseOntoSimplex(double[] alpha) {
        for (int t = 0; t < alpha.length; t++) {
            if (!(alpha[t] > 0)) {
                alpha[t] = 0.0;
            }
        }
        renormalise(alpha);
    }

    private static void renormalise(double[] alpha) {
        double sum = 0.0;
        for (double a : alpha) {
            sum += a;
        }
        if (sum > 0 && sum != 1.0) {
            for (int t = 0; t < alpha.length; t++) {
                alpha[t] /= sum;
            }
        }
    }

    private static int argmin(double[] values) {
        int best = 0;
        for (int t = 1; t < values.length; t++) {
            if (values[t] < values[best]) {
                best = t;
            }
        }
        return best;
    }

    private static int argminDiagonal(double[][] m) {
        int best = 0;
        for (int t = 1; t < m.length; t++) {
            if (m[t][t] < m[best][best]) {
                best = t;
            }
        }
        return best;
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static double[] uniform(int n) {
        double[] u = new double[n];
        Arrays.fill(u, 1.0 / n);
        return u;
    }

    private static double[] vertex(int n, int t) {
        double[] e = new double[n];
        e[t] = 1.0;
        return e;
    }
}
