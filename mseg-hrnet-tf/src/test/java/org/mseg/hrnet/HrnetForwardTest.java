package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

class HrnetForwardTest {

    private static final int CLASSES = 5;

    @ParameterizedTest(name = "tiny on {0}x{1}")
    @CsvSource({"33, 33", "41, 57", "9, 17"})
    void logitsHaveInputResolutionAndRepresentationHasQuarterResolution(int height, int width) {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 7L);
            HrnetForward eval = model.forward("eval", 2, height, width, BatchNormMode.INFERENCE);
            int quarterH = (height - 1) / 4 + 1;
            int quarterW = (width - 1) / 4 + 1;
            assertEquals(Shape.of(2, height, width, CLASSES), eval.logits().shape());
            assertEquals(Shape.of(2, quarterH, quarterW, 120), eval.representation().shape());
            float[] x = Tensors.random(new Random(1), 2 * height * width * 3, 1f);
            try (Session s = new Session(g);
                    TFloat32 in = Tensors.tensor(eval.input().shape(), x);
                    Result r = s.runner().feed(eval.input(), in).fetch(eval.logits()).fetch(eval.representation())
                            .run()) {
                assertEquals(Shape.of(2, height, width, CLASSES), r.get(0).shape());
                assertEquals(Shape.of(2, quarterH, quarterW, 120), r.get(1).shape());
                for (float v : Tensors.read((TFloat32) r.get(0))) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    @Test
    void summaryShapesMatchTheGraphAndParametersAddUp() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 7L);
            HrnetForward f = model.forward("train", 1, 41, 57, BatchNormMode.TRAINING);
            List<LayerRow> rows = model.summary(41, 57);
            Map<String, Shape> graphShapes = f.blockShapes();
            assertEquals(graphShapes.size(), rows.size());
            for (LayerRow row : rows) {
                Shape s = graphShapes.get(row.name());
                assertEquals(Shape.of(1, row.height(), row.width(), row.channels()), s, row.name());
            }
            assertEquals(model.trainableParameterCount(), rows.stream().mapToLong(LayerRow::parameters).sum());
            assertEquals("conv1", rows.get(0).name());
            assertEquals("21x29x16", rows.get(0).outputShape());
            assertEquals("upsample", rows.get(rows.size() - 1).name());
        }
    }

    @Test
    void w48SummaryMatchesTheReferenceSpatialSizes() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.w48(), 194, 7L);
            Map<String, LayerRow> rows = new java.util.HashMap<>();
            model.summary(713, 713).forEach(r -> rows.put(r.name(), r));
            assertEquals("357x357x64", rows.get("conv1").outputShape());
            assertEquals("179x179x256", rows.get("layer1.3").outputShape());
            assertEquals("179x179x48", rows.get("stage4.2.fuse_layers.0").outputShape());
            assertEquals("90x90x96", rows.get("stage4.2.fuse_layers.1").outputShape());
            assertEquals("45x45x192", rows.get("stage4.2.fuse_layers.2").outputShape());
            assertEquals("23x23x384", rows.get("stage4.2.fuse_layers.3").outputShape());
            assertEquals("179x179x720", rows.get("concat").outputShape());
            assertEquals("713x713x194", rows.get("upsample").outputShape());
            assertEquals(660_434L - 2 * 720, rows.get("last_layer.0").parameters() + rows.get("last_layer.3")
                    .parameters());
        }
    }

    @Test
    void everyTrainableVariableGetsAGradientInTrainingMode() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet model = Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 7L);
            HrnetForward train = model.forward("train", 2, 17, 17, BatchNormMode.TRAINING);
            Operand<TFloat32> loss = tf.reduceSum(tf.math.square(train.logits()), tf.constant(new int[] {0, 1, 2, 3}));
            List<Operand<?>> xs = new ArrayList<>(model.trainableVariables());
            Gradients grads = tf.gradients(loss, xs);
            for (int i = 0; i < xs.size(); i++) {
                assertFalse(grads.dy(i).asOutput().isClosed(), xs.get(i).op().name());
            }
        }
    }

    @Test
    void inferenceHasNoUpdatesAndTrainingGroupsOnePairPerBatchNorm() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 7L);
            HrnetForward eval = model.forward("eval", 1, 17, 17, BatchNormMode.INFERENCE);
            HrnetForward train = model.forward("train", 1, 17, 17, BatchNormMode.TRAINING);
            assertTrue(eval.runningStatUpdates().isEmpty());
            assertTrue(eval.runningStatUpdate().isEmpty());
            assertEquals(model.runningStatVariables().size(), train.runningStatUpdates().size());
            assertEquals("train/running_stat_update", train.runningStatUpdate().orElseThrow().op().name());
            assertEquals("train/logits", train.logits().op().name());
            assertEquals("eval/input", eval.input().op().name());
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward("eval", 1, 17, 17, BatchNormMode.INFERENCE));
        }
    }

    @Test
    void initialisationFollowsUpstreamAndIsSeeded() {
        float[] first;
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 11L);
            try (Session s = new Session(g)) {
                first = Tensors.fetch(s, model.variablesByTorchKey().get("stage2.0.branches.0.0.conv1.weight"));
                double sumSq = 0;
                for (float v : first) {
                    sumSq += v * v;
                }
                double std = Math.sqrt(sumSq / first.length);
                assertTrue(std > 0.0008 && std < 0.0012, "conv std " + std);
                for (float v : Tensors.fetch(s, model.variablesByTorchKey().get("bn1.weight"))) {
                    assertEquals(1f, v);
                }
                for (float v : Tensors.fetch(s, model.variablesByTorchKey().get("bn1.bias"))) {
                    assertEquals(0f, v);
                }
                for (float v : Tensors.fetch(s, model.variablesByTorchKey().get("bn1.running_var"))) {
                    assertEquals(1f, v);
                }
                float bound = (float) (1 / Math.sqrt(120));
                float[] bias = Tensors.fetch(s, model.variablesByTorchKey().get("last_layer.0.bias"));
                float maxAbs = 0;
                for (float v : bias) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
                assertTrue(maxAbs <= bound && maxAbs > bound / 2, "bias max " + maxAbs + " bound " + bound);
            }
        }
        try (Graph g = new Graph()) {
            Hrnet same = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 11L);
            try (Session s = new Session(g, false)) {
                s.initialize();
                assertEquals(List.of(toList(first)), List.of(toList(
                        Tensors.fetch(s, same.variablesByTorchKey().get("stage2.0.branches.0.0.conv1.weight")))));
            }
        }
        try (Graph g = new Graph()) {
            Hrnet other = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 12L);
            try (Session s = new Session(g)) {
                assertNotEquals(toList(first),
                        toList(Tensors.fetch(s, other.variablesByTorchKey().get("stage2.0.branches.0.0.conv1.weight"))));
            }
        }
    }

    @Test
    void initializerResetsLoadedWeights() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 11L);
            try (Session s = new Session(g)) {
                StateDictLoader.load(s, model, Tensors.randomStateDict(model, 1L)).requireComplete();
                float[] loaded = Tensors.fetch(s, model.variablesByTorchKey().get("bn1.weight"));
                assertNotEquals(1f, loaded[0]);
                s.run(model.initializer());
                for (float v : Tensors.fetch(s, model.variablesByTorchKey().get("bn1.weight"))) {
                    assertEquals(1f, v);
                }
            }
        }
    }

    private static List<Float> toList(float[] values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
