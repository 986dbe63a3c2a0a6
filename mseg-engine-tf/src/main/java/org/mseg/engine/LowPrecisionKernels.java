package org.mseg.engine;

import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * Whether this process's TensorFlow can run a low-precision training step on its CPU. oneDNN has bfloat16
 * convolutions and batch norms only on CPUs with AVX-512 (BF16, or emulated on AVX-512 BW); on an AVX2-only CPU
 * TensorFlow fails the first step with "could not create a primitive descriptor for a batch normalization forward
 * propagation primitive". A probe of that batch norm finds it out in milliseconds, before a run writes anything, so
 * the user gets the fix instead of the native error.
 *
 * <p>The answer is a property of the process (CPU and native library, and {@code ONEDNN_MAX_CPU_ISA}), so the probe
 * runs once per process.
 */
public final class LowPrecisionKernels {
    private static final Object LOCK = new Object();
    private static Optional<String> bf16Problem; // guarded by LOCK; null until probed

    private LowPrecisionKernels() {
    }

    /**
     * Why {@code precision} cannot train here, or empty when it can. Only {@link Precision#BF16} is probed: fp32 runs
     * everywhere, and fp16 runs on TensorFlow's reference kernels (slowly, with a warning).
     */
    public static Optional<String> problem(Precision precision) {
        if (precision != Precision.BF16) {
            return Optional.empty();
        }
        synchronized (LOCK) {
            if (bf16Problem == null) {
                bf16Problem = probeBf16();
            }
            return bf16Problem;
        }
    }

    /**
     * Refuses a precision this CPU cannot train in.
     *
     * @param where where the precision was set, for the message (e.g. {@code "TRAIN.precision in run.yaml"})
     * @throws ConfigException naming the setting, the native error and the precision to use instead
     */
    public static void require(Precision precision, String where) {
        problem(precision).ifPresent(why -> {
            throw new ConfigException(where + " is " + precision.configName() + ", but this CPU's TensorFlow has no"
                    + " bfloat16 batch-norm kernel (oneDNN offers bfloat16 kernels on CPUs with AVX-512; "
                    + why + "). Train with --set precision=fp32 here, or bf16 on an AVX-512 CPU or a GPU.");
        });
    }

    /**
     * A training-mode bfloat16 {@code FusedBatchNormV3} with float32 statistics, as HRNet runs it. Only the batch norm:
     * TensorFlow turns oneDNN's refusal of it into an error, while a bfloat16 convolution probed alone on such a CPU
     * aborted the JVM (SIGILL in oneDNN's primitive creation), and HRNet's own convolutions ran there.
     */
    private static Optional<String> probeBf16() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            int channels = 8;
            float[] input = new float[5 * 5 * channels];
            for (int i = 0; i < input.length; i++) {
                input[i] = (i % 7) * 0.25f - 0.5f;
            }
            // fed, not a constant: Grappler would fold a constant graph with its generic kernels, not oneDNN's
            Placeholder<TFloat32> fed = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 5, 5, channels)));
            Operand<TBfloat16> x = tf.dtypes.cast(fed, TBfloat16.class);
            float[] ones = new float[channels];
            java.util.Arrays.fill(ones, 1f);
            Operand<TFloat32> one = tf.constant(ones);
            Operand<TFloat32> zero = tf.constant(new float[channels]);
            FusedBatchNorm<TBfloat16, TFloat32> bn = tf.nn.fusedBatchNorm(x, one, zero, zero, one,
                    FusedBatchNorm.isTraining(true), FusedBatchNorm.epsilon(1e-5f),
                    FusedBatchNorm.exponentialAvgFactor(0.01f), FusedBatchNorm.dataFormat("NHWC"));
            Operand<TFloat32> y = tf.dtypes.cast(bn.y(), TFloat32.class);
            try (TFloat32 in = TFloat32.tensorOf(Shape.of(1, 5, 5, channels), DataBuffers.of(input));
                    Result r = s.runner().feed(fed, in).fetch(y).run()) {
                TFloat32 out = (TFloat32) r.get(0);
                float[] values = new float[Math.toIntExact(out.size())];
                out.asRawTensor().data().asFloats().read(values);
                for (float v : values) {
                    if (!Float.isFinite(v)) {
                        return Optional.of("a bfloat16 batch norm returned " + v);
                    }
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            int newline = message.indexOf('\n');
            return Optional.of("TensorFlow said: " + (newline < 0 ? message : message.substring(0, newline)).trim());
        }
    }
}
