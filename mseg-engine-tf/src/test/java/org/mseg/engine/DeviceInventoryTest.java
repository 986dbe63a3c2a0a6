package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** The devices a TensorFlow session sees, through the C API on TF Java's native handles. */
class DeviceInventoryTest {

    @Test
    void aSessionWithTwoCpuDevicesListsCpu0AndCpu1() {
        DeviceInventory inventory = DeviceInventory.list(2);
        List<String> cpus = inventory.devices().stream().filter(d -> d.type().equals("CPU"))
                .map(DeviceInventory.Device::name).toList();
        assertEquals(List.of("/job:localhost/replica:0/task:0/device:CPU:0",
                "/job:localhost/replica:0/task:0/device:CPU:1"), cpus);
        assertEquals(2, inventory.cpuCount());
        assertTrue(inventory.planNames().containsAll(List.of("cpu:0", "cpu:1")), inventory.planNames().toString());
        assertTrue(inventory.devices().stream().allMatch(d -> d.memoryBytes() >= 0), inventory.toString());
    }

    @Test
    void oneCpuDeviceByDefault() {
        assertEquals(1, DeviceInventory.list(1).cpuCount());
        assertThrows(IllegalArgumentException.class, () -> DeviceInventory.list(0));
    }

    @Test
    void theBuildsNativesAreCpuOnesAndSeeNoGpu() {
        // this module's build depends on tensorflow-core-native's linux-x86_64 classifier, not linux-x86_64-gpu
        assertEquals(DeviceInventory.CPU_VARIANT, DeviceInventory.nativeVariant());
        assertEquals(0, DeviceInventory.list(1).gpuCount());
    }

    @Test
    void resolvingACpuSpecNeedsNoSessionAndAGpuSpecNamesTheFix() {
        assertEquals(List.of("cpu:0", "cpu:1"), DeviceInventory.resolvePlan("cpu:2").devices());
        assertEquals(DevicePlan.single(), DeviceInventory.resolvePlan("CPU"));
        ConfigException e = assertThrows(ConfigException.class, () -> DeviceInventory.resolvePlan("gpu:0"));
        assertTrue(e.getMessage().contains("TensorFlow sees no GPU"), e.getMessage());
    }
}
