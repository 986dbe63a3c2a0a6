package org.mseg.engine;

import org.mseg.engine.model.ParameterGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * SGD with momentum and weight decay exactly as PyTorch's {@code torch.optim.SGD} (no dampening, no Nesterov), which
 * MSeg uses: {@code g ← g + wd·w; buf ← m·buf + g; w ← w − lr·buf}, decay on every trainable variable (BN and biases
 * included). The momentum buffers are ref variables named {@code <variable>.momentum_buffer}, so checkpoints hold
 * them; they start at zero, which makes the first update {@code buf = g} as in PyTorch.
 *
 * <p>The learning rate is a scalar placeholder fed every step ({@link #learningRate()}); each {@link ParameterGroup}
 * multiplies it by its own factor.
 *
 * <p>Ordering: ref variables are updated in place, so an update could otherwise run while a gradient op still reads
 * the old value (runs would then differ bit-wise). Every update therefore waits for <em>all</em> gradients and decayed
 * gradients of the step (a control-dependency barrier), which makes a seeded run bit-reproducible on one machine.
 */
public final class SgdMomentum {

    private final Ops tf;
    private final List<ParameterGroup> groups;
    private final List<Variable<TFloat32>> variables = new ArrayList<>();
    private final List<Variable<TFloat32>> slots = new ArrayList<>();
    private final List<Operand<TFloat32>> groupRates = new ArrayList<>();
    private final Placeholder<TFloat32> learningRate;
    private final float momentum;
    private final float weightDecay;

    /**
     * Creates the learning-rate input and one momentum buffer per variable.
     *
     * @param tf          where to build (root scope recommended: buffer names derive from variable names)
     * @param groups      the trainable variables, by group
     * @param momentum    momentum factor (0.9 in MSeg)
     * @param weightDecay L2 factor added to every gradient (1e-4 in MSeg)
     */
    public SgdMomentum(Ops tf, List<ParameterGroup> groups, float momentum, float weightDecay) {
        this.tf = tf;
        this.groups = List.copyOf(groups);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class,
                Placeholder.shape(Shape.scalar()));
        Ops init = tf.withInitScope();
        for (ParameterGroup g : this.groups) {
            Operand<TFloat32> rate = g.lrMultiplier() == 1f ? learningRate
                    : tf.math.mul(learningRate, tf.constant(g.lrMultiplier()));
            for (Variable<TFloat32> v : g.variables()) {
                String name = v.op().name().replace('/', '.') + ".momentum_buffer";
                Variable<TFloat32> slot = tf.withName(name).variable(v.shape(), TFloat32.class);
                init.withName(name + ".init").assign(slot, init.zeros(init.constant(v.shape().asArray()),
                        TFloat32.class));
                variables.add(v);
                slots.add(slot);
                groupRates.add(rate);
            }
        }
    }

    /** The scalar learning-rate placeholder; feed the scheduled rate every step. */
    public Placeholder<TFloat32> learningRate() {
        return learningRate;
    }

    /** Every variable this optimizer updates, in group order; gradients are given in this order. */
    public List<Variable<TFloat32>> variables() {
        return List.copyOf(variables);
    }

    /** The momentum buffers, parallel to {@link #variables()}. */
    public List<Variable<TFloat32>> slots() {
        return List.copyOf(slots);
    }

    /** The parameter groups. */
    public List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * Builds one update step from gradients given in the order of {@link #variables()}.
     *
     * @param gradients one gradient per variable (same shape); a closed ("no gradient") output counts as zero
     * @param alsoRun   further ops (BN running-statistics updates, step counters) that run with the update, after
     *                  the gradients
     * @return a no-op that completes the step
     */
    public Op apply(List<? extends Operand<TFloat32>> gradients, Collection<Op> alsoRun) {
        return build(gradients, alsoRun, null);
    }

    /**
     * {@link #apply(List, Collection)} that changes nothing unless {@code apply} is true (dynamic loss scaling skips
     * steps with non-finite gradients this way). The same {@code ApplyMomentum} ops run with a rate of
     * {@code lr·a}, a gradient of {@code a·g} (0 even where {@code g} is NaN) and a momentum factor of
     * {@code m·a + (1 − a)}, with {@code a} = 1 or 0: when {@code a} is 1 this is the plain update bit for bit; when it
     * is 0 the momentum buffer is multiplied by 1 and added 0, and the weight loses {@code 0·buf}, so both keep their
     * exact values.
     *
     * @param apply scalar: whether this step updates
     */
    public Op apply(List<? extends Operand<TFloat32>> gradients, Collection<Op> alsoRun, Operand<TBool> apply) {
        return build(gradients, alsoRun, Objects.requireNonNull(apply, "apply"));
    }

    private Op build(List<? extends Operand<TFloat32>> gradients, Collection<Op> alsoRun, Operand<TBool> gate) {
        if (gradients.size() != variables.size()) {
            throw new IllegalArgumentException("expected " + variables.size() + " gradients, got "
                    + gradients.size());
        }
        Operand<TFloat32> a = gate == null ? null : tf.dtypes.cast(gate, TFloat32.class);
        List<Operation> barrier = new ArrayList<>();
        List<Operand<TFloat32>> decayed = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            Variable<TFloat32> v = variables.get(i);
            Operand<TFloat32> g = gradients.get(i);
            boolean missing = g.asOutput().isClosed();
            Operand<TFloat32> d = missing ? tf.math.mul(v, tf.constant(weightDecay))
                    : tf.math.add(g, tf.math.mul(v, tf.constant(weightDecay)));
            if (!missing) {
                barrier.add(g.op());
            }
            barrier.add(d.op());
            if (a != null) {
                d = tf.math.mulNoNan(d, a);
                barrier.add(d.op());
            }
            decayed.add(d);
        }
        Map<Operand<TFloat32>, Operand<TFloat32>> rates = new IdentityHashMap<>();
        Operand<TFloat32> factor = a == null ? null
                : tf.math.add(tf.math.mul(tf.constant(momentum), a), tf.math.sub(tf.constant(1f), a));
        Ops after = tf.withControlDependencyOps(barrier);
        List<Op> updates = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            Operand<TFloat32> rate = groupRates.get(i);
            if (a != null) {
                rate = rates.computeIfAbsent(rate, r -> tf.math.mul(r, a));
            }
            updates.add(after.train.applyMomentum(variables.get(i), slots.get(i), rate, decayed.get(i),
                    a != null ? factor : tf.constant(momentum)));
        }
        List<Op> all = new ArrayList<>(updates);
        for (Op op : alsoRun) {
            all.add(op);
        }
        return tf.withControlDependencies(all).noOp();
    }
}
