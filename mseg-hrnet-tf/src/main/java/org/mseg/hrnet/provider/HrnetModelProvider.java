package org.mseg.hrnet.provider;

import java.util.List;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.model.Backend;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.LayerRow;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;

/**
 * The {@code hrnet} architecture ({@code TRAIN.arch: hrnet}): HRNetV2 with the variants {@code w48} (MSeg's default),
 * {@code w32}, {@code w18} and {@code tiny}, built into a TensorFlow graph.
 */
public final class HrnetModelProvider implements ModelProvider {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public HrnetModelProvider() {
    }

    @Override
    public String name() {
        return "hrnet";
    }

    @Override
    public String description() {
        return "HRNetV2 (variants " + String.join(", ", variants()) + ") on TensorFlow Java";
    }

    @Override
    public List<String> variants() {
        return HrnetSpec.variantNames();
    }

    @Override
    public String backend() {
        return "tensorflow";
    }

    @Override
    public long parameterCount(String variant, int numClasses) {
        return HrnetSpec.named(variant).parameterCount(numClasses);
    }

    @Override
    public List<LayerSummary> summary(ModelSpec spec, int height, int width) {
        check(spec);
        try (Graph graph = new Graph()) {
            Hrnet model = Hrnet.create(graph, HrnetSpec.named(spec.variant()), spec.numClasses(), 0L);
            return model.summary(height, width).stream()
                    .map(HrnetModelProvider::toSummary).toList();
        } catch (MsegException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    @Override
    public SegmentationModel create(ModelSpec spec, Backend backend) {
        check(spec);
        Hrnet model = Hrnet.create(backend.unwrap(Ops.class), HrnetSpec.named(spec.variant()), spec.numClasses(), 0L);
        return new SegmentationModel() {
            @Override
            public ModelSpec spec() {
                return spec;
            }

            @Override
            public long trainableParameterCount() {
                return model.trainableParameterCount();
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                if (type.isInstance(model)) {
                    return type.cast(model);
                }
                throw new IllegalArgumentException("an HRNet model offers " + Hrnet.class.getName() + ", not "
                        + type.getName());
            }
        };
    }

    private void check(ModelSpec spec) {
        if (!spec.arch().equals(name())) {
            throw new ConfigException("model spec names arch '" + spec.arch() + "', not 'hrnet'");
        }
    }

    private static LayerSummary toSummary(LayerRow r) {
        return new LayerSummary(r.name(), r.kind(), r.outputShape(), r.parameters());
    }
}
