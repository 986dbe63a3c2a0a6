package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.model.ModelSpec;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.hrnet.provider.HrnetModelProvider;
import org.mseg.pytorch.LazyStateDict;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * A checkpoint written before models became providers ({@code fixtures/checkpoint-before-providers}: the
 * {@code tiny-33x33} weights imported by {@code mseg-cli model import --spec} at commit 8154c62, when mseg-hrnet-tf
 * held the engine) still opens: its {@code model} object is read as the hrnet provider's parameters and the network
 * it rebuilds computes exactly what the same weights imported today compute.
 */
class CheckpointBeforeProvidersTest {

    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");
    private static final Path CHECKPOINT = FIXTURES.resolve("checkpoint-before-providers");
    private static final Path TINY = FIXTURES.resolve("tiny-33x33");

    @Test
    void itsMetadataIsTheHrnetProvidersParameters() {
        CheckpointMetadata meta = Checkpoints.read(CHECKPOINT);
        assertEquals("hrnet", meta.arch());
        assertEquals("custom", meta.variant());
        assertEquals(5, meta.numClasses());
        assertEquals(Map.of("stemChannels", 16L, "stage1Planes", 16L, "stage1Blocks", 1L, "baseWidth", 8L,
                "blocksPerBranch", 1L, "modulesPerStage", List.of(1L, 1L, 1L)), meta.modelParameters());
        HrnetSpec spec = HrnetModelProvider.spec(meta.modelSpec());
        assertEquals(new HrnetSpec("custom", 16, 16, 1, 8, 1, List.of(1, 1, 1)), spec);
    }

    @Test
    void itComputesWhatTheSameWeightsImportedTodayCompute() throws Exception {
        NpyArray input = Npy.read(TINY.resolve("input.npy"));
        int n = (int) input.shape()[0];
        float[] nhwc = PytorchFidelityTest.nchwToNhwc(input.data(), n, 3, 33, 33);
        float[] before;
        try (LoadedModel m = LoadedModel.open(CHECKPOINT, 33, 33)) {
            before = m.logits(nhwc, n);
        }
        Path now = Path.of("target", "checkpoint-imported-now");
        HrnetModelProvider provider = new HrnetModelProvider();
        ModelSpec spec = HrnetModelProvider.modelSpec(new HrnetSpec("custom", 16, 16, 1, 8, 1, List.of(1, 1, 1)), 5);
        try (Graph g = new Graph(); LazyStateDict dict = LazyStateDict.open(TINY.resolve("model.pth"))) {
            HrnetGraphModel model = new HrnetGraphModel(Hrnet.create(Ops.create(g), HrnetModelProvider.spec(spec),
                    5, 0L));
            try (Session s = new Session(g)) {
                model.importStateDict(s, dict.shapes(), dict::tensor).requireComplete();
                Checkpoints.write(now, s, CheckpointMetadata.of(provider, spec, "unspecified",
                        CheckpointMetadata.placeholderClassNames(5)));
            }
        }
        try (LoadedModel m = LoadedModel.open(now, 33, 33)) {
            assertArrayEquals(m.logits(nhwc, n), before);
        }
    }
}
