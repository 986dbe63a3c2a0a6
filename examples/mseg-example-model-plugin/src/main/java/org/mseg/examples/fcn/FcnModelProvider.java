package org.mseg.examples.fcn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.model.Backend;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.mseg.engine.model.GraphBackend;
import org.mseg.engine.model.GraphModels;

/**
 * The {@code example-fcn} architecture ({@code TRAIN.arch: example-fcn}): a small fully-convolutional network for
 * the TensorFlow engine, written against the model SPI as a third party would.
 *
 * <pre>
 *   input [N, H, W, 3]
 *   conv1 3×3/1  3 → w   + BN + ReLU      full resolution
 *   conv2 3×3/2  w → 2w  + BN + ReLU      1/2
 *   conv3 3×3/2 2w → 2w  + BN + ReLU      1/4
 *   conv4 3×3/1 2w → 2w  + BN + ReLU      1/4   (variant small only)
 *   classifier 1×1 2w → classes (+ bias)  1/4
 *   bilinear upsampling (half-pixel centres, PyTorch's align_corners=False) to H × W
 * </pre>
 *
 * <p>{@code w} is {@code TRAIN.fcn_width} (default 16). Variants: {@code small} (default) and {@code tiny}. Any input
 * of at least 8×8 pixels. fp32 only. Two parameter groups, as MSeg's PSPNet trains a pretrained backbone and a new
 * head: {@code backbone} ×1 and {@code head} (the classifier) ×10. The representation (CCSA's embedding) is the
 * feature map before the classifier. Checkpoints store the width, so a network of any width reopens as it was
 * trained. No PyTorch rules of its own: its weights move between graphs by variable name in TensorFlow's layout
 * ({@code GraphModel}'s defaults), which is what {@code --pretrained CHECKPOINT_DIR} uses.
 */
public final class FcnModelProvider implements ModelProvider {

    /** The architecture name. */
    public static final String NAME = "example-fcn";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public FcnModelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "example plugin: a small fully-convolutional network (variants " + String.join(", ", variants())
                + "; width " + FcnSpec.WIDTH_KEY + ", default " + FcnSpec.DEFAULT_WIDTH + ")";
    }

    @Override
    public List<String> variants() {
        return FcnSpec.VARIANTS;
    }

    @Override
    public String backend() {
        return GraphBackend.NAME;
    }

    @Override
    public Set<String> configKeys() {
        return Set.of(FcnSpec.WIDTH_KEY);
    }

    @Override
    public long parameterCount(String variant, int numClasses) {
        FcnSpec spec = FcnSpec.named(variant);
        return spec.backboneParameters() + spec.headParameters(numClasses);
    }

    @Override
    public Map<String, Object> checkpointParameters(ModelSpec spec) {
        return FcnSpec.of(spec).toParameters();
    }

    @Override
    public void checkInputSize(ModelSpec spec, int height, int width) {
        if (height < FcnGraphModel.MIN_SIZE || width < FcnGraphModel.MIN_SIZE) {
            throw new ConfigException("arch '" + NAME + "' needs inputs of at least " + FcnGraphModel.MIN_SIZE + "x"
                    + FcnGraphModel.MIN_SIZE + " pixels (it downsamples twice by 2), got " + height + "x" + width
                    + "; the nearest valid size is " + Math.max(height, FcnGraphModel.MIN_SIZE) + "x"
                    + Math.max(width, FcnGraphModel.MIN_SIZE));
        }
    }

    @Override
    public List<LayerSummary> summary(ModelSpec spec, int height, int width) {
        FcnSpec fcn = FcnSpec.of(spec);
        checkInputSize(spec, height, width);
        List<LayerSummary> rows = new ArrayList<>();
        int h = height;
        int w = width;
        for (FcnSpec.Layer layer : fcn.layers()) {
            h = (h + layer.stride() - 1) / layer.stride();
            w = (w + layer.stride() - 1) / layer.stride();
            rows.add(new LayerSummary("conv" + layer.index(), "Conv3x3/" + layer.stride() + "+BN+ReLU",
                    h + "x" + w + "x" + layer.out(), layer.parameters()));
        }
        rows.add(new LayerSummary("classifier", "Conv1x1", h + "x" + w + "x" + spec.numClasses(),
                fcn.headParameters(spec.numClasses())));
        rows.add(new LayerSummary("upsample", "ResizeBilinear", height + "x" + width + "x" + spec.numClasses(), 0));
        return List.copyOf(rows);
    }

    @Override
    public SegmentationModel create(ModelSpec spec, Backend backend) {
        FcnSpec fcn = FcnSpec.of(spec);
        GraphBackend graph = backend.unwrap(GraphBackend.class);
        FcnGraphModel model = new FcnGraphModel(graph.tf(), fcn, spec.numClasses(), graph.seed());
        long trainable = fcn.backboneParameters() + fcn.headParameters(spec.numClasses());
        return GraphModels.segmentationModel(spec, trainable, model);
    }
}
