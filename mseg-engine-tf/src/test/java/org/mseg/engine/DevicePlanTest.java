package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** {@code TRAIN.devices} / {@code --devices}: the spec syntax and the plans it gives. No TensorFlow needed. */
class DevicePlanTest {

    @Test
    void cpuIsOneReplicaOnTensorFlowsPlacement() {
        DevicePlan p = DevicePlan.parse("cpu", 0);
        assertEquals(DevicePlan.single(), p);
        assertEquals(1, p.replicas());
        assertEquals(1, p.cpuDeviceCount());
        assertFalse(p.usesGpu());
        assertEquals("default device", p.toString());
    }

    @Test
    void cpuNIsNVirtualCpuDevices() {
        assertEquals(List.of("cpu:0"), DevicePlan.parse("cpu:1", 0).devices(), "the explicit one-device plan");
        DevicePlan four = DevicePlan.parse("cpu:4", 0);
        assertEquals(List.of("cpu:0", "cpu:1", "cpu:2", "cpu:3"), four.devices());
        assertEquals(4, four.replicas());
        assertEquals(4, four.cpuDeviceCount());
        assertFalse(four.usesGpu());
    }

    @Test
    void gpuIsEveryVisibleGpu() {
        DevicePlan p = DevicePlan.parse("gpu", 3);
        assertEquals(List.of("gpu:0", "gpu:1", "gpu:2"), p.devices());
        assertTrue(p.usesGpu());
        assertEquals(1, p.cpuDeviceCount(), "a GPU plan needs only the default CPU device");
    }

    @Test
    void gpuListIsThoseGpusInTheGivenOrder() {
        assertEquals(List.of("gpu:0", "gpu:2", "gpu:3"), DevicePlan.parse("gpu:0,2,3", 4).devices());
        assertEquals(List.of("gpu:1"), DevicePlan.parse("gpu:1", 2).devices());
    }

    @Test
    void caseAndWhitespaceDoNotMatter() {
        assertEquals(DevicePlan.parse("gpu:0,2", 4), DevicePlan.parse("  GPU : 0 , 2 ", 4));
        assertEquals(DevicePlan.parse("cpu:2", 0), DevicePlan.parse("Cpu :2", 0));
        assertEquals("gpu:0,2", DevicePlan.normalize("  GPU : 0 , 2 "));
        assertEquals("cpu", DevicePlan.normalize(" CPU"));
    }

    @Test
    void gpuWithoutAVisibleGpuNamesTheFix() {
        for (String spec : List.of("gpu", "gpu:0")) {
            ConfigException e = assertThrows(ConfigException.class, () -> DevicePlan.parse(spec, 0));
            assertTrue(e.getMessage().contains("TensorFlow sees no GPU") && e.getMessage().contains("linux-x86_64-gpu")
                    && e.getMessage().contains("libcuda.so.1") && e.getMessage().contains("LD_LIBRARY_PATH")
                    && e.getMessage().contains("mseg-cli doctor"), e.getMessage());
        }
    }

    @Test
    void aGpuIndexBeyondTheVisibleOnesIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> DevicePlan.parse("gpu:0,2", 2));
        assertTrue(e.getMessage().contains("names gpu:2") && e.getMessage().contains("sees 2 GPUs (gpu:0..gpu:1)"),
                e.getMessage());
    }

    @Test
    void aRepeatedGpuIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> DevicePlan.parse("gpu:1,1", 4));
        assertTrue(e.getMessage().contains("gpu:1 twice"), e.getMessage());
    }

    @Test
    void cpuNeedsAtLeastOneDevice() {
        ConfigException e = assertThrows(ConfigException.class, () -> DevicePlan.parse("cpu:0", 0));
        assertTrue(e.getMessage().contains("1 <= N"), e.getMessage());
        assertThrows(ConfigException.class, () -> DevicePlan.parse("cpu:1,2", 0));
    }

    @Test
    void anythingElseNamesTheAcceptedForms() {
        for (String bad : List.of("tpu", "", "cpu:", "gpu:", "gpu:0,", "cpu:-1", "gpu:x", "cuda", "gpu0", "cpu:1234")) {
            ConfigException e = assertThrows(ConfigException.class, () -> DevicePlan.parse(bad, 8), bad);
            assertTrue(e.getMessage().contains("cpu:N") && e.getMessage().contains("gpu:I,J,..."), e.getMessage());
            assertFalse(DevicePlan.isSpec(bad), bad);
        }
        assertThrows(ConfigException.class, () -> DevicePlan.parse(null, 0));
    }

    @Test
    void theRecordStillTakesDeviceNames() {
        assertEquals(2, new DevicePlan(List.of("cpu:0", "cpu:3")).replicas());
        assertEquals(4, new DevicePlan(List.of("cpu:0", "cpu:3")).cpuDeviceCount());
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("cpu:0", "cpu:0")));
        assertThrows(ConfigException.class, () -> new DevicePlan(List.of("tpu:0")));
    }
}
