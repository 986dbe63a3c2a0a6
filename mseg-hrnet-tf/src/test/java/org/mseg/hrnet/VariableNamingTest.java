package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.MsegException;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class VariableNamingTest {

    private static List<String> keys(HrnetSpec spec, int classes) {
        try (Graph g = new Graph()) {
            return new ArrayList<>(Hrnet.create(g, spec, classes, 3L).variablesByTorchKey().keySet());
        }
    }

    @Test
    void namesAreDeterministic() {
        assertEquals(keys(HrnetSpec.tiny(), 5), keys(HrnetSpec.tiny(), 5));
    }

    @Test
    void variableOpNamesAreTheTorchKeys() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 5, 3L);
            for (Map.Entry<String, Variable<TFloat32>> e : model.variablesByTorchKey().entrySet()) {
                assertEquals(e.getKey(), e.getValue().op().name());
                assertEquals("VariableV2", e.getValue().op().type());
            }
        }
    }

    @Test
    void w48HasTheUpstreamStateDictKeys() {
        List<String> keys = keys(HrnetSpec.w48(), 194);
        // examples from upstream checkpoints (MSEG.md d.2), without "module."
        for (String key : List.of("conv1.weight", "bn1.running_mean", "conv2.weight", "bn2.bias",
                "layer1.0.conv1.weight", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.running_var",
                "layer1.3.bn3.weight", "transition1.0.0.weight", "transition1.0.1.bias", "transition1.1.0.0.weight",
                "transition1.1.0.1.running_mean", "transition2.2.0.0.weight", "transition3.3.0.0.weight",
                "stage2.0.branches.1.3.bn2.running_var", "stage3.3.fuse_layers.2.0.1.0.weight",
                "stage4.2.fuse_layers.3.0.1.0.weight", "stage4.2.fuse_layers.0.3.1.weight",
                "stage4.2.fuse_layers.3.0.2.1.bias", "last_layer.0.weight", "last_layer.0.bias",
                "last_layer.1.running_var", "last_layer.3.weight", "last_layer.3.bias")) {
            assertTrue(keys.contains(key), key);
        }
        // identity transitions are None upstream, so they have no keys; so do the identity fuse terms
        // and every module except the first Bottleneck has no downsample
        for (String prefix : List.of("transition2.0.", "transition2.1.", "transition3.0.", "transition3.2.",
                "stage2.0.fuse_layers.0.0.", "stage4.1.fuse_layers.2.2.", "layer1.1.downsample.",
                "stage2.0.branches.0.0.downsample.", "last_layer.2.", "bn1.num_batches_tracked")) {
            assertFalse(keys.stream().anyMatch(k -> k.startsWith(prefix)), prefix);
        }
        assertEquals("conv1.weight", keys.get(0));
        assertEquals("last_layer.3.bias", keys.get(keys.size() - 1));
        assertTrue(keys.indexOf("stage2.0.branches.1.3.bn2.weight") < keys.indexOf("stage2.0.fuse_layers.0.1.0.weight"));
        assertTrue(keys.indexOf("layer1.0.bn3.running_var") < keys.indexOf("layer1.0.downsample.0.weight"));
    }

    @Test
    void shapesArePytorchShapesInTorchLayoutAndHwioInTensorFlow() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.w18(), 19, 3L);
            HrnetParameter fuse = model.parameter("stage4.0.fuse_layers.3.0.1.0.weight").orElseThrow();
            assertEquals(Shape.of(18, 18, 3, 3), fuse.torchShape());
            assertEquals(Shape.of(3, 3, 18, 18), fuse.shape());
            HrnetParameter last = model.parameter("stage4.0.fuse_layers.3.0.2.0.weight").orElseThrow();
            assertEquals(Shape.of(144, 18, 3, 3), last.torchShape());
            HrnetParameter up = model.parameter("stage3.1.fuse_layers.0.2.0.weight").orElseThrow();
            assertEquals(Shape.of(18, 72, 1, 1), up.torchShape());
            assertEquals(Shape.of(19, 270, 1, 1), model.parameter("last_layer.3.weight").orElseThrow().torchShape());
            assertEquals(ParameterKind.BN_RUNNING_VAR, model.parameter("bn1.running_var").orElseThrow().kind());
        }
    }

    @Test
    void trainableAndRunningStatisticsPartitionTheVariables() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 5, 3L);
            int all = model.variablesByTorchKey().size();
            assertEquals(all, model.trainableVariables().size() + model.runningStatVariables().size());
            assertTrue(model.runningStatVariables().stream()
                    .allMatch(v -> v.op().name().endsWith(".running_mean") || v.op().name().endsWith(".running_var")));
        }
    }

    @Test
    void aSecondModelInTheSameScopeIsRejectedButASubScopeWorks() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet.create(tf, HrnetSpec.tiny(), 5, 3L);
            MsegException e = assertThrows(MsegException.class, () -> Hrnet.create(tf, HrnetSpec.tiny(), 5, 3L));
            assertTrue(e.getMessage().contains("conv1.weight"), e.getMessage());
            Hrnet second = Hrnet.create(tf.withSubScope("teacher"), HrnetSpec.tiny(), 5, 3L);
            assertEquals("teacher/conv1.weight", second.variablesByTorchKey().get("conv1.weight").op().name());
        }
    }
}
