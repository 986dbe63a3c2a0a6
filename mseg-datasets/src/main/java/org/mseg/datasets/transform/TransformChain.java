package org.mseg.datasets.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.mseg.datasets.Sample;

/** Transforms applied in order; MSeg's train and val pipelines are built by {@link #train} and {@link #val}. */
public final class TransformChain implements Transform {
    private final List<Transform> steps;

    /** @param steps the transforms, applied in list order */
    public TransformChain(List<Transform> steps) {
        this.steps = List.copyOf(steps);
    }

    /**
     * MSeg's training pipeline, in upstream's order: ResizeShort → RandScale → RandRotate (p 0.5) → RandomGaussianBlur
     * (p 0.5) → RandomHorizontalFlip (p 0.5) → random Crop → Normalize, then the label lookup if given (to the
     * universal or naive taxonomy).
     */
    public static TransformChain train(TransformParams params, Optional<LabelLookup> toTaxonomy) {
        List<Transform> steps = new ArrayList<>(List.of(
                new ResizeShort(params.shortSize()),
                new RandScale(params.scaleMin(), params.scaleMax()),
                new RandRotate(params.rotateMin(), params.rotateMax(), params.ignoreLabel()),
                new RandomGaussianBlur(),
                new RandomHorizontalFlip(),
                new Crop(params.trainH(), params.trainW(), Crop.Type.RAND, params.ignoreLabel()),
                new Normalize()));
        toTaxonomy.ifPresent(steps::add);
        return new TransformChain(steps);
    }

    /** MSeg's validation pipeline: center Crop → Normalize, then the label lookup if given. */
    public static TransformChain val(TransformParams params, Optional<LabelLookup> toTaxonomy) {
        List<Transform> steps = new ArrayList<>(List.of(
                new Crop(params.trainH(), params.trainW(), Crop.Type.CENTER, params.ignoreLabel()),
                new Normalize()));
        toTaxonomy.ifPresent(steps::add);
        return new TransformChain(steps);
    }

    /** The steps in order. */
    public List<Transform> steps() {
        return steps;
    }

    @Override
    public void apply(Sample sample, RandomGenerator random) {
        for (Transform step : steps) {
            step.apply(sample, random);
        }
    }
}
