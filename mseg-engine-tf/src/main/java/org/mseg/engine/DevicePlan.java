package org.mseg.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mseg.api.ConfigException;
import org.mseg.api.config.ConfigSchema;

/**
 * The devices one training step runs on, as the {@link Trainer}'s graph builder receives them: each device runs a tower
 * of the model over its share of the batch (see {@code Towers}: one shared copy of the variables, synchronized BN,
 * all-reduced gradients). {@link #single()} is one replica on TensorFlow's default
 * placement; {@link #parse} reads the user-facing syntax of {@code TRAIN.devices} and {@code --devices}.
 *
 * @param devices TensorFlow device names ({@code cpu:0}, {@code gpu:1}, ...), one per replica; empty for one replica
 *                on TensorFlow's default placement
 */
public record DevicePlan(List<String> devices) {

    private static final Pattern DEVICE = Pattern.compile("(cpu|gpu):\\d{1,3}");
    /** {@code cpu}, {@code cpu:N}, {@code gpu}, {@code gpu:I,J,...}, after whitespace and case are normalised. */
    private static final Pattern SPEC = Pattern.compile("(cpu|gpu)(?::(\\d{1,3}(?:,\\d{1,3})*))?");
    /** Largest {@code N} of {@code cpu:N}: the device names have at most three digits. */
    public static final int MAX_CPU_DEVICES = 999;

    /** Validates the names. */
    public DevicePlan {
        devices = List.copyOf(devices);
        for (String d : devices) {
            if (!DEVICE.matcher(Objects.requireNonNull(d, "device")).matches()) {
                throw new ConfigException("device '" + d + "' is not a TensorFlow device name of the form cpu:N or"
                        + " gpu:N");
            }
        }
        if (devices.stream().distinct().count() != devices.size()) {
            throw new ConfigException("devices " + devices + " name a device twice");
        }
    }

    /** One replica, placed by TensorFlow (the CPU, or the first GPU of a GPU build). */
    public static DevicePlan single() {
        return new DevicePlan(List.of());
    }

    /**
     * The plan a device spec asks for, as {@code TRAIN.devices} and {@code --devices} write it (case and whitespace
     * around {@code :} and {@code ,} do not matter):
     * <ul>
     * <li>{@code cpu}: {@link #single()};</li>
     * <li>{@code cpu:N} ({@code N >= 1}): {@code N} virtual CPU devices {@code cpu:0..cpu:N-1}, one replica each
     * ({@code cpu:1} is the explicit one-device plan {@code [cpu:0]});</li>
     * <li>{@code gpu}: every visible GPU, {@code gpu:0..gpu:(visibleGpus-1)};</li>
     * <li>{@code gpu:I,J,...}: those GPUs, e.g. {@code gpu:0,2,3}.</li>
     * </ul>
     *
     * @param visibleGpus GPUs TensorFlow sees ({@link DeviceInventory#gpuCount()}); only GPU specs read it
     * @throws ConfigException naming the accepted forms for any other text, a repeated or invisible GPU, and the fix
     *                         when a GPU spec meets a machine without a visible GPU
     */
    public static DevicePlan parse(String spec, int visibleGpus) {
        Parsed p = read(spec);
        if (!p.gpu()) {
            if (p.indices().isEmpty()) {
                return single();
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < p.indices().get(0); i++) {
                names.add("cpu:" + i);
            }
            return new DevicePlan(names);
        }
        if (visibleGpus <= 0) {
            throw new ConfigException("device spec '" + p.canonical() + "' asks for GPUs, but TensorFlow sees no GPU."
                    + " " + NO_GPU_FIX);
        }
        List<String> names = new ArrayList<>();
        if (p.indices().isEmpty()) {
            for (int i = 0; i < visibleGpus; i++) {
                names.add("gpu:" + i);
            }
            return new DevicePlan(names);
        }
        for (int i : p.indices()) {
            if (i >= visibleGpus) {
                throw new ConfigException("device spec '" + p.canonical() + "' names gpu:" + i + ", but TensorFlow"
                        + " sees " + visibleGpus + " GPU" + (visibleGpus == 1 ? " (gpu:0)" : "s (gpu:0..gpu:"
                        + (visibleGpus - 1) + ")") + "; use indices below " + visibleGpus + ", or 'gpu' for all of"
                        + " them (CUDA_VISIBLE_DEVICES, if set, renumbers the GPUs TensorFlow sees)");
            }
            names.add("gpu:" + i);
        }
        return new DevicePlan(names);
    }

    /**
     * The spec in canonical form ({@code " GPU : 0, 2 "} → {@code gpu:0,2}), checked for everything that does not
     * depend on the machine: the syntax, {@code cpu:0}, a GPU named twice.
     *
     * @throws ConfigException naming the accepted forms
     */
    public static String normalize(String spec) {
        return read(spec).canonical();
    }

    /** Whether {@code text} is a device spec that {@link #normalize} accepts. */
    public static boolean isSpec(String text) {
        try {
            read(text);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    /** What the fix is when a GPU spec meets a machine where TensorFlow sees no GPU. */
    public static final String NO_GPU_FIX = "A GPU needs TensorFlow Java's GPU natives (the dependency"
            + " tensorflow-core-native:1.1.0:linux-x86_64-gpu instead of linux-x86_64), an NVIDIA driver providing"
            + " libcuda.so.1, and the CUDA 12 / cuDNN 9 libraries on LD_LIBRARY_PATH before the JVM starts;"
            + " `mseg-cli doctor` shows what TensorFlow sees and what is missing. Or train on the CPU: cpu, or cpu:N.";

    /** A spec's parts: GPU or CPU, and its numbers ({@code cpu:N}: [N]; {@code gpu:I,J}: [I, J]). */
    private record Parsed(boolean gpu, List<Integer> indices) {
        String canonical() {
            String kind = gpu ? "gpu" : "cpu";
            return indices.isEmpty() ? kind : kind + ":" + String.join(",",
                    indices.stream().map(String::valueOf).toList());
        }
    }

    private static Parsed read(String spec) {
        if (spec == null) {
            throw new ConfigException("no device spec given; " + ConfigSchema.DEVICE_FORMS);
        }
        String text = spec.strip().toLowerCase(Locale.ROOT).replaceAll("\\s*([:,])\\s*", "$1");
        Matcher m = SPEC.matcher(text);
        if (!m.matches()) {
            throw new ConfigException("device spec '" + spec.strip() + "' is not valid; " + ConfigSchema.DEVICE_FORMS);
        }
        boolean gpu = m.group(1).equals("gpu");
        List<Integer> indices = new ArrayList<>();
        if (m.group(2) != null) {
            for (String n : m.group(2).split(",")) {
                indices.add(Integer.parseInt(n));
            }
        }
        if (!gpu && indices.size() > 1) {
            throw new ConfigException("device spec '" + spec.strip() + "': cpu:N takes one number, the count of"
                    + " virtual CPU devices (cpu:" + indices.get(indices.size() - 1) + " gives cpu:0..cpu:"
                    + (indices.get(indices.size() - 1) - 1) + ")");
        }
        if (!gpu && !indices.isEmpty() && (indices.get(0) < 1 || indices.get(0) > MAX_CPU_DEVICES)) {
            throw new ConfigException("device spec '" + spec.strip() + "': cpu:N needs 1 <= N <= " + MAX_CPU_DEVICES
                    + " virtual CPU devices (cpu:1 is one explicit device, plain cpu TensorFlow's own placement)");
        }
        Set<Integer> seen = new LinkedHashSet<>();
        for (int i : indices) {
            if (gpu && !seen.add(i)) {
                throw new ConfigException("device spec '" + spec.strip() + "' names gpu:" + i + " twice; list each"
                        + " GPU once");
            }
        }
        return new Parsed(gpu, List.copyOf(indices));
    }

    /** Number of model replicas a step runs. */
    public int replicas() {
        return Math.max(1, devices.size());
    }

    /**
     * How many CPU devices the session must expose ({@code ConfigProto.device_count["CPU"]}): the largest CPU index
     * of the plan plus one, at least 1.
     */
    public int cpuDeviceCount() {
        int n = 1;
        for (String d : devices) {
            if (d.startsWith("cpu:")) {
                n = Math.max(n, Integer.parseInt(d.substring(4)) + 1);
            }
        }
        return n;
    }

    /** Whether a replica runs on a GPU. */
    public boolean usesGpu() {
        return devices.stream().anyMatch(d -> d.startsWith("gpu:"));
    }

    @Override
    public String toString() {
        return devices.isEmpty() ? "default device" : String.join(",", devices);
    }
}
