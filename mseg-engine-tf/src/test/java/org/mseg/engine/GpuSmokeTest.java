package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mseg.engine.model.ParameterGroup;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;

/**
 * The smoke check of TensorFlow's GPU natives, opt-in: {@code mvn -B -Pgpu-smoke verify -pl mseg-engine-tf -am}
 * (the default build excludes the tag {@code gpu}). On a machine without an NVIDIA device it checks that the GPU
 * build still loads, runs graphs and trains on the CPU, and that the trainer's warning fires; on a machine with one,
 * that TensorFlow sees the GPU (so the driver and the CUDA 12 / cuDNN 9 libraries were found).
 */
@Tag("gpu")
class GpuSmokeTest {

    /** Whether the machine has an NVIDIA device, whatever TensorFlow makes of it. */
    private static boolean nvidiaDevicePresent() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.isDirectory(Path.of("/proc/driver/nvidia/gpus"));
    }

    @Test
    void gpuNativesLoad() {
        long start = System.nanoTime();
        String version = TensorFlow.version();
        System.out.printf(Locale.ROOT, "GPU smoke: TensorFlow %s natives loaded in %.1f s%n", version,
                (System.nanoTime() - start) / 1e9);
        assertTrue(version.startsWith("2."), version);
        assertTrue(GpuFallback.gpuBuild(), "the linux-x86_64-gpu natives are not the ones loaded: run with -Pgpu-smoke");
    }

    @Test
    void tinyGraphRuns() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> product = tf.linalg.matMul(tf.constant(new float[][] {{1, 2}, {3, 4}}),
                    tf.constant(new float[][] {{5}, {6}}));
            try (Result r = s.runner().fetch(product).run()) {
                TFloat32 p = (TFloat32) r.get(0);
                assertArrayEquals(new float[] {17, 39}, new float[] {p.getFloat(0, 0), p.getFloat(1, 0)});
            }
        }
    }

    @Test
    void devicesMatchTheMachine() {
        int gpus = GpuFallback.visibleGpus();
        System.out.println("GPU smoke: TensorFlow sees " + gpus + " GPU(s); NVIDIA device present: "
                + nvidiaDevicePresent());
        if (nvidiaDevicePresent()) {
            assertTrue(gpus > 0, "an NVIDIA device is present but TensorFlow sees no GPU: check the driver"
                    + " (libcuda.so.1) and that CUDA 12 / cuDNN 9 are on LD_LIBRARY_PATH (MSEG_CUDA_LIBS)");
            assertEquals(Optional.empty(), GpuFallback.check());
        } else {
            assertEquals(0, gpus);
            assertEquals(Optional.of(GpuFallback.WARNING), GpuFallback.check());
        }
    }

    @Test
    void withoutAGpuTrainingFallsBackToCpuWithAWarning() {
        assumeFalse(nvidiaDevicePresent(), "this machine has an NVIDIA device");
        assertTrue(GpuFallback.warnIfNoGpu(), "the GPU build without a GPU must warn when training starts");
        // a 3x3 convolution fitted to a target one by SGD: Conv2D is the op whose GPU kernels mark the GPU build
        float[][][][] image = new float[1][4][4][1];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image[0][y][x][0] = (y * 4 + x) / 16f;
            }
        }
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Variable<TFloat32> kernel = tf.withName("kernel").variable(Shape.of(3, 3, 1, 1), TFloat32.class);
            tf.withInitScope().assign(kernel, tf.withInitScope().zeros(tf.withInitScope().constant(
                    new long[] {3, 3, 1, 1}), TFloat32.class));
            Operand<TFloat32> x = tf.constant(image);
            Operand<TFloat32> target = tf.math.mul(x, tf.constant(2f));
            Operand<TFloat32> y = tf.nn.conv2d(x, tf.identity(kernel), List.of(1L, 1L, 1L, 1L), "SAME",
                    Conv2d.dataFormat("NHWC"));
            Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(y, target)), tf.constant(new int[] {0,
                    1, 2, 3}));
            SgdMomentum sgd = new SgdMomentum(tf, List.of(new ParameterGroup("conv", List.of(kernel), 1f)), 0.9f, 0f);
            @SuppressWarnings("unchecked")
            Operand<TFloat32> grad = (Operand<TFloat32>) (Operand<?>) tf.gradients(loss, sgd.variables()).dy(0);
            Op step = sgd.apply(List.of(grad), List.of());
            try (Session s = new Session(g); TFloat32 rate = TFloat32.scalarOf(0.5f)) {
                float first = lossOf(s, loss);
                for (int i = 0; i < 100; i++) {
                    s.runner().feed(sgd.learningRate(), rate).addTarget(step).run();
                }
                float last = lossOf(s, loss);
                System.out.printf(Locale.ROOT, "GPU smoke: CPU fallback training, loss %.4f -> %.6f%n", first, last);
                assertFalse(Float.isNaN(last));
                assertTrue(last < first / 100, "loss " + first + " -> " + last);
            }
        }
    }

    private static float lossOf(Session s, Operand<TFloat32> loss) {
        try (Result r = s.runner().fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }
}
