package org.mseg.ccsa;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.TensorFlowStrategy;
import org.mseg.engine.SegmentationLoss;
import org.mseg.engine.StepContext;
import org.mseg.engine.StepOutcome;
import org.mseg.engine.StepProgram;
import org.mseg.engine.StrategyContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * {@code --strategy ccsa}: MSeg's CCSA baseline on the TensorFlow engine.
 *
 * <p>Each dataset of the batch is a domain (its slice index). Every step the program downsamples the batch labels to
 * the representation grid, samples {@code N} positive and {@code ratio·N} negative cross-domain pixel pairs
 * ({@link PairSampler}), feeds them, and minimises
 * <pre>
 *   α·L_contrastive + (1 − α)·(CE + auxWeight·CE_aux)
 * </pre>
 * which is upstream's {@code main_loss + 0.4·aux_loss} with {@code main_loss = α·L_csa + (1 − α)·CE} and
 * {@code aux_loss = (1 − α)·CE_aux}. As in {@code ccsa_train.py}, CE is one cross-entropy over all labelled pixels of
 * the batch (not the mean of per-dataset means that {@code standard} uses). A batch that cannot provide pairs trains
 * on cross-entropy alone for that step (the contrastive loss is then 0) and is logged.
 *
 * <p>The pairs of step {@code i} depend only on the batch and {@code i}, so a resumed run samples the same pairs.
 * Logged extras: {@code ccsa/contrastive}, {@code ccsa/cross_entropy}, {@code ccsa/positive_pairs},
 * {@code ccsa/negative_pairs}.
 */
public final class CcsaStrategy implements TensorFlowStrategy {

    /** The strategy's name. */
    public static final String NAME = "ccsa";

    private static final Logger LOG = LoggerFactory.getLogger(CcsaStrategy.class);
    private static final long SEED = 0x6d5e_6cc5_a000_0001L;

    private final CcsaOptions options;

    /** A strategy with the given options. */
    public CcsaStrategy(CcsaOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The options. */
    public CcsaOptions options() {
        return options;
    }

    @Override
    public String name() {
        return NAME;
    }


    /** The sampling seed of a step: a fixed mix of the step number. */
    static long stepSeed(long iteration) {
        long z = SEED + iteration * 0x9e37_79b9_7f4a_7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return z ^ (z >>> 31);
    }

    /** Domain id (slice index) of every batch row. */
    static int[] domainsOf(List<DatasetSlice> slices) {
        int rows = slices.stream().mapToInt(DatasetSlice::count).sum();
        int[] domains = new int[rows];
        for (int d = 0; d < slices.size(); d++) {
            DatasetSlice s = slices.get(d);
            for (int r = s.offset(); r < s.offset() + s.count(); r++) {
                domains[r] = d;
            }
        }
        return domains;
    }

    /** Mean cross-entropy over every labelled pixel of the batch (0 if none). */
    private static Operand<TFloat32> pixelMean(Ops tf, SegmentationLoss loss) {
        Operand<TFloat32> sum = tf.sum(tf.reshape(loss.pixelLoss(), tf.constant(new int[] {-1})), tf.constant(0));
        Operand<TFloat32> count = tf.sum(tf.reshape(loss.pixelWeight(), tf.constant(new int[] {-1})),
                tf.constant(0));
        return tf.math.div(sum, tf.math.maximum(count, tf.constant(1f)));
    }

    @Override
    public StepProgram build(StrategyContext context) {
        Ops tf = context.tf();
        if (context.labels().type() != TUint8.class) {
            throw new ConfigException("CCSA samples its pixel pairs from 8-bit labels, so it cannot train a taxonomy"
                    + " of more than 255 classes (use_naive_taxonomy: True). Train CCSA in the universal taxonomy, as"
                    + " MSeg's CCSA baseline does.");
        }
        List<DatasetSlice> slices = context.slices();
        if (slices.size() < 2) {
            LOG.warn("CCSA with a single dataset ({}): no cross-domain pairs exist, the contrastive loss stays 0",
                    slices.get(0).dataset());
        }
        int[] domains = domainsOf(slices);
        CcsaObjective objective = CcsaObjective.build(tf, context.forward().representation(), options);
        Operand<TFloat32> crossEntropy = pixelMean(tf, context.loss());
        Optional<SegmentationLoss> aux = context.auxLoss();
        Operand<TFloat32> total = aux.isPresent()
                ? objective.total(tf, crossEntropy, pixelMean(tf, aux.get()), context.auxWeight())
                : objective.total(tf, crossEntropy);
        Op train = context.minimize(context.gradients(total));
        Operand<TFloat32> contrastive = objective.contrastiveLoss();
        Operand<TFloat32> datasetLosses = context.loss().datasetLosses();
        return new Program(objective, domains, total, contrastive, crossEntropy, datasetLosses, train);
    }

    /** Pairs are sampled from the labels of the whole batch (they may join crops of different replicas). */
    @Override
    public boolean readsWholeBatch() {
        return true;
    }

    /** The per-step program: sample, feed, one update. */
    private static final class Program implements StepProgram {
        private final CcsaObjective objective;
        private final int[] domains;
        private final Operand<TFloat32> total;
        private final Operand<TFloat32> contrastive;
        private final Operand<TFloat32> crossEntropy;
        private final Operand<TFloat32> datasetLosses;
        private final Op train;
        private boolean warned;

        Program(CcsaObjective objective, int[] domains, Operand<TFloat32> total, Operand<TFloat32> contrastive,
                Operand<TFloat32> crossEntropy, Operand<TFloat32> datasetLosses, Op train) {
            this.objective = objective;
            this.domains = domains;
            this.total = total;
            this.contrastive = contrastive;
            this.crossEntropy = crossEntropy;
            this.datasetLosses = datasetLosses;
            this.train = train;
        }

        @Override
        public StepOutcome run(StepContext step) {
            Batch batch = step.batch();
            byte[] labels = ((LabelBuffer.Bytes) batch.labels()).ids(); // 8-bit: build refused wider labels
            SampledPairs pairs = objective.samplePairs(domains, labels, batch.size(), batch.height(), batch.width(),
                    stepSeed(step.iteration()));
            if (!pairs.complete()) {
                String message = "CCSA step {}: {} positive and {} negative pairs instead of {} and {} ({})";
                Object[] args = {step.iteration(), pairs.numPositive(), pairs.numNegative(),
                    objective.sampler().numPositive(), objective.sampler().numNegative(), pairs.outcome()};
                if (warned) {
                    LOG.debug(message, args);
                } else {
                    LOG.warn(message + "; further shortfalls are logged at debug level", args);
                    warned = true;
                }
            }
            try (PairFeed feed = objective.feed(pairs);
                    Result r = feed.addTo(step.runner()).fetch(total).fetch(contrastive).fetch(crossEntropy)
                            .fetch(datasetLosses).addTarget(train).run()) {
                Map<String, Double> extras = new LinkedHashMap<>();
                extras.put("ccsa/contrastive", (double) ((TFloat32) r.get(1)).getFloat());
                extras.put("ccsa/cross_entropy", (double) ((TFloat32) r.get(2)).getFloat());
                extras.put("ccsa/positive_pairs", (double) pairs.numPositive());
                extras.put("ccsa/negative_pairs", (double) pairs.numNegative());
                return new StepOutcome(((TFloat32) r.get(0)).getFloat(), step.byDataset((TFloat32) r.get(3)),
                        extras);
            }
        }
    }
}
