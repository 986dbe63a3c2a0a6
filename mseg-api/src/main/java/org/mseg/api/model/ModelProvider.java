package org.mseg.api.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mseg.api.Provider;
import org.mseg.api.config.Precision;

/**
 * Service provider interface for segmentation architectures, selected by {@link #name()} ({@code TRAIN.arch}).
 * Construction is cheap; the model itself is built on demand by {@link #create(ModelSpec, Backend)}.
 *
 * <p>A provider owns everything that is particular to its network: its variants and configuration keys, the
 * parameters a checkpoint needs to rebuild it, the input sizes and precisions it accepts, and (through the engine's
 * backend view, e.g. {@code org.mseg.engine.model.GraphModel}) its parameter groups and its PyTorch import rules.
 * The engine builds, trains, checkpoints, evaluates and infers any provider's model the same way.
 *
 * <p>Providers are registered with {@code provides ... with ...} and a {@code META-INF/services} file and are found
 * by name, from the module path or from a plugin folder; {@code org.mseg.engine.testkit.ModelProviderContract} checks a
 * provider against this contract.
 */
public interface ModelProvider extends Provider {

    /** The variants this architecture offers (e.g. widths), the default first. */
    List<String> variants();

    /** The backend this provider builds into, e.g. {@code tensorflow}. */
    String backend();

    /**
     * Configuration keys (in {@code SECTION.key} form, e.g. {@code TRAIN.fcn_width}) that this model reads, so that
     * configuration validation accepts them; their resolved values arrive in {@link ModelSpec#parameters()}. Empty by
     * default.
     */
    default Set<String> configKeys() {
        return Set.of();
    }

    /** Number of trainable parameters of a variant with the given number of classes, without building it. */
    long parameterCount(String variant, int numClasses);

    /**
     * The JSON-typed parameters a checkpoint stores beside {@code arch}, {@code variant} and {@code numClasses} so that
     * {@link #create} rebuilds exactly this network from them later (they come back as {@link ModelSpec#parameters()}).
     * The default stores the spec's parameters as they are.
     *
     * @throws org.mseg.api.ConfigException if the spec is invalid for this provider
     */
    default Map<String, Object> checkpointParameters(ModelSpec spec) {
        return spec.parameters();
    }

    /** The precisions the model computes in ({@code TRAIN.precision}); float32 only by default. */
    default Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32);
    }

    /**
     * Checks that the model accepts inputs of the given size (HRNet needs {@code 8k + 1}); accepts every size by
     * default.
     *
     * @throws org.mseg.api.MsegException naming the size and the nearest valid ones
     */
    default void checkInputSize(ModelSpec spec, int height, int width) {
    }

    /**
     * The layer table of a model for an input of the given size, without training it; empty if the provider offers
     * none.
     *
     * @throws org.mseg.api.ConfigException if the variant is unknown or the input size is invalid for the model
     */
    default List<LayerSummary> summary(ModelSpec spec, int height, int width) {
        return List.of();
    }

    /**
     * Builds the model into the backend.
     *
     * @throws org.mseg.api.ConfigException if the variant is unknown; the message lists the known variants
     */
    SegmentationModel create(ModelSpec spec, Backend backend);
}
