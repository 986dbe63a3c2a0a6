package org.mseg.hrnet.engine;

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
import org.mseg.api.ConfigException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.DynamicLossScale;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;

/**
 * A configuration with MSeg's {@code opt_level: O1} trains in fp16 with loss scaling; its checkpoints record the
 * precision and the scaler, and resuming them in another precision is refused.
 */
class PrecisionRunTest {

    @Test
    void optLevelO1TrainsInFp16AndAResumeInAnotherPrecisionIsRefused(@TempDir Path tmp) {
        PluginEnvironment env = PluginEnvironment.boot();
        SyntheticMseg.Summary data = SyntheticMseg.ensure(tmp.resolve("data"),
                new SyntheticMseg.Options(4, 1, 64, 48, 3), env);
        MsegConfig raw = TrainingRun.demoConfig()
                .with("dataset", List.of("bdd-relabeled", "cityscapes-19-relabeled"))
                .with("train_gpu", List.of(0, 1)).with("batch_size", 4)
                .with("train_h", 17).with("train_w", 17).with("short_size", 48)
                .with("tensorboard", false).with("opt_level", "O1");
        MsegConfig cfg = ConfigSchema.training().validate(raw, new HashSet<>(env.datasets().names()));
        assertEquals("fp16", cfg.getString("precision"));

        Path run = tmp.resolve("run");
        TrainingRun.Result result = TrainingRun.run(options(cfg, run, data, Optional.empty()), env, List.of());
        assertEquals(2, result.iterations());
        CheckpointMetadata meta = Checkpoints.read(result.lastCheckpoint().orElseThrow());
        assertEquals("fp16", meta.training().get("precision"));
        Map<?, ?> scaler = (Map<?, ?>) meta.training().get("loss_scale");
        assertTrue(((Number) scaler.get("scale")).doubleValue() > 0, "the scaler's state is recorded: " + scaler);
        assertTrue(meta.extraVariables().containsAll(List.of(DynamicLossScale.SCALE, DynamicLossScale.GOOD_STEPS,
                DynamicLossScale.SKIPPED_STEPS)), meta.extraVariables().toString());

        // fp32, not bf16: every CPU runs it (bf16 needs AVX-512 kernels), and any other precision must be refused
        MsegConfig fp32 = ConfigSchema.training().validate(raw.with("precision", "fp32"),
                new HashSet<>(env.datasets().names()));
        ConfigException e = assertThrows(ConfigException.class, () -> TrainingRun.run(options(fp32,
                tmp.resolve("again"), data, Optional.of(run)), env, List.of()));
        assertTrue(e.getMessage().contains("trained with TRAIN.precision fp16, this run has fp32")
                && e.getMessage().contains("--set precision=fp16"), e.getMessage());
    }

    private static TrainingRun.Options options(MsegConfig cfg, Path run, SyntheticMseg.Summary data,
            Optional<Path> resume) {
        return new TrainingRun.Options(cfg, "standard", run, data.dataRoot(), Optional.of(data.listsFolder()),
                resume, Optional.empty(), OptionalLong.of(2), false, 2);
    }
}
