package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.TrainingListener;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.Checkpoints;

/**
 * A whole run through the real loader on synthetic data: stopped right after its first checkpoint and resumed from
 * the run folder, it ends with byte-identical variables to an uninterrupted run (same weights, momentum, learning-rate
 * schedule and data order).
 */
class TrainingRunResumeTest {

    /** Stops a run by failing right after the checkpoint of the given iteration is written. */
    private static final class StopAfterCheckpoint implements TrainingListener {
        private final long at;

        StopAfterCheckpoint(long at) {
            this.at = at;
        }

        @Override
        public void onCheckpoint(long iteration, Path directory) {
            if (iteration == at) {
                throw new IllegalStateException("simulated crash after checkpoint " + iteration);
            }
        }
    }

    @Test
    void interruptedAndResumedRunEqualsUninterruptedRun(@TempDir Path tmp) throws IOException {
        PluginEnvironment env = PluginEnvironment.boot();
        SyntheticMseg.Summary data = SyntheticMseg.ensure(tmp.resolve("data"),
                new SyntheticMseg.Options(6, 1, 64, 48, 3), env);
        MsegConfig raw = TrainingRun.demoConfig()
                .with("dataset", List.of("bdd-relabeled", "cityscapes-19-relabeled"))
                .with("train_gpu", List.of(0, 1)).with("batch_size", 4)
                .with("train_h", 33).with("train_w", 33).with("short_size", 48)
                .with("num_examples", 12).with("save_freq", 1).with("keep_checkpoints", 0)
                .with("tensorboard", false);
        MsegConfig cfg = ConfigSchema.training().validate(raw, new HashSet<>(env.datasets().names()));

        Path straight = tmp.resolve("straight");
        TrainingRun.Result a = TrainingRun.run(options(cfg, straight, data, Optional.empty()), env, List.of());
        assertEquals(6, a.iterations());

        Path interrupted = tmp.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> TrainingRun.run(options(cfg, interrupted, data,
                Optional.empty()), env, List.of(new StopAfterCheckpoint(3))));
        assertEquals(List.of(Checkpoints.iterationDir(interrupted, 3)), Checkpoints.list(interrupted));
        TrainingRun.Result b = TrainingRun.run(options(cfg, interrupted, data, Optional.of(interrupted)), env,
                List.of());
        assertEquals(6, b.iterations());

        Path x = Checkpoints.iterationDir(straight, 6).resolve(Checkpoints.DATA_FILE);
        Path y = Checkpoints.iterationDir(interrupted, 6).resolve(Checkpoints.DATA_FILE);
        assertArrayEquals(Files.readAllBytes(x), Files.readAllBytes(y));
        Map<?, ?> lastStep = (Map<?, ?>) Checkpoints.read(Checkpoints.iterationDir(interrupted, 6)).training()
                .get("last_step");
        assertTrue(((Number) lastStep.get("loss")).doubleValue() > 0, "the last step's loss is kept: " + lastStep);
        assertTrue(lastStep.get("extras") instanceof Map, "and the strategy's extras (MGDA's alpha): " + lastStep);
    }

    private static TrainingRun.Options options(MsegConfig cfg, Path run, SyntheticMseg.Summary data,
            Optional<Path> resume) {
        return new TrainingRun.Options(cfg, "standard", run, data.dataRoot(), Optional.of(data.listsFolder()),
                resume, Optional.empty(), OptionalLong.empty(), false, 2);
    }
}
