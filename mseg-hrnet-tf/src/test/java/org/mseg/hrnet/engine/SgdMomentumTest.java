package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            try (Session s = new Session(g)) {
                for (double lr : rates) {
                    try (TFloat32 rate = TFloat32.scalarOf((float) lr)) {
                        s.runner().feed(opt.learningRate(), rate).addTarget(step).run();
                    }
                    for (int i = 0; i < 2; i++) {
                        double grad = c[i] + wd * ew[i];
                        bw[i] = m * bw[i] + grad;
                        ew[i] -= lr * bw[i];
                    }
                    double grad = 2 * ev + wd * ev;
                    bv = m * bv + grad;
                    ev -= 10 * lr * bv;
                }
                try (Result r = s.runner().fetch(w).fetch(v).fetch(opt.slots().get(0)).run()) {
                    TFloat32 wt = (TFloat32) r.get(0);
                    assertEquals(ew[0], wt.getFloat(0), 1e-6);
                    assertEquals(ew[1], wt.getFloat(1), 1e-6);
                    assertEquals(ev, ((TFloat32) r.get(1)).getFloat(0), 1e-5);
                    assertEquals(bw[1], ((TFloat32) r.get(2)).getFloat(1), 1e-6);
                }
            }
            assertEquals("w.momentum_buffer", opt.slots().get(0).op().name());
        }
    }
}
