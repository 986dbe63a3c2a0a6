package org.mseg.hrnet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.engine.checkpoint.CheckpointException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.hrnet.BatchNormMode;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetForward;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.InvalidInputSizeException;
import org.mseg.hrnet.provider.HrnetModelProvider;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class LoadedModelTest {

    @Test
    void logitsEqualThoseOfTheGraphThatWroteTheCheckpoint(@TempDir Path tmp) {
        int h = 25;
        int w = 33;
        int n = 2;
        HrnetSpec spec = new HrnetSpec("mini", 8, 8, 1, 4, 1, List.of(1, 1, 1));
        float[] x = TestModels.random(n * h * w * 3, 11L);
        float[] expected;
        Path dir = tmp.resolve("ckpt");
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet model = Hrnet.create(tf, spec, 4, 0L);
            HrnetForward eval = model.forward("eval", n, h, w, BatchNormMode.INFERENCE);
            // A training graph: a momentum slot the inference graph does not have.
            var slot = tf.withName("last_layer.3.bias-momentum").variable(tf.zeros(tf.constant(new long[] {4}),
                    TFloat32.class));
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, 5L);
                try (TFloat32 in = TFloat32.tensorOf(Shape.of(n, h, w, 3), DataBuffers.of(x, true, false));
                        Result r = s.runner().feed(eval.input(), in).fetch(eval.logits()).run()) {
                    TFloat32 out = (TFloat32) r.get(0);
                    expected = new float[Math.toIntExact(out.size())];
                    out.asRawTensor().data().asFloats().read(expected);
                }
                Checkpoints.write(dir, s, CheckpointMetadata.of(new HrnetModelProvider(),
                        HrnetModelProvider.modelSpec(spec, 4), "toy", List.of("a", "b", "c", "d"))
                        .withExtraVariables(List.of(slot.op().name())).withTraining(Map.of("iteration", 10L)));
            }
        }
        try (LoadedModel m = LoadedModel.open(dir, h, w)) {
            assertEquals(4, m.numClasses());
            assertEquals(spec, HrnetModelProvider.spec(m.metadata().modelSpec()));
            // exact: the reopened checkpoint runs the same inference ops with the same kernels on the same machine
            assertArrayEquals(expected, m.logits(x, n));
            assertThrows(IllegalArgumentException.class, () -> m.logits(new float[5], 1));
        }
    }

    @Test
    void sizesMustBe8kPlus1(@TempDir Path tmp) {
        // the size rule is the provider's, so the engine reads the checkpoint (which names it) before checking
        Path dir = tmp.resolve("ckpt");
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 3, 0L);
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, 1L);
                Checkpoints.write(dir, s, CheckpointMetadata.of(new HrnetModelProvider(),
                        HrnetModelProvider.modelSpec(HrnetSpec.tiny(), 3), "toy", List.of("a", "b", "c")));
            }
        }
        assertThrows(InvalidInputSizeException.class, () -> LoadedModel.open(dir, 32, 33));
        assertThrows(CheckpointException.class, () -> LoadedModel.open(tmp.resolve("none"), 33, 33));
    }

    @Test
    void probabilitiesAreTheSoftmaxOfTheLogits() {
        try (LoadedModel m = LoadedModel.random(new HrnetModelProvider(),
                HrnetModelProvider.modelSpec(HrnetSpec.tiny(), 5), 17, 17, 3L)) {
            float[] x = TestModels.random(2 * 17 * 17 * 3, 9);
            float[] logits = m.logits(x, 2);
            float[] probs = m.probabilities(x, 2);
            assertEquals(logits.length, probs.length);
            for (int i = 0; i < logits.length; i += 5) {
                org.mseg.engine.inference.ClassProjection.softmaxInPlace(logits, i, 5);
            }
            // TensorFlow's float32 softmax and the Java one each take at most C + 4 roundings (exponential, a sum of
            // C terms, the reciprocal, the product) relative to values ≤ 1, in whatever order: 2γ_9 ≈ 1.1e-6 for C = 5
            assertArrayEquals(logits, probs, (float) (2 * gamma(5 + 4, FLOAT32_UNIT_ROUNDOFF)));
            assertEquals(17, m.windowHeight());
            assertEquals(m.stateDict().keySet(), Map.copyOf(m.stateDict()).keySet());
            org.junit.jupiter.api.Assertions.assertTrue(m.stateDict().keySet().stream()
                    .anyMatch(k -> k.startsWith("last_layer")), "state dict keys: " + m.stateDict().keySet());
        }
    }
}
