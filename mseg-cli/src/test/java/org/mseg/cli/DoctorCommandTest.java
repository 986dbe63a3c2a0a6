package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.json.Json;

/** {@code mseg-cli doctor} on this build: TensorFlow's CPU natives, no GPU. */
class DoctorCommandTest {

    @Test
    void listsTheVersionsTheCpuVariantAndTheCpuDevice() {
        CliTest.Run r = CliTest.run("doctor");
        assertEquals(0, r.code(), r.err() + r.out());
        if (System.getenv("TF_CONFIG") == null && System.getenv("SLURM_PROCID") == null) {
            assertTrue(r.out().contains("cluster: none (one process"), r.out());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.matches("TensorFlow\\s+2\\.\\d+\\.\\d+.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("TensorFlow Java\\s+1\\.1\\.0")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("OpenCV\\s+\\d.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("Java\\s+\\d.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("native variant\\s+cpu .*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("/job:localhost/replica:0/task:0/device:CPU:0\\s+CPU\\s+\\d+"
                + " MiB")), r.out());
        assertTrue(r.out().contains("--devices cpu: usable, 1 replica on TensorFlow's default placement"), r.out());
    }

    @Test
    void cpuNListsNCpuDevices() {
        CliTest.Run r = CliTest.run("doctor", "--devices", "cpu:4");
        assertEquals(0, r.code(), r.err() + r.out());
        for (int i = 0; i < 4; i++) {
            assertTrue(r.out().contains("/job:localhost/replica:0/task:0/device:CPU:" + i + " "), r.out());
        }
        assertFalse(r.out().contains("device:CPU:4"), r.out());
        assertTrue(r.out().contains("usable, 4 replicas on cpu:0,cpu:1,cpu:2,cpu:3"), r.out());
    }

    @Test
    void gpuOnACpuBuildFailsWithTheReasonAndTheFix() {
        CliTest.Run r = CliTest.run("doctor", "--devices", "gpu");
        assertEquals(1, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("--devices gpu: NOT usable") && r.out().contains("sees no GPU"), r.out());
        assertTrue(r.out().contains("fix: These are TensorFlow Java's CPU natives") && r.out().contains("libcuda.so.1")
                && r.out().contains("LD_LIBRARY_PATH") && r.out().contains("cuDNN 9"), r.out());
    }

    @Test
    void jsonIsOneObjectWithTheDevicesAndTheVerdict() {
        CliTest.Run r = CliTest.run("doctor", "--devices", "cpu:2", "--json");
        assertEquals(0, r.code(), r.err() + r.out());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().trim(), "doctor");
        assertEquals("cpu", m.get("native_variant"));
        assertEquals("1.1.0", m.get("tensorflow_java"));
        List<?> devices = (List<?>) m.get("devices");
        assertEquals(2, devices.stream().filter(d -> "CPU".equals(((Map<?, ?>) d).get("type"))).count(), r.out());
        Map<?, ?> check = (Map<?, ?>) m.get("check");
        assertEquals(true, check.get("usable"));
        assertEquals(List.of("cpu:0", "cpu:1"), check.get("plan"));

        CliTest.Run gpu = CliTest.run("doctor", "--devices", "gpu:0,1", "--json");
        assertEquals(1, gpu.code(), gpu.err() + gpu.out());
        Map<?, ?> failed = (Map<?, ?>) ((Map<?, ?>) Json.parse(gpu.out().trim(), "doctor")).get("check");
        assertEquals(false, failed.get("usable"));
        assertFalse(((List<?>) failed.get("fixes")).isEmpty(), gpu.out());
        assertTrue(((Map<?, ?>) Json.parse(gpu.out().trim(), "doctor")).containsKey("gpu_libraries"), gpu.out());
    }

    @Test
    void aMalformedSpecIsAUsageErrorNamingTheForms() {
        CliTest.Run r = CliTest.run("doctor", "--devices", "tpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--devices: device spec 'tpu'") && r.err().contains("gpu:I,J,..."), r.err());
    }
}
