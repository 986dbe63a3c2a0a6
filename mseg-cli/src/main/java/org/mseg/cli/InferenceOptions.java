package org.mseg.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.inference.InferenceSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code evaluate} and {@code infer} share: the checkpoint, the test configuration ({@code --config},
 * {@code --set}, default {@value #DEFAULT_CONFIG}) and the inference overrides ({@code --base-size},
 * {@code --scales}, {@code --crop}, {@code --batch}).
 */
public final class InferenceOptions {
    /** Test configuration used without {@code --config}. */
    static final String DEFAULT_CONFIG = "test/default_config_360_ss";

    @Mixin
    ConfigOptions config;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "Checkpoint folder (or a run folder: its newest checkpoint).")
    Path checkpoint;

    @Option(names = "--base-size", paramLabel = "N|native|fit",
            description = "Shorter side before scaling, native, or fit (each image fits one window)"
                    + " (default: TEST.base_size, 360 without --config; empty = fit).")
    String baseSize;

    @Option(names = "--scales", paramLabel = "ss|ms|LIST",
            description = "ss (1.0), ms (0.5..1.75) or a list such as 0.75,1,1.25 (default: TEST.scales).")
    String scales;

    @Option(names = "--crop", paramLabel = "N", description = "Window size, 8k+1 (default: TEST.test_h, 713).")
    Integer crop;

    @Option(names = "--batch", paramLabel = "N",
            description = "Windows per model call, each with its flip (default: TEST.batch_size_val, 1).")
    Integer batch;

    /** The resolved test configuration. */
    MsegConfig config(PluginEnvironment env) {
        return ConfigOptions.resolve(config.configFile().orElse(DEFAULT_CONFIG), config.overrides(),
                ConfigSchema.test(), env);
    }

    /** The configuration's inference settings with the command-line overrides applied. */
    InferenceSettings settings(MsegConfig cfg) {
        InferenceSettings s = InferenceSettings.fromConfig(cfg);
        if (baseSize != null) {
            s = s.withBaseSize(InferenceSettings.parseBaseSize(baseSize));
        }
        if (scales != null) {
            s = s.withScales(InferenceSettings.parseScales(scales));
        }
        if (crop != null) {
            s = s.withCrop(crop, crop);
        }
        if (batch != null) {
            if (batch < 1) {
                throw new ConfigException("--batch must be at least 1, got " + batch);
            }
            s = s.withWindowBatch(batch);
        }
        return s;
    }

    /**
     * Whether {@code infer} should take its window from the checkpoint: nothing on the command line named one (no
     * {@code --crop}, no {@code --config}, no {@code --set} of {@code test_h} or {@code test_w}).
     */
    boolean windowFromCheckpoint() {
        return crop == null && config.configFile().isEmpty()
                && config.overrides().stream().noneMatch(o -> o.matches("(?is)\\s*(TEST\\.)?test_[hw]\\s*=.*"));
    }

    /**
     * The training crop a checkpoint records ({@code train_h × train_w} of its resolved config), when it is a valid
     * window ({@code 8k + 1}); empty for weights-only checkpoints (e.g. imported PyTorch weights).
     */
    static Optional<int[]> trainingCrop(CheckpointMetadata meta) {
        if (!(meta.training().get("config") instanceof Map<?, ?> config)) {
            return Optional.empty();
        }
        if (config.get("train_h") instanceof Number h && config.get("train_w") instanceof Number w) {
            int height = h.intValue();
            int width = w.intValue();
            if (height >= 9 && width >= 9 && (height - 1) % 8 == 0 && (width - 1) % 8 == 0) {
                return Optional.of(new int[] {height, width});
            }
        }
        return Optional.empty();
    }

    /** The checkpoint folder: {@code --checkpoint}, or the newest checkpoint of the run folder it names. */
    Path checkpoint() {
        return CheckpointOption.resolve(checkpoint);
    }
}
