package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Times W48 inference on one 713×713 crop (random weights). Opt-in because it takes tens of seconds on a laptop CPU:
 * {@code mvn -pl mseg-hrnet-tf verify -Dmseg.benchmark=true -Dtest=W48InferenceBenchmarkTest}.
 */
@EnabledIfSystemProperty(named = "mseg.benchmark", matches = "true")
class W48InferenceBenchmarkTest {

    @Test
    void w48InferenceOn713() {
        int size = 713;
        try (Graph g = new Graph()) {
            long t0 = System.nanoTime();
            Hrnet model = Hrnet.create(g, HrnetSpec.w48(), 194, 1L);
            HrnetForward eval = model.forward("eval", 1, size, size, BatchNormMode.INFERENCE);
            System.out.printf("W48/194 build (variables + inference forward): %.0f ms%n", (System.nanoTime() - t0) / 1e6);
            float[] x = Tensors.random(new Random(1), size * size * 3, 1f);
            try (Session s = new Session(g); TFloat32 in = Tensors.tensor(Shape.of(1, size, size, 3), x)) {
                long ti = System.nanoTime();
                s.initialize();
                System.out.printf("W48 variable initialisation: %.0f ms%n", (System.nanoTime() - ti) / 1e6);
                for (int run = 1; run <= 3; run++) {
                    long start = System.nanoTime();
                    try (Result r = s.runner().feed(eval.input(), in).fetch(eval.logits()).run()) {
                        double ms = (System.nanoTime() - start) / 1e6;
                        System.out.printf("W48 713x713 inference run %d: %.0f ms%n", run, ms);
                        assertEquals(Shape.of(1, size, size, 194), r.get(0).shape());
                        float v = ((TFloat32) r.get(0)).getFloat(0, 356, 356, 7);
                        assertTrue(Float.isFinite(v));
                    }
                }
            }
        }
    }
}
