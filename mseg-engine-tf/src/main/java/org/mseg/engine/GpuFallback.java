package org.mseg.engine;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetRegisteredKernelsForOp;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;

/**
 * Says so when TensorFlow's GPU natives ({@code tensorflow-core-native} {@code linux-x86_64-gpu}, built with
 * {@code MSEG_GPU=1 bin/mseg-cli} or {@code -Pgpu}) are loaded but no GPU is visible. TensorFlow then trains on the
 * CPU and only logs its cause (no driver, missing CUDA 12 / cuDNN 9 libraries) among native lines that the launcher
 * hides by default, so a run that was meant for a GPU would silently take hundreds of times longer.
 *
 * <p>The GPU build is recognised by what the loaded library contains, not by a jar name: it registers GPU kernels
 * for {@code Conv2D} even on a machine without a GPU. Visible GPUs are the {@code GPU} devices of a throwaway
 * session. That session uses the default configuration, so on a GPU machine it sets up TensorFlow's process-wide GPU
 * state exactly as the first training session would (including {@code TF_FORCE_GPU_ALLOW_GROWTH}).
 */
public final class GpuFallback {

    /** The line logged at trainer start when the GPU build finds no GPU. */
    public static final String WARNING = "TensorFlow GPU build, but no GPU is visible (driver/CUDA libraries?):"
            + " training on CPU; run mseg-cli doctor";

    private static final Logger LOG = LoggerFactory.getLogger(GpuFallback.class);

    private GpuFallback() {
    }

    /**
     * Whether the loaded TensorFlow library is the GPU build (it has GPU kernels), whether or not a GPU is present.
     * Loads TensorFlow's natives if they are not loaded yet.
     */
    public static boolean gpuBuild() {
        TensorFlow.version();
        KernelList kernels;
        try (TF_Status status = TF_Status.newStatus()) {
            TF_Buffer buffer = TF_GetRegisteredKernelsForOp("Conv2D", status);
            try {
                status.throwExceptionIfNotOK();
                kernels = KernelList.parseFrom(buffer.copyData());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("TensorFlow returned an unreadable kernel list for Conv2D", e);
            } finally {
                if (buffer != null) {
                    TF_DeleteBuffer(buffer);
                }
            }
        }
        return kernels.getKernelList().stream().map(KernelDef::getDeviceType).anyMatch("GPU"::equals);
    }

    /**
     * How many GPU devices a TensorFlow session sees in this process.
     *
     * @throws org.mseg.api.ConfigException if the JVM does not open TF Java's handles ({@link NativeHandles#ADD_OPENS})
     */
    public static int visibleGpus() {
        return DeviceInventory.list(1).gpuCount();
    }

    /** {@link #WARNING} if the GPU build is loaded and sees no GPU; empty for the CPU build or a visible GPU. */
    public static Optional<String> check() {
        return gpuBuild() && visibleGpus() == 0 ? Optional.of(WARNING) : Optional.empty();
    }

    /**
     * Logs {@link #WARNING} as one WARN line if the GPU build is loaded and sees no GPU; call it once, when training
     * starts. Without {@link NativeHandles#ADD_OPENS} the GPUs cannot be counted and nothing is logged.
     *
     * @return whether it warned
     */
    public static boolean warnIfNoGpu() {
        if (!NativeHandles.available() || !gpuBuild()) {
            return false;
        }
        if (visibleGpus() > 0) {
            return false;
        }
        LOG.warn(WARNING);
        return true;
    }
}
