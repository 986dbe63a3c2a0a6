package org.mseg.ccsa;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * MSeg's CCSA contrastive loss as TensorFlow graph ops, differentiable with respect to the representation.
 *
 * <p>For pairs {@code (a_i, b_i)} of flat indices into the {@code [n, h', w']} grid of an NHWC representation
 * {@code [n, h', w', C]} and labels {@code y_i} (1 positive, 0 negative):
 * <pre>
 *   d_i  = sqrt(max(‖g(a_i) − g(b_i)‖², 1e-8))
 *   loss = mean_i( y_i·d_i² + (1 − y_i)·max(0, m − d_i)² )
 * </pre>
 * with no ½ factor, as in {@code ccsa_utils.contrastive_loss}. Rows are picked with {@code GatherV2} on the
 * representation reshaped to {@code [n·h'·w', C]}, whose built-in gradient (a scatter-add into the rows) TF Java 1.1.0
 * provides. The floor on the squared distance keeps the gradient of {@code sqrt} finite: below it the distance is the
 * constant {@code 1e-4} and the pair contributes no gradient. With no pairs at all the loss is 0 (not NaN), so a step
 * whose batch cannot provide pairs trains on cross-entropy alone.
 */
public final class ContrastiveLoss {

    /** The floor on the squared distance, {@code 1e-8} (so the smallest distance is {@code 1e-4}). */
    public static final float MIN_SQUARED_DISTANCE = 1e-8f;

    private final Operand<TFloat32> distances;
    private final Operand<TFloat32> perPair;
    private final Operand<TFloat32> loss;

    private ContrastiveLoss(Operand<TFloat32> distances, Operand<TFloat32> perPair, Operand<TFloat32> loss) {
        this.distances = distances;
        this.perPair = perPair;
        this.loss = loss;
    }

    /**
     * Builds the loss into {@code tf}'s graph (ops get default names in {@code tf}'s scope).
     *
     * @param tf where to build; give it a sub-scope to group the ops
     * @param representation float32 NHWC {@code [n, h', w', C]}
     * @param sideA int32 {@code [P]} flat indices {@code (example·h' + row)·w' + column} of each pair's first location
     * @param sideB int32 {@code [P]} flat indices of each pair's second location
     * @param labels float32 {@code [P]}: 1 positive, 0 negative
     * @param margin the margin {@code m} (MSeg: 1)
     * @throws IllegalArgumentException if the representation's known rank is not 4 or the margin is not positive
     */
    public static ContrastiveLoss create(Ops tf, Operand<TFloat32> representation, Operand<TInt32> sideA,
            Operand<TInt32> sideB, Operand<TFloat32> labels, float margin) {
        Objects.requireNonNull(tf, "tf");
        if (!(margin > 0) || Float.isInfinite(margin)) {
            throw new IllegalArgumentException("margin must be finite and > 0, got " + margin);
        }
        Shape shape = representation.shape();
        if (!shape.isUnknown() && shape.numDimensions() != 4) {
            throw new IllegalArgumentException("representation must be NHWC [n, h, w, C], got shape " + shape);
        }
        Operand<TInt32> rowShape;
        if (!shape.isUnknown() && shape.get(3) > 0) {
            rowShape = tf.constant(new int[] {-1, Math.toIntExact(shape.get(3))});
        } else {
            Operand<TInt32> channels = tf.gather(tf.shape(representation), tf.constant(new int[] {3}),
                    tf.constant(0));
            rowShape = tf.concat(List.of(tf.constant(new int[] {-1}), channels), tf.constant(0));
        }
        Operand<TFloat32> rows = tf.reshape(representation, rowShape);
        Operand<TInt32> axis0 = tf.constant(0);
        Operand<TFloat32> embA = tf.gather(rows, sideA, axis0);
        Operand<TFloat32> embB = tf.gather(rows, sideB, axis0);
        Operand<TFloat32> squared = tf.sum(tf.math.square(tf.math.sub(embA, embB)), tf.constant(1));
        Operand<TFloat32> d = tf.math.sqrt(tf.math.maximum(squared, tf.constant(MIN_SQUARED_DISTANCE)));

        Operand<TFloat32> one = tf.constant(1f);
        Operand<TFloat32> alignment = tf.math.mul(labels, tf.math.square(d));
        Operand<TFloat32> hinge = tf.math.maximum(tf.constant(0f), tf.math.sub(tf.constant(margin), d));
        Operand<TFloat32> separation = tf.math.mul(tf.math.sub(one, labels), tf.math.square(hinge));
        Operand<TFloat32> perPair = tf.math.add(alignment, separation);
        Operand<TFloat32> count = tf.dtypes.cast(tf.size(labels), TFloat32.class);
        Operand<TFloat32> mean = tf.math.divNoNan(tf.sum(perPair, tf.constant(0)), count);
        return new ContrastiveLoss(d, perPair, mean);
    }

    /** The distance {@code d_i} of each pair, float32 {@code [P]}. */
    public Operand<TFloat32> distances() {
        return distances;
    }

    /** Each pair's term {@code y·d² + (1 − y)·max(0, m − d)²}, float32 {@code [P]}. */
    public Operand<TFloat32> perPair() {
        return perPair;
    }

    /** The mean of {@link #perPair()} over the pairs (0 when there are none), a float32 scalar. */
    public Operand<TFloat32> loss() {
        return loss;
    }
}
