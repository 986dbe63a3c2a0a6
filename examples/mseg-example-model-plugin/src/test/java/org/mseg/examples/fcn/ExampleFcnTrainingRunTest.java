package org.mseg.examples.fcn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;

/**
 * A whole training run through the library API on synthetic data, with the demo configuration and the overrides
 * {@code --set arch=example-fcn --set variant=small --set TRAIN.fcn_width=8}: the plugin's model trains, its width
 * travels from the configuration into the checkpoint, validation runs on it, and the checkpoint reopens by arch.
 */
class ExampleFcnTrainingRunTest {

    @Test
    void demoRunWithArchExampleFcnTrainsCheckpointsAndReopens(@TempDir Path tmp) throws Exception {
        Path jar = PluginJar.build(tmp.resolve("plugins"), "mseg-example-model-plugin.jar");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ExampleFcnTrainingRunTest.class.getClassLoader())) {
            PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), loader);
            SyntheticMseg.Summary data = SyntheticMseg.ensure(tmp.resolve("data"),
                    new SyntheticMseg.Options(4, 1, 64, 48, 3), env);
            ConfigSchema schema = ConfigSchema.training().withExtraKeys(env.pluginConfigKeys());
            MsegConfig raw = TrainingRun.demoConfig().withOverrides(List.of("arch=example-fcn", "variant=small",
                    "TRAIN.fcn_width=8", "dataset=[bdd-relabeled, cityscapes-19-relabeled]", "train_gpu=[0, 1]",
                    "batch_size=4", "train_h=33", "train_w=33", "short_size=48", "save_freq=2",
                    "keep_checkpoints=0", "tensorboard=False"), schema);
            MsegConfig cfg = schema.validate(raw, new HashSet<>(env.datasets().names()));
            Path run = tmp.resolve("run");
            TrainingRun.Result result = TrainingRun.run(new TrainingRun.Options(cfg, "standard", run,
                    data.dataRoot(), Optional.of(data.listsFolder()), Optional.empty(), Optional.empty(),
                    OptionalLong.of(4), true, 1), env, List.of());

            assertEquals(4, result.iterations());
            assertEquals(List.of("bdd-relabeled", "cityscapes-19-relabeled"), List.copyOf(result.mIoU().keySet()));
            result.mIoU().values().forEach(m -> assertTrue(m >= 0 && m <= 1, "mIoU " + m));
            Path last = result.lastCheckpoint().orElseThrow();
            assertEquals(Checkpoints.iterationDir(run, 4), last);
            CheckpointMetadata meta = Checkpoints.read(last);
            assertEquals("example-fcn", meta.arch());
            assertEquals("small", meta.variant());
            assertEquals(8L, ((Number) meta.modelParameters().get("fcn_width")).longValue());
            assertEquals(194, meta.numClasses());
            try (LoadedModel model = LoadedModel.open(last, 20, 28, env.models())) {
                float[] logits = model.logits(new float[20 * 28 * 3], 1);
                assertEquals(20 * 28 * 194, logits.length);
                for (float x : logits) {
                    assertTrue(Float.isFinite(x));
                }
                // width 8: conv1 has 8 output channels
                assertEquals(8, model.model().allVariables().get(0).shape().get(3));
            }
        }
    }
}
