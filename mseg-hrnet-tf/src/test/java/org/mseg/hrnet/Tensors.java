package org.mseg.hrnet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Test helpers for moving floats in and out of sessions. */
final class Tensors {

    private Tensors() {
    }

    static float[] fetch(Session session, Operand<TFloat32> operand) {
        try (Result r = session.runner().fetch(operand).run()) {
            return read((TFloat32) r.get(0));
        }
    }

    static float[] read(TFloat32 t) {
        float[] out = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }

    static TFloat32 tensor(Shape shape, float[] data) {
        return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false));
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (rnd.nextGaussian() * scale);
        }
        return out;
    }

    /**
     * A state dict in PyTorch layout with values large enough to make every layer matter: conv weights scaled by
     * 1/sqrt(fan_in), BN weights around 1, positive running variances.
     */
    static Map<String, TorchTensor> randomStateDict(Hrnet model, long seed) {
        Random rnd = new Random(seed);
        Map<String, TorchTensor> dict = new LinkedHashMap<>();
        for (HrnetParameter p : model.parameters()) {
            long[] shape = p.torchShape().asArray();
            int n = Math.toIntExact(p.size());
            float[] data = switch (p.kind()) {
                case CONV_WEIGHT -> random(rnd, n, (float) (1.0 / Math.sqrt((double) shape[1] * shape[2] * shape[3])));
                case CONV_BIAS, BN_BIAS, BN_RUNNING_MEAN -> random(rnd, n, 0.1f);
                case BN_WEIGHT -> {
                    float[] d = random(rnd, n, 0.1f);
                    for (int i = 0; i < n; i++) {
                        d[i] += 1f;
                    }
                    yield d;
                }
                case BN_RUNNING_VAR -> {
                    float[] d = new float[n];
                    for (int i = 0; i < n; i++) {
                        d[i] = 0.5f + rnd.nextFloat();
                    }
                    yield d;
                }
            };
            dict.put(p.torchKey(), new TorchTensor(shape, data, "float32"));
        }
        return dict;
    }
}
