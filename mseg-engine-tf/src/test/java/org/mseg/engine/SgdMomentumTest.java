package org.mseg.engine;

import org.mseg.engine.model.ParameterGroup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The update equals PyTorch's SGD: g += wd·w; buf = m·buf + g; w −= lr·buf (with per-group multipliers). */
class SgdMomentumTest {

    private static Variable<TFloat32> variable(Ops tf, String name, float[] value) {
        Variable<TFloat32> v = tf.withName(name).variable(Shape.of(value.length), TFloat32.class);
        tf.withInitScope().assign(v, tf.withInitScope().constant(value));
        return v;
    }

    @Test
    void updatesFollowPytorchSgdWithMomentumAndWeightDecay() {
        float[] c = {0.5f, -1.5f};
        float[] w0 = {1f, -2f};
        float[] v0 = {3f};
        double wd = 0.1;
        double m = 0.9;
        double[] rates = {0.1, 0.05, 0.02};
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Variable<TFloat32> w = variable(tf, "w", w0);
            Variable<TFloat32> v = variable(tf, "v", v0);
            // loss = Σ c·w + v² → dL/dw = c, dL/dv = 2v
            Operand<TFloat32> loss = tf.math.add(tf.sum(tf.math.mul(tf.identity(w), tf.constant(c)), tf.constant(0)),
                    tf.sum(tf.math.square(tf.identity(v)), tf.constant(0)));
            SgdMomentum opt = new SgdMomentum(tf, List.of(new ParameterGroup("a", List.of(w), 1f),
                    new ParameterGroup("b", List.of(v), 10f)), (float) m, (float) wd);
            var grads = tf.gradients(loss, opt.variables());
            @SuppressWarnings("unchecked")
            List<Operand<TFloat32>> gs = List.of((Operand<TFloat32>) (Operand<?>) grads.dy(0),
                    (Operand<TFloat32>) (Operand<?>) grads.dy(1));
            Op step = opt.apply(gs, List.of());
            double[] ew = {w0[0], w0[1]};
            double[] bw = new double[2];
            double ev = v0[0];
            double bv = 0;
            // Error bounds of TensorFlow's float32 recursion against this exact one, carried along: each step rounds
            // the gradient (≤ 2 roundings), the buffer m·b + g (≤ 2) and the variable w − lr·s·b (≤ 3, one more for
            // the float32 learning rate), each relative to its terms; errors already present propagate with the
            // recursion's own factors. Fused multiply-adds (AVX2, AVX-512) only remove roundings.
            double u = FLOAT32_UNIT_ROUNDOFF;
            double[] errW = new double[2];
            double[] errB = new double[2];
            double errV = 0;
            double errBv = 0;
            try (Session s = new Session(g)) {
                for (double lr : rates) {
                    try (TFloat32 rate = TFloat32.scalarOf((float) lr)) {
                        s.runner().feed(opt.learningRate(), rate).addTarget(step).run();
                    }
                    for (int i = 0; i < 2; i++) {
                        double grad = c[i] + wd * ew[i];
                        double gradErr = gamma(2, u) * (Math.abs(c[i]) + wd * Math.abs(ew[i])) + wd * errW[i];
                        errB[i] = m * errB[i] + gradErr + gamma(2, u) * (m * Math.abs(bw[i]) + Math.abs(grad));
                        bw[i] = m * bw[i] + grad;
                        errW[i] += lr * errB[i] + gamma(4, u) * (Math.abs(ew[i]) + lr * Math.abs(bw[i]));
                        ew[i] -= lr * bw[i];
                    }
                    double grad = 2 * ev + wd * ev;
                    double gradErr = gamma(3, u) * (2 + wd) * Math.abs(ev) + (2 + wd) * errV;
                    errBv = m * errBv + gradErr + gamma(2, u) * (m * Math.abs(bv) + Math.abs(grad));
                    bv = m * bv + grad;
                    errV += 10 * lr * errBv + gamma(5, u) * (Math.abs(ev) + 10 * lr * Math.abs(bv));
                    ev -= 10 * lr * bv;
                }
                try (Result r = s.runner().fetch(w).fetch(v).fetch(opt.slots().get(0)).run()) {
                    TFloat32 wt = (TFloat32) r.get(0);
                    assertEquals(ew[0], wt.getFloat(0), errW[0]);
                    assertEquals(ew[1], wt.getFloat(1), errW[1]);
                    assertEquals(ev, ((TFloat32) r.get(1)).getFloat(0), errV);
                    assertEquals(bw[1], ((TFloat32) r.get(2)).getFloat(1), errB[1]);
                    // the bounds stay far below what a wrong weight decay (0 instead of 0.1: lr·wd·|w| ≥ 5e-3 per step)
                    // or a missing group scale (10 for v) would change
                    assertTrue(Math.max(Math.max(errW[0], errW[1]), Math.max(errV, errB[1])) < 1e-4,
                            "error bounds " + java.util.Arrays.toString(errW) + " " + errV + " " + errB[1]);
                }
            }
            assertEquals("w.momentum_buffer", opt.slots().get(0).op().name());
        }
    }
}
