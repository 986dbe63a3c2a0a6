package org.mseg.hrnet.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetParameter;
import org.mseg.hrnet.StateDictLoader;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Session;

/** Test helpers: random weights for a model. */
final class TestModels {

    private TestModels() {
    }

    /** Loads random values (positive running variances) into every model tensor. */
    static void randomize(Session session, Hrnet model, long seed) {
        Random rnd = new Random(seed);
        Map<String, TorchTensor> dict = new LinkedHashMap<>();
        for (HrnetParameter p : model.parameters()) {
            float[] data = new float[Math.toIntExact(p.size())];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextGaussian() * 0.2);
                if (p.torchKey().endsWith("running_var")) {
                    data[i] = 0.5f + Math.abs(data[i]);
                }
            }
            dict.put(p.torchKey(), new TorchTensor(p.torchShape().asArray(), data, "float32"));
        }
        StateDictLoader.load(session, model, dict).requireComplete();
    }

    static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
