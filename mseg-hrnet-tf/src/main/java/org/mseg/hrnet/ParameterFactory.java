package org.mseg.hrnet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.MsegException;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * Creates the model variables with flat names equal to their PyTorch keys and upstream's initialisation: conv weights
 * N(0, 0.001), conv biases U(−1/√fan_in, 1/√fan_in) (PyTorch's default), BN gamma 1, beta 0, running mean 0, running
 * variance 1. Every random op gets the model seed plus its own creation index as {@code seed2}, so the values depend
 * only on the seed and the spec. Flat names avoid {@code withSubScope}, whose cost grows with the graph.
 */
final class ParameterFactory {

    /** How a variable gets its first value: the assign op (an initializer) and the value it assigns. */
    record InitSlot(Operand<TFloat32> value, Op assign) {
    }

    private static final float CONV_WEIGHT_STD = 0.001f;

    private final Ops tf;
    private final Ops init;
    private final long seed;
    private long randomOps;
    private final Map<String, HrnetParameter> parameters = new LinkedHashMap<>();
    private final Map<String, InitSlot> initSlots = new LinkedHashMap<>();

    ParameterFactory(Ops tf, long seed) {
        this.tf = tf;
        this.init = tf.withInitScope();
        this.seed = seed;
    }

    /** Conv weight {@code key.weight} (HWIO) and, with {@code bias}, {@code key.bias}. */
    Modules.Conv conv(String key, int in, int out, int kernel, int stride, boolean bias) {
        Shape hwio = Shape.of(kernel, kernel, in, out);
        Operand<TFloat32> weightInit = init.math.mul(
                init.random.randomStandardNormal(init.constant(hwio.asArray()), TFloat32.class,
                        RandomStandardNormal.seed(seed), RandomStandardNormal.seed2(++randomOps)),
                init.constant(CONV_WEIGHT_STD));
        Variable<TFloat32> weight = variable(key + ".weight", ParameterKind.CONV_WEIGHT, hwio,
                Shape.of(out, in, kernel, kernel), weightInit);
        Optional<Variable<TFloat32>> biasVariable = Optional.empty();
        if (bias) {
            float bound = (float) (1.0 / Math.sqrt((double) in * kernel * kernel));
            Operand<TFloat32> uniform = init.random.randomUniform(init.constant(new long[] {out}), TFloat32.class,
                    RandomUniform.seed(seed), RandomUniform.seed2(++randomOps));
            Operand<TFloat32> biasInit = init.math.sub(init.math.mul(uniform, init.constant(2 * bound)),
                    init.constant(bound));
            biasVariable = Optional.of(variable(key + ".bias", ParameterKind.CONV_BIAS, Shape.of(out), Shape.of(out),
                    biasInit));
        }
        return new Modules.Conv(key, in, out, kernel, stride, weight, biasVariable);
    }

    /** BN {@code key.weight/bias/running_mean/running_var}. */
    Modules.BatchNorm batchNorm(String key, int channels) {
        Shape shape = Shape.of(channels);
        return new Modules.BatchNorm(key, channels,
                variable(key + ".weight", ParameterKind.BN_WEIGHT, shape, shape, filled(channels, 1f)),
                variable(key + ".bias", ParameterKind.BN_BIAS, shape, shape, filled(channels, 0f)),
                variable(key + ".running_mean", ParameterKind.BN_RUNNING_MEAN, shape, shape, filled(channels, 0f)),
                variable(key + ".running_var", ParameterKind.BN_RUNNING_VAR, shape, shape, filled(channels, 1f)));
    }

    Modules.ConvBn convBn(String convKey, String bnKey, int in, int out, int kernel, int stride) {
        return new Modules.ConvBn(conv(convKey, in, out, kernel, stride, false), batchNorm(bnKey, out));
    }

    private Operand<TFloat32> filled(int channels, float value) {
        return init.fill(init.constant(new long[] {channels}), init.constant(value));
    }

    private Variable<TFloat32> variable(String key, ParameterKind kind, Shape shape, Shape torchShape,
            Operand<TFloat32> initialValue) {
        if (parameters.containsKey(key)) {
            throw new IllegalStateException("duplicate HRNet parameter key " + key);
        }
        Variable<TFloat32> variable = tf.withName(key).variable(shape, TFloat32.class);
        String opName = variable.op().name();
        if (!opName.equals(key) && !opName.endsWith("/" + key)) {
            throw new MsegException("variable " + key + " was created as '" + opName + "': the scope already holds"
                    + " an HRNet; build a second model under another sub-scope");
        }
        Op assign = init.withName(key + ".init").assign(variable, initialValue);
        parameters.put(key, new HrnetParameter(key, kind, variable, torchShape));
        initSlots.put(key, new InitSlot(initialValue, assign));
        return variable;
    }

    Map<String, HrnetParameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    Map<String, InitSlot> initSlots() {
        return Collections.unmodifiableMap(initSlots);
    }
}
