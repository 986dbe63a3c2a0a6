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

    /**
     * The {@link SegmentationModel} a provider returns from {@code create}: {@code unwrap} offers {@code view} (the
     * engine's {@link GraphModel}) and any of {@code others} (e.g. the provider's own network object).
     *
     * @param spec                what was built
     * @param trainableParameters number of trainable scalars
     * @param view                the engine's view of the model
     * @param others              further objects {@code unwrap} offers
     */
    public static SegmentationModel segmentationModel(ModelSpec spec, long trainableParameters, GraphModel view,
            Object... others) {
        java.util.List<Object> offered = new java.util.ArrayList<>();
        offered.add(java.util.Objects.requireNonNull(view, "view"));
        offered.addAll(java.util.List.of(others));
        return new SegmentationModel() {
            @Override
            public ModelSpec spec() {
                return spec;
            }

            @Override
            public long trainableParameterCount() {
                return trainableParameters;
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                for (Object o : offered) {
                    if (type.isInstance(o)) {
                        return type.cast(o);
                    }
                }
                throw new IllegalArgumentException("a " + spec.arch() + " model offers "
                        + offered.stream().map(o -> o.getClass().getName()).toList() + ", not " + type.getName());
            }
        };
    }
}
