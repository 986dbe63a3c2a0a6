package org.mseg.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.model.GraphModels;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * Checkpoints with random weights for the CLI tests, built through the model SPI as the CLI builds them (the CLI's
 * tests, like its code, do not read the HRNet module).
 */
final class TestCheckpoints {

    private TestCheckpoints() {
    }

    /** The provider of an architecture found on the module path. */
    static ModelProvider provider(String arch) {
        return PluginEnvironment.boot().models().get(arch);
    }

    /** HRNet {@code tiny} with {@code classes} logits. */
    static ModelSpec tinyHrnet(int classes) {
        return new ModelSpec("hrnet", "tiny", classes);
    }

    /** Metadata of a weights-only checkpoint of {@code spec}. */
    static CheckpointMetadata metadata(ModelSpec spec, String taxonomy, List<String> classNames) {
        return CheckpointMetadata.of(provider(spec.arch()), spec, taxonomy, classNames);
    }

    /** Writes a checkpoint of {@code spec} initialised from {@code seed}, with the given training state. */
    static void write(Path dir, ModelSpec spec, long seed, String taxonomy, List<String> classNames,
            Map<String, ?> training) {
        ModelProvider provider = provider(spec.arch());
        try (Graph g = new Graph()) {
            GraphModels.build(provider, spec, Ops.create(g), seed);
            try (Session s = new Session(g)) {
                s.initialize();
                Checkpoints.write(dir, s, metadata(spec, taxonomy, classNames).withTraining(training));
            }
        }
    }
}
