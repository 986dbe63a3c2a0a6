package org.mseg.engine;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * The devices a TensorFlow session of this process sees, listed through the C API ({@code TF_SessionListDevices}) on
 * a throwaway graph and session: the CPU devices the session was asked for and every GPU TensorFlow could open. It
 * needs TF Java's native session handle ({@link NativeHandles}).
 *
 * <p>What TF Java 1.1.0's C API does not report: a GPU's compute capability and the CUDA and cuDNN versions TensorFlow
 * loaded (TensorFlow logs them when it opens a GPU; {@code TF_DeviceList} has name, type and memory only).
 *
 * @param devices every device, in TensorFlow's order
 */
public record DeviceInventory(List<Device> devices) {

    /** What {@link #nativeVariant()} returns for TensorFlow Java's CPU natives ({@code linux-x86_64}). */
    public static final String CPU_VARIANT = "cpu";
    /** What {@link #nativeVariant()} returns for TensorFlow Java's GPU natives ({@code linux-x86_64-gpu}). */
    public static final String GPU_VARIANT = "gpu";

    /** What TF Java 1.1.0's C API leaves out, for reports. */
    public static final String NOT_REPORTED = "not reported by TF Java 1.1.0's C API";

    /**
     * One device.
     *
     * @param name        TensorFlow's full name, {@code /job:localhost/replica:0/task:0/device:CPU:0}
     * @param type        {@code CPU} or {@code GPU} (or another type a plugin registers)
     * @param memoryBytes the memory TensorFlow may use on it (a CPU reports its allocator's nominal limit)
     */
    public record Device(String name, String type, long memoryBytes) {

        /** The short name a {@link DevicePlan} uses: {@code cpu:0}, {@code gpu:1}. */
        public String planName() {
            String tail = name.substring(name.lastIndexOf("device:") + "device:".length());
            return tail.toLowerCase(Locale.ROOT);
        }
    }

    /** Copies the list. */
    public DeviceInventory {
        devices = List.copyOf(devices);
    }

    /**
     * The devices a session with {@code cpuDevices} CPU devices sees (a {@code ConfigProto} with
     * {@code device_count {"CPU": cpuDevices}}; GPUs are not limited).
     *
     * @throws ConfigException   if the JVM does not open TF Java's handles ({@link NativeHandles#ADD_OPENS})
     * @throws TrainingException if TensorFlow fails to list its devices
     */
    public static DeviceInventory list(int cpuDevices) {
        if (cpuDevices < 1) {
            throw new IllegalArgumentException("cpuDevices must be at least 1, was " + cpuDevices);
        }
        ConfigProto config = ConfigProto.newBuilder().putDeviceCount("CPU", cpuDevices).build();
        List<Device> found = new ArrayList<>();
        try (Graph g = new Graph(); Session s = new Session(g, config)) {
            TF_Status status = TF_NewStatus();
            try {
                TF_DeviceList list = TF_SessionListDevices(NativeHandles.session(s, "listing TensorFlow's devices"),
                        status);
                check(status, "TF_SessionListDevices");
                try {
                    int n = TF_DeviceListCount(list);
                    for (int i = 0; i < n; i++) {
                        String name = string(TF_DeviceListName(list, i, status));
                        check(status, "TF_DeviceListName");
                        String type = string(TF_DeviceListType(list, i, status));
                        check(status, "TF_DeviceListType");
                        long memory = TF_DeviceListMemoryBytes(list, i, status);
                        check(status, "TF_DeviceListMemoryBytes");
                        found.add(new Device(name, type, memory));
                    }
                } finally {
                    TF_DeleteDeviceList(list);
                }
            } finally {
                TF_DeleteStatus(status);
            }
        }
        return new DeviceInventory(found);
    }

    /**
     * The plan {@code spec} ({@link DevicePlan#parse} syntax) gives on this machine. Only a GPU spec lists the
     * devices (a session opening every GPU); CPU specs never start TensorFlow here.
     *
     * @throws ConfigException if the spec is malformed or asks for GPUs TensorFlow does not see
     */
    public static DevicePlan resolvePlan(String spec) {
        String canonical = DevicePlan.normalize(spec);
        return DevicePlan.parse(canonical, canonical.startsWith("gpu") ? list(1).gpuCount() : 0);
    }

    /** Number of GPU devices. */
    public int gpuCount() {
        return (int) devices.stream().filter(d -> d.type().equals("GPU")).count();
    }

    /** Number of CPU devices. */
    public int cpuCount() {
        return (int) devices.stream().filter(d -> d.type().equals("CPU")).count();
    }

    /** The short names ({@code cpu:0}, {@code gpu:0}, ...) of the devices. */
    public List<String> planNames() {
        return devices.stream().map(Device::planName).toList();
    }

    /**
     * Which TensorFlow Java natives this process loaded: {@link #GPU_VARIANT} for the
     * {@code tensorflow-core-native} classifier {@code linux-x86_64-gpu}, else {@link #CPU_VARIANT}. Loads
     * TensorFlow's native library if needed, then reads where JavaCPP loaded {@code jnitensorflow} from (its cache
     * folder keeps the classifier's resource path, {@code org/tensorflow/internal/c_api/linux-x86_64-gpu/}); when
     * JavaCPP does not say, whether that resource folder is on the module or class path.
     */
    public static String nativeVariant() {
        TensorFlow.version();
        String gpuFolder = "/c_api/" + org.bytedeco.javacpp.Loader.getPlatform() + "-gpu/";
        boolean sawTensorFlow = false;
        for (Map.Entry<String, String> e : org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet()) {
            String path = String.valueOf(e.getValue()).replace('\\', '/');
            if (e.getKey().contains("tensorflow") || path.contains("tensorflow")) {
                sawTensorFlow = true;
                if (path.contains(gpuFolder)) {
                    return GPU_VARIANT;
                }
            }
        }
        if (sawTensorFlow) {
            return CPU_VARIANT;
        }
        String resource = "org/tensorflow/internal/c_api/" + org.bytedeco.javacpp.Loader.getPlatform()
                + "-gpu/libjnitensorflow.so";
        ClassLoader loader = TensorFlow.class.getClassLoader();
        return loader != null && loader.getResource(resource) != null ? GPU_VARIANT : CPU_VARIANT;
    }

    private static void check(TF_Status status, String call) {
        if (TF_GetCode(status) != TF_OK) {
            throw new TrainingException("TensorFlow could not list its devices: " + call + " failed: "
                    + string(TF_Message(status)));
        }
    }

    private static String string(BytePointer p) {
        return p == null || p.isNull() ? "" : p.getString();
    }
}
