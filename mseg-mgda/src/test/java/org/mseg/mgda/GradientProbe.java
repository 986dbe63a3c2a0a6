package org.mseg.mgda;

import java.util.ArrayList;
import java.util.List;
import org.mseg.engine.GraphTrainingStrategy;
import org.mseg.engine.StepProgram;
import org.mseg.engine.StrategyContext;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Wraps a strategy and, before each of its steps, fetches every dataset's gradient separately (w.r.t. every trainable
 * variable, or w.r.t. the representation) from gradient ops of its own, so that tests can recompute the Gram matrix
 * and the update outside the strategy.
 */
final class GradientProbe implements GraphTrainingStrategy {

    private final GraphTrainingStrategy inner;
    private final boolean representation;
    /** Names of the trainable variables, in the engine's order (parameter gradients only). */
    final List<String> variableNames = new ArrayList<>();
    /** Per dataset, per part (variable or the representation), the gradient values of the last step. */
    List<List<float[]>> lastGradients = List.of();

    GradientProbe(GraphTrainingStrategy inner, boolean representation) {
        this.inner = inner;
        this.representation = representation;
    }

    @Override
    public StepProgram build(StrategyContext ctx) {
        Ops tf = ctx.tf();
        int datasets = ctx.slices().size();
        ctx.variables().forEach(v -> variableNames.add(v.op().name()));
        List<List<Operand<TFloat32>>> grads = new ArrayList<>();
        for (int d = 0; d < datasets; d++) {
            Operand<TFloat32> loss = ctx.loss().perDataset().get(d);
            if (representation) {
                @SuppressWarnings("unchecked")
                Operand<TFloat32> g = (Operand<TFloat32>) (Operand<?>) tf.gradients(loss,
                        List.of(MgdaStrategy.tappedTensor(ctx.forward().representation()))).dy(0);
                grads.add(List.of(g));
            } else {
                grads.add(ctx.gradients(loss));
            }
        }
        StepProgram program = inner.build(ctx);
        return step -> {
            Session.Runner runner = step.runner();
            grads.forEach(list -> list.forEach(runner::fetch));
            List<List<float[]>> values = new ArrayList<>();
            try (Result r = runner.run()) {
                int k = 0;
                for (List<Operand<TFloat32>> list : grads) {
                    List<float[]> row = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        TFloat32 t = (TFloat32) r.get(k++);
                        float[] v = new float[Math.toIntExact(t.size())];
                        t.asRawTensor().data().asFloats().read(v);
                        row.add(v);
                    }
                    values.add(row);
                }
            }
            lastGradients = values;
            return program.run(step);
        };
    }

    /** {@code Σ_parts ⟨g_i, g_j⟩} of the last step's gradients, in double precision. */
    double[][] gram() {
        int n = lastGradients.size();
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int part = 0; part < lastGradients.get(i).size(); part++) {
                    float[] a = lastGradients.get(i).get(part);
                    float[] b = lastGradients.get(j).get(part);
                    for (int e = 0; e < a.length; e++) {
                        s += (double) a[e] * b[e];
                    }
                }
                g[i][j] = s;
            }
        }
        return g;
    }
}
