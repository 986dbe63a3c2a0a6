package org.mseg.hrnet.provider;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.config.Precision;
import org.mseg.api.model.Backend;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.mseg.engine.model.GraphBackend;
import org.mseg.engine.model.GraphModels;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.LayerRow;
import org.tensorflow.Graph;

/**
 * The {@code hrnet} architecture ({@code TRAIN.arch: hrnet}): HRNetV2 with the variants {@code w48} (MSeg's default),
 * {@code w32}, {@code w18} and {@code tiny}, built into the engine's TensorFlow graph. Its checkpoints store the
 * network's shape ({@link HrnetSpec#toParameters()}), so a custom width round-trips; its PyTorch import rules are
 * upstream's state-dict keys ({@link org.mseg.hrnet.StateDictLoader}).
 */
public final class HrnetModelProvider implements ModelProvider {

    /** The architecture name. */
    public static final String NAME = "hrnet";

    private static final List<String> VARIANTS = List.of("w48", "w32", "w18", "tiny");

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public HrnetModelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "HRNetV2 (variants " + String.join(", ", variants()) + ") on TensorFlow Java";
    }

    /** {@code w48} (MSeg's model, the default), {@code w32}, {@code w18}, {@code tiny}. */
    @Override
    public List<String> variants() {
        return VARIANTS;
    }

    @Override
    public String backend() {
        return GraphBackend.NAME;
    }

    @Override
    public long parameterCount(String variant, int numClasses) {
        return HrnetSpec.named(variant).parameterCount(numClasses);
    }

    @Override
    public Map<String, Object> checkpointParameters(ModelSpec spec) {
        return spec(spec).toParameters();
    }

    @Override
    public Set<Precision> precisions() {
        return EnumSet.of(Precision.FP32, Precision.BF16, Precision.FP16);
    }

    @Override
    public void checkInputSize(ModelSpec spec, int height, int width) {
        Hrnet.checkInputSize(height, width);
    }

    @Override
    public List<LayerSummary> summary(ModelSpec spec, int height, int width) {
        HrnetSpec hrnetSpec = spec(spec);
        try (Graph graph = new Graph()) {
            Hrnet model = Hrnet.create(graph, hrnetSpec, spec.numClasses(), 0L);
            return model.summary(height, width).stream()
                    .map(HrnetModelProvider::toSummary).toList();
        } catch (MsegException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    @Override
    public SegmentationModel create(ModelSpec spec, Backend backend) {
        HrnetSpec hrnetSpec = spec(spec);
        GraphBackend graph = backend.unwrap(GraphBackend.class);
        Hrnet model = Hrnet.create(graph.tf(), hrnetSpec, spec.numClasses(), graph.seed());
        return GraphModels.segmentationModel(spec, model.trainableParameterCount(), new HrnetGraphModel(model),
                model);
    }

    /** The HRNet shape of a spec: its stored parameters if any (a checkpoint's), else the named variant's. */
    public static HrnetSpec spec(ModelSpec spec) {
        if (!spec.arch().equals(NAME)) {
            throw new ConfigException("model spec names arch '" + spec.arch() + "', not '" + NAME + "'");
        }
        return HrnetSpec.fromParameters(spec.variant(), spec.parameters());
    }

    /** The model spec of an HRNet shape: its name as the variant and its fields as the parameters. */
    public static ModelSpec modelSpec(HrnetSpec spec, int numClasses) {
        return new ModelSpec(NAME, spec.name(), numClasses, spec.toParameters());
    }

    private static LayerSummary toSummary(LayerRow r) {
        return new LayerSummary(r.name(), r.kind(), r.outputShape(), r.parameters());
    }
}
