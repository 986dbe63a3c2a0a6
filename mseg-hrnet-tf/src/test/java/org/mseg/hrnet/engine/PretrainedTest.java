package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.TrainingException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.pytorch.TorchTensor;

/** {@code --pretrained} from a checkpoint folder and from a file that matches nothing. */
class PretrainedTest {

    @Test
    void aCheckpointFolderInitialisesTheWeightsAndAForeignFileIsRefused(@TempDir Path tmp) {
        PluginEnvironment env = PluginEnvironment.boot();
        SyntheticMseg.Summary data = SyntheticMseg.ensure(tmp.resolve("data"),
                new SyntheticMseg.Options(4, 1, 64, 48, 3), env);
        MsegConfig raw = TrainingRun.demoConfig()
                .with("dataset", List.of("bdd-relabeled")).with("train_gpu", List.of(0)).with("batch_size", 2)
                .with("train_h", 33).with("train_w", 33).with("short_size", 48)
                .with("num_examples", 8).with("save_freq", 1000).with("keep_checkpoints", 1)
                .with("tensorboard", false);
        MsegConfig cfg = ConfigSchema.training().validate(raw, new HashSet<>(env.datasets().names()));
        Path first = tmp.resolve("first");
        TrainingRun.Result a = TrainingRun.run(options(cfg, first, data, Optional.empty(), 4), env, List.of());
        Path trained = a.lastCheckpoint().orElseThrow();

        // A second run starts from those weights; with a vanishing learning rate one step leaves them in place.
        MsegConfig still = ConfigSchema.training().validate(raw.with("base_lr", 1e-12),
                new HashSet<>(env.datasets().names()));
        Path second = tmp.resolve("second");
        TrainingRun.Result b = TrainingRun.run(options(still, second, data, Optional.of(trained), 1), env, List.of());
        assertEquals(1, b.iterations());
        Map<String, TorchTensor> before;
        Map<String, TorchTensor> after;
        try (LoadedModel x = LoadedModel.open(trained, 17, 17); LoadedModel y = LoadedModel.open(
                Checkpoints.latest(second).orElseThrow(), 17, 17)) {
            before = x.stateDict();
            after = y.stateDict();
        }
        int compared = 0;
        for (Map.Entry<String, TorchTensor> e : before.entrySet()) {
            if (e.getKey().endsWith(".weight")) {
                assertArrayEquals(e.getValue().data(), after.get(e.getKey()).data(), 1e-5f, e.getKey());
                compared++;
            }
        }
        assertTrue(compared > 10, "compared " + compared + " weight tensors");

        Path foreign = Path.of("src", "test", "resources", "fixtures", "pth", "mixed_prefix.pth"); // keys a.weight, b.weight
        TrainingException e = assertThrows(TrainingException.class, () -> TrainingRun.run(options(cfg,
                tmp.resolve("third"), data, Optional.of(foreign), 1), env, List.of()));
        assertTrue(e.getMessage().contains("matched none"), e.getMessage());
    }

    private static TrainingRun.Options options(MsegConfig cfg, Path run, SyntheticMseg.Summary data,
            Optional<Path> pretrained, long iters) {
        return new TrainingRun.Options(cfg, "standard", run, data.dataRoot(), Optional.of(data.listsFolder()),
                Optional.empty(), pretrained, OptionalLong.of(iters), false, 1);
    }
}
