package org.mseg.engine.model;

import org.mseg.api.ConfigException;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.tensorflow.op.Ops;

/** Builds a provider's model into a TensorFlow graph and returns the engine's view of it. */
public final class GraphModels {

    private GraphModels() {
    }

    /**
     * Builds {@code spec} with {@code provider} into the graph of {@code tf}.
     *
     * @throws ConfigException if the provider builds for another backend or its model offers no {@link GraphModel}
     *                         view; the message names the provider
     */
    public static GraphModel build(ModelProvider provider, ModelSpec spec, Ops tf, long seed) {
        if (!GraphBackend.NAME.equals(provider.backend())) {
            throw new ConfigException("TRAIN.arch '" + provider.name() + "' builds for the backend '"
                    + provider.backend() + "', but this engine runs TensorFlow graphs (backend '" + GraphBackend.NAME
                    + "')");
        }
        SegmentationModel model = provider.create(spec, new GraphBackend(tf, seed));
        try {
            return model.unwrap(GraphModel.class);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("TRAIN.arch '" + provider.name() + "': its model offers no "
                    + GraphModel.class.getName() + " view, which the TensorFlow engine trains (" + e.getMessage()
                    + ")", e);
        }
    }
}
