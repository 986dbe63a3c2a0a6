package org.mseg.ccsa;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The CCSA part of a training graph: pair placeholders, the {@link ContrastiveLoss} on the model's representation,
 * the combination with cross-entropy, and the per-step pair sampling that fills the placeholders.
 *
 * <p>A training step with it:
 * <pre>{@code
 * SampledPairs pairs = objective.samplePairs(domains, labels, n, cropH, cropW, seed ^ step);
 * try (PairFeed feed = objective.feed(pairs);
 *      Result r = feed.addTo(session.runner().feed(images, x).feed(labelPh, y))
 *              .fetch(objective.contrastiveLoss()).fetch(total).addTarget(trainOp).run()) { ... }
 * }</pre>
 *
 * <p>Graph ops live under the {@code ccsa/} scope: placeholders {@code ccsa/pair_a}, {@code ccsa/pair_b},
 * {@code ccsa/pair_y}, loss {@code ccsa/contrastive_loss}.
 */
public final class CcsaObjective {

    /** Name of the sub-scope holding this objective's ops. */
    public static final String SCOPE = "ccsa";

    private final CcsaOptions options;
    private final PairSampler sampler;
    private final int gridHeight;
    private final int gridWidth;
    private final long batchSize;
    private final Placeholder<TInt32> sideA;
    private final Placeholder<TInt32> sideB;
    private final Placeholder<TFloat32> pairLabels;
    private final ContrastiveLoss contrastive;
    private final Operand<TFloat32> contrastiveLoss;

    private CcsaObjective(Ops scope, Operand<TFloat32> representation, CcsaOptions options) {
        this.options = options;
        this.sampler = PairSampler.of(options);
        Shape shape = representation.shape();
        if (shape.isUnknown() || shape.numDimensions() != 4 || shape.get(1) < 1 || shape.get(2) < 1) {
            throw new IllegalArgumentException(
                    "the representation must be NHWC with a static height and width, got shape " + shape);
        }
        this.batchSize = shape.get(0);
        this.gridHeight = Math.toIntExact(shape.get(1));
        this.gridWidth = Math.toIntExact(shape.get(2));
        Shape vector = Shape.of(Shape.UNKNOWN_SIZE);
        this.sideA = scope.withName("pair_a").placeholder(TInt32.class, Placeholder.shape(vector));
        this.sideB = scope.withName("pair_b").placeholder(TInt32.class, Placeholder.shape(vector));
        this.pairLabels = scope.withName("pair_y").placeholder(TFloat32.class, Placeholder.shape(vector));
        this.contrastive = ContrastiveLoss.create(scope, representation, sideA, sideB, pairLabels,
                (float) options.margin());
        this.contrastiveLoss = scope.withName("contrastive_loss").identity(contrastive.loss());
    }

    /**
     * Builds the objective into {@code tf}'s graph. Call it once per graph: it creates the {@value #SCOPE} sub-scope.
     *
     * @param tf the graph's ops
     * @param representation the model's embedding, float32 NHWC {@code [n, h', w', C]} with static {@code h'} and
     *     {@code w'} (for HRNet {@code HrnetForward.representation()}, {@code h' = (H − 1)/4 + 1}); labels are
     *     downsampled to this grid
     * @param options the CCSA settings
     * @throws IllegalArgumentException if the representation's height or width is not known statically
     */
    public static CcsaObjective build(Ops tf, Operand<TFloat32> representation, CcsaOptions options) {
        Objects.requireNonNull(options, "options");
        return new CcsaObjective(tf.withSubScope(SCOPE), representation, options);
    }

    /**
     * MSeg's CCSA total loss: {@code α·contrastive + (1 − α)·crossEntropy}.
     *
     * @param tf where to build
     * @param contrastive the contrastive loss (scalar)
     * @param crossEntropy the main head's cross-entropy (scalar)
     * @param alpha the contrastive weight {@code α}
     */
    public static Operand<TFloat32> combine(Ops tf, Operand<TFloat32> contrastive, Operand<TFloat32> crossEntropy,
            double alpha) {
        return tf.math.add(tf.math.mul(tf.constant((float) alpha), contrastive),
                tf.math.mul(tf.constant((float) (1 - alpha)), crossEntropy));
    }

    /**
     * MSeg's CCSA total loss with an auxiliary head (PSPNet):
     * {@code α·contrastive + (1 − α)·crossEntropy + auxWeight·(1 − α)·auxCrossEntropy}, i.e. upstream's
     * {@code main_loss + 0.4·aux_loss} with {@code auxWeight = 0.4}.
     */
    public static Operand<TFloat32> combine(Ops tf, Operand<TFloat32> contrastive, Operand<TFloat32> crossEntropy,
            Operand<TFloat32> auxCrossEntropy, double alpha, double auxWeight) {
        Operand<TFloat32> aux = tf.math.mul(tf.constant((float) (auxWeight * (1 - alpha))), auxCrossEntropy);
        return tf.math.add(combine(tf, contrastive, crossEntropy, alpha), aux);
    }

    /** {@link #combine(Ops, Operand, Operand, double)} with this objective's loss and {@code α}. */
    public Operand<TFloat32> total(Ops tf, Operand<TFloat32> crossEntropy) {
        return combine(tf, contrastiveLoss, crossEntropy, options.alpha());
    }

    /** {@link #combine(Ops, Operand, Operand, Operand, double, double)} with this objective's loss and {@code α}. */
    public Operand<TFloat32> total(Ops tf, Operand<TFloat32> crossEntropy, Operand<TFloat32> auxCrossEntropy,
            double auxWeight) {
        return combine(tf, contrastiveLoss, crossEntropy, auxCrossEntropy, options.alpha(), auxWeight);
    }

    /**
     * Downsamples a batch's full-resolution labels to the embedding grid ({@link PairSampler#downsampleNearest},
     * PyTorch {@code 'nearest'}) and samples its pairs.
     *
     * @param domains domain (dataset index) of each example
     * @param labels {@code [n, height, width]} labels, 255 = ignore
     * @param n batch size
     * @param height crop height
     * @param width crop width
     * @param seed the sampling seed (derive it from the run seed and the step for reproducible runs)
     * @throws IllegalArgumentException if the sizes disagree or {@code n} differs from the representation's batch
     */
    public SampledPairs samplePairs(int[] domains, byte[] labels, int n, int height, int width, long seed) {
        if (batchSize >= 0 && batchSize != n) {
            throw new IllegalArgumentException("the representation holds " + batchSize + " examples, the batch " + n);
        }
        byte[] grid = PairSampler.downsampleNearest(labels, n, height, width, gridHeight, gridWidth);
        return sampler.sample(domains, grid, n, gridHeight, gridWidth, seed);
    }

    /** Height {@code h'} of the embedding grid. */
    public int gridHeight() {
        return gridHeight;
    }

    /** Width {@code w'} of the embedding grid. */
    public int gridWidth() {
        return gridWidth;
    }

    /** Tensors feeding {@code pairs} into this objective's placeholders; the caller closes them. */
    public PairFeed feed(SampledPairs pairs) {
        return new PairFeed(this, Objects.requireNonNull(pairs, "pairs"));
    }

    /** The settings. */
    public CcsaOptions options() {
        return options;
    }

    /** The sampler, configured with {@code N} and the negative ratio of {@link #options()}. */
    public PairSampler sampler() {
        return sampler;
    }

    /** Placeholder for each pair's first flat grid index, int32 {@code [P]}. */
    public Placeholder<TInt32> sideA() {
        return sideA;
    }

    /** Placeholder for each pair's second flat grid index, int32 {@code [P]}. */
    public Placeholder<TInt32> sideB() {
        return sideB;
    }

    /** Placeholder for the pair labels (1 positive, 0 negative), float32 {@code [P]}. */
    public Placeholder<TFloat32> pairLabels() {
        return pairLabels;
    }

    /** The loss ops (distances, per-pair terms, mean). */
    public ContrastiveLoss contrastive() {
        return contrastive;
    }

    /** The contrastive loss, a float32 scalar named {@code ccsa/contrastive_loss}. */
    public Operand<TFloat32> contrastiveLoss() {
        return contrastiveLoss;
    }
}
