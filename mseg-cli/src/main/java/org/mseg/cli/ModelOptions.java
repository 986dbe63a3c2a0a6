package org.mseg.cli;

import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine.Option;

/**
 * {@code --arch}, {@code --variant} and {@code --width}: which model provider and variant a command builds. Any
 * provider on the module path or in a plugin folder is accepted; the variant defaults to the provider's first.
 */
final class ModelOptions {

    @Option(names = "--arch", defaultValue = "hrnet", paramLabel = "NAME",
            description = "Architecture (TRAIN.arch): a model provider's name. Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--variant", paramLabel = "NAME",
            description = "Variant by name, e.g. w48 or tiny (default: the architecture's first).")
    String variant;

    @Option(names = "--width", paramLabel = "N", description = "Shorthand for --variant wN (HRNet: 48, 32 or 18).")
    Integer width;

    /** The provider named by {@code --arch}. */
    ModelProvider provider(PluginEnvironment env) {
        try {
            return env.models().get(arch);
        } catch (MsegException e) {
            throw new ConfigException("--arch: " + e.getMessage(), e);
        }
    }

    /** The variant named by {@code --variant}/{@code --width} (at most one), else the provider's default. */
    String variant(ModelProvider provider) {
        if (width != null && variant != null) {
            throw new ConfigException("Give either --width or --variant, not both.");
        }
        String v = variant != null ? variant : width != null ? "w" + width : provider.variants().get(0);
        if (!provider.variants().contains(v)) {
            throw new ConfigException("Unknown " + provider.name() + " variant '" + v + "'; known: "
                    + String.join(", ", provider.variants()) + (width != null ? " (--width takes 48, 32 or 18)" : ""));
        }
        return v;
    }

    /** The spec of the chosen variant with {@code numClasses} classes and no provider parameters. */
    ModelSpec spec(ModelProvider provider, int numClasses) {
        if (numClasses < 1) {
            throw new ConfigException("--num-classes must be positive, was " + numClasses + ".");
        }
        return new ModelSpec(provider.name(), variant(provider), numClasses);
    }

    /**
     * Checks that the model accepts an input size.
     *
     * @throws ConfigException naming {@code option} and the provider's reason
     */
    static void checkInputSize(ModelProvider provider, ModelSpec spec, String option, int height, int width) {
        try {
            provider.checkInputSize(spec, height, width);
        } catch (ConfigException e) {
            throw e;
        } catch (MsegException e) {
            throw new ConfigException(option + ": " + e.getMessage(), e);
        }
    }
}
