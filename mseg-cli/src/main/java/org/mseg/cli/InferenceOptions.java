package org.mseg.cli;

import java.nio.file.Path;
import org.mseg.api.ConfigException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.hrnet.inference.InferenceSettings;
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

    /** The checkpoint folder: {@code --checkpoint}, or the newest checkpoint of the run folder it names. */
    Path checkpoint() {
        return CheckpointOption.resolve(checkpoint);
    }
}
