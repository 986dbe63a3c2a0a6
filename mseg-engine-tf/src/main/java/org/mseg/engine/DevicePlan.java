package org.mseg.engine;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.mseg.api.ConfigException;

/**
 * The devices one training step runs on, as the {@link Trainer}'s graph builder receives them: each device holds a
 * replica of the model and computes its share of the batch. Today the engine builds one replica ({@link #single()}:
 * TensorFlow places its ops); the plan is where data parallelism over several devices enters the trainer.
 *
 * @param devices TensorFlow device names ({@code cpu:0}, {@code gpu:1}, ...), one per replica; empty for one replica
 *                on TensorFlow's default placement
 */
public record DevicePlan(List<String> devices) {

    private static final Pattern DEVICE = Pattern.compile("(cpu|gpu):\\d{1,3}");

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

    /** Number of model replicas a step runs. */
    public int replicas() {
        return Math.max(1, devices.size());
    }

    @Override
    public String toString() {
        return devices.isEmpty() ? "default device" : String.join(",", devices);
    }
}
