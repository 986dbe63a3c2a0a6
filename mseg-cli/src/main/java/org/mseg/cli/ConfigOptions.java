package org.mseg.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.config.BundledConfigs;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.Names;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine.Option;

/**
 * Shared configuration options: {@code --config FILE} and repeatable {@code --set KEY=VALUE}. {@link #resolve}
 * loads the file (or a bundled release config by name), applies the overrides in order and validates the result
 * against the schema, the dataset registry and the keys the discovered training strategies declare.
 */
public final class ConfigOptions implements PluginOptions.ConfigSource {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration YAML, or a bundled release config such as 1080_release/mseg-relabeled-3m.")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a configuration key (repeatable), e.g. --set base_lr=0.02"
                    + " --set TRAIN.batch_size=14 --set train_gpu=[0] --set dataset=cityscapes-19.")
    List<String> overrides = new ArrayList<>();

    /** The {@code --config} value, if given. */
    @Override
    public Optional<String> configFile() {
        return Optional.ofNullable(config);
    }

    @Override
    public List<String> configOverrides() {
        return overrides();
    }

    /** The {@code --set} values in command-line order. */
    List<String> overrides() {
        return List.copyOf(overrides);
    }

    /**
     * The resolved, validated configuration of {@code --config} and {@code --set}.
     *
     * @param base the schema the command expects ({@link ConfigSchema#training()} for {@code train})
     * @param env  where dataset names and strategies' configuration keys come from
     * @throws ConfigException if {@code --config} is missing or the configuration is wrong
     */
    MsegConfig resolve(ConfigSchema base, PluginEnvironment env) {
        String file = configFile().orElseThrow(() -> new ConfigException(
                "missing --config FILE (a YAML file, or a bundled config such as 1080_release/mseg-relabeled-3m)"));
        return resolve(file, overrides, base, env);
    }

    /**
     * Loads, overrides and validates; see {@link #resolve(ConfigSchema, PluginEnvironment)}.
     *
     * @param base the schema to check against; empty to use the one the file's sections imply (TEST: evaluation)
     */
    static MsegConfig resolve(String fileOrName, List<String> sets, Optional<ConfigSchema> base,
            PluginEnvironment env) {
        MsegConfig raw = BundledConfigs.fileOrBundled(fileOrName);
        ConfigSchema schema = withStrategyKeys(base.orElseGet(() -> ConfigSchema.inferredFor(raw)), env);
        MsegConfig c = schema.validate(raw.withOverrides(sets, schema), datasetNames(env));
        checkArch(c, env);
        return c;
    }

    static MsegConfig resolve(String fileOrName, List<String> sets, ConfigSchema base, PluginEnvironment env) {
        return resolve(fileOrName, sets, Optional.of(base), env);
    }

    /** {@code arch} must name a model provider, like dataset names must name datasets. */
    static void checkArch(MsegConfig c, PluginEnvironment env) {
        Optional<String> arch = c.getOptionalString("arch");
        List<String> models = env.models().names();
        if (arch.isPresent() && !models.contains(arch.get())) {
            throw new ConfigException("TRAIN.arch in " + c.where("arch") + ": unknown model '" + arch.get() + "'"
                    + Names.closest(arch.get(), models).map(n -> " — did you mean " + n + "?").orElse("")
                    + " (available: " + (models.isEmpty() ? "none; no model provider was found" : String.join(", ",
                            models)) + ")");
        }
    }

    /**
     * One line saying what was read: {@code bundled:train/480_release/mseg-3m.yaml (47 keys; unused here: dist_url,
     * ...)}, listing the keys that do not apply here once.
     */
    static String summary(MsegConfig c) {
        List<String> unused = c.unusedKeys();
        return c.source() + " (" + c.explicitKeys().size() + " keys"
                + (unused.isEmpty() ? "" : "; unused here: " + String.join(", ", unused)) + ")";
    }

    /**
     * The schema plus the keys every discovered training strategy and model provider declares
     * ({@code TRAIN.mgda_mode}, ...).
     */
    static ConfigSchema withStrategyKeys(ConfigSchema base, PluginEnvironment env) {
        return base.withExtraKeys(env.pluginConfigKeys());
    }

    /** Names of the datasets in the registry. */
    static Set<String> datasetNames(PluginEnvironment env) {
        return new LinkedHashSet<>(env.datasets().names());
    }
}
