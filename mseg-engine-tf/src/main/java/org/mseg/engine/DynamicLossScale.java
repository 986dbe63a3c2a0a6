package org.mseg.engine;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Dynamic loss scaling for float16 mixed precision, built into the training graph the way
 * {@code torch.cuda.amp.GradScaler} and apex's dynamic scaler work.
 *
 * <p>The objective is multiplied by the scale {@code S} before it is differentiated, so that small gradients survive
 * float16's narrow range in the backward pass; the float32 gradients of the master weights are divided by {@code S}
 * again ({@code S} is a power of two, so this is exact). If any gradient of a step is not finite, the step applies
 * no update (see {@link SgdMomentum#apply(List, java.util.Collection, Operand)}: weights and momentum buffers keep
 * their exact values) and {@code S} halves. After {@code growthInterval} finite steps in a row {@code S} doubles.
 *
 * <p>The state lives in three ref variables that checkpoints save with the weights, so an exact resume continues
 * with the same scale: {@value #SCALE} (float32), {@value #GOOD_STEPS} (int32, finite steps since the scale last
 * changed) and {@value #SKIPPED_STEPS} (int32, steps skipped so far). BN running statistics change in the forward pass
 * of every step, skipped or not, as they do in PyTorch before the scaler decides.
 */
public final class DynamicLossScale {

    /** The initial scale of apex and {@code torch.cuda.amp}: 2^16. */
    public static final float DEFAULT_INITIAL_SCALE = 65536f;
    /** Finite steps in a row before the scale doubles, as in apex and {@code torch.cuda.amp}. */
    public static final int DEFAULT_GROWTH_INTERVAL = 2000;
    /** Variable name of the scale. */
    public static final String SCALE = "loss_scale";
    /** Variable name of the count of finite steps since the scale last changed. */
    public static final String GOOD_STEPS = "loss_scale.good_steps";
    /** Variable name of the count of skipped steps. */
    public static final String SKIPPED_STEPS = "loss_scale.skipped_steps";

    /**
     * The scaler's state after a step.
     *
     * @param scale        the loss scale {@code S} the next step uses
     * @param goodSteps    finite steps since the scale last changed
     * @param skippedSteps steps skipped (no update) so far
     */
    public record State(float scale, int goodSteps, int skippedSteps) {
    }

    private final Ops tf;
    private final int growthInterval;
    private final Variable<TFloat32> scale;
    private final Variable<TInt32> goodSteps;
    private final Variable<TInt32> skippedSteps;

    /**
     * Creates the state variables (root scope: their names are fixed checkpoint names).
     *
     * @param initialScale   the first scale, a power of two
     * @param growthInterval finite steps in a row before the scale doubles, at least 1
     */
    DynamicLossScale(Ops tf, float initialScale, int growthInterval) {
        if (!(initialScale > 0) || Float.isInfinite(initialScale)) {
            throw new IllegalArgumentException("initial loss scale must be positive and finite, was " + initialScale);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("loss-scale growth interval must be at least 1, was "
                    + growthInterval);
        }
        this.tf = tf;
        this.growthInterval = growthInterval;
        Ops init = tf.withInitScope();
        this.scale = tf.withName(SCALE).variable(Shape.scalar(), TFloat32.class);
        init.withName(SCALE + ".init").assign(scale, init.constant(initialScale));
        this.goodSteps = tf.withName(GOOD_STEPS).variable(Shape.scalar(), TInt32.class);
        init.withName(GOOD_STEPS + ".init").assign(goodSteps, init.constant(0));
        this.skippedSteps = tf.withName(SKIPPED_STEPS).variable(Shape.scalar(), TInt32.class);
        init.withName(SKIPPED_STEPS + ".init").assign(skippedSteps, init.constant(0));
    }

    /** The names of the state variables, for {@code CheckpointMetadata.withExtraVariables}. */
    public List<String> variableNames() {
        return List.of(SCALE, GOOD_STEPS, SKIPPED_STEPS);
    }

    /** Finite steps in a row before the scale doubles. */
    public int growthInterval() {
        return growthInterval;
    }

    /** {@code objective · S}: what is differentiated. */
    Operand<TFloat32> scaled(Operand<TFloat32> objective) {
        return tf.math.mul(objective, scale);
    }

    /** {@code gradient / S}: the gradient of the unscaled objective. */
    Operand<TFloat32> unscaled(Operand<TFloat32> gradient) {
        return tf.math.div(gradient, scale);
    }

    /** True when every element of every gradient is finite. */
    Operand<TBool> allFinite(List<? extends Operand<TFloat32>> gradients) {
        List<Operand<TBool>> each = new ArrayList<>();
        for (Operand<TFloat32> g : gradients) {
            int rank = g.shape().numDimensions();
            int[] axes = new int[Math.max(rank, 0)];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
            each.add(tf.reduceAll(tf.math.isFinite(g), tf.constant(axes)));
        }
        return tf.reduceAll(tf.stack(each), tf.constant(new int[] {0}));
    }

    /**
     * The state update of a step: grow, keep or halve the scale and count. It runs after {@code finite}, so after
     * every gradient op that read the old scale.
     */
    List<Op> update(Operand<TBool> finite) {
        Ops after = tf.withControlDependencies(List.of(finite));
        Operand<TInt32> nextGood = after.math.add(goodSteps, after.constant(1));
        Operand<TBool> grow = after.math.greaterEqual(nextGood, after.constant(growthInterval));
        Operand<TFloat32> keptOrGrown = after.select(grow, after.math.mul(scale, after.constant(2f)),
                after.math.mul(scale, after.constant(1f)));
        Operand<TFloat32> newScale = after.select(finite, keptOrGrown, after.math.mul(scale, after.constant(0.5f)));
        Operand<TInt32> newGood = after.select(finite, after.select(grow, after.constant(0), nextGood),
                after.constant(0));
        Operand<TInt32> newSkipped = after.select(finite, after.math.add(skippedSteps, after.constant(0)),
                after.math.add(skippedSteps, after.constant(1)));
        return List.of(after.assign(scale, newScale), after.assign(goodSteps, newGood),
                after.assign(skippedSteps, newSkipped));
    }

    /** Reads the state from a session. */
    public State read(Session session) {
        try (Result r = session.runner().fetch(scale).fetch(goodSteps).fetch(skippedSteps).run()) {
            return new State(((TFloat32) r.get(0)).getFloat(), ((TInt32) r.get(1)).getInt(),
                    ((TInt32) r.get(2)).getInt());
        }
    }
}
