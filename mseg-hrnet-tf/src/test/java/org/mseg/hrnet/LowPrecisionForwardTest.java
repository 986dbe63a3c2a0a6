package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Iterator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mseg.api.config.Precision;
import org.mseg.engine.LowPrecisionKernels;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/** A bfloat16 forward pass over the float32 weights: really bfloat16 inside, float32 out, close to float32 logits. */
class LowPrecisionForwardTest {

    @Test
    void bf16LogitsAreCloseToFp32LogitsOfTheSameWeights() {
        // oneDNN has bfloat16 kernels only on AVX-512 CPUs; elsewhere train refuses bf16 (TrainCommandTest)
        assumeTrue(LowPrecisionKernels.problem(Precision.BF16).isEmpty(),
                () -> "no bfloat16 kernels on this CPU: " + LowPrecisionKernels.problem(Precision.BF16).orElseThrow());
        int n = 2;
        int size = 33;
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet model = Hrnet.create(tf, HrnetSpec.tiny(), 5, 7L);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(n, size, size, 3)));
            // batch statistics: with the N(0, 0.001) initial weights, running statistics would leave only the biases
            HrnetForward full = model.forward("fp32", x, BatchNormMode.TRAINING, Precision.FP32);
            HrnetForward half = model.forward("bf16", x, BatchNormMode.TRAINING, Precision.BF16);
            assertEquals(full.logits().shape(), half.logits().shape());
            assertTrue(hasOp(g, "bf16/", "Conv2D", DataType.DT_BFLOAT16), "the bf16 pass convolves in bfloat16");
            assertTrue(hasOp(g, "bf16/", "FusedBatchNormV3", DataType.DT_BFLOAT16), "and normalises in bfloat16");
            float[] input = Tensors.random(new Random(3), n * size * size * 3, 1f);
            try (Session s = new Session(g);
                    TFloat32 in = Tensors.tensor(x.shape(), input);
                    Result r = s.runner().feed(x, in).fetch(full.logits()).fetch(half.logits()).run()) {
                float[] a = Tensors.read((TFloat32) r.get(0));
                float[] b = Tensors.read((TFloat32) r.get(1));
                double maxAbs = 0;
                double maxDiff = 0;
                double sumSq = 0;
                double sumSqDiff = 0;
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Float.isFinite(b[i]), "bf16 logit " + i + " is " + b[i]);
                    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                    sumSq += (double) a[i] * a[i];
                    sumSqDiff += (double) (a[i] - b[i]) * (a[i] - b[i]);
                }
                double relative = Math.sqrt(sumSqDiff / sumSq);
                // bfloat16 keeps 8 significant bits (2^-8 ≈ 0.4% per rounding); a few dozen layers stay within 5%
                assertTrue(relative < 0.05, "relative RMS difference " + relative);
                assertTrue(maxDiff < 0.1 * maxAbs, "max difference " + maxDiff + " of max logit " + maxAbs);
                assertTrue(relative > 0, "the bf16 pass must differ from fp32 at all");
            }
        }
    }

    private static boolean hasOp(Graph g, String prefix, String type, DataType dtype) {
        Iterator<GraphOperation> ops = g.operations();
        while (ops.hasNext()) {
            GraphOperation op = ops.next();
            if (op.name().startsWith(prefix) && op.type().equals(type) && op.output(0).dataType() == dtype) {
                return true;
            }
        }
        return false;
    }
}
