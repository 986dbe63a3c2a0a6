package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** {@code mseg-cli bench train} on a tiny HRNet: one JSON object with both timings and the parameter count. */
class BenchTrainCommandTest {

    @Test
    void jsonReportsBothTimingsAndTheParameterCount() {
        CliTest.Run r = CliTest.run("bench", "train", "--variant", "tiny", "--crop", "33", "--batch", "2",
                "--steps", "1", "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        assertTrue(json.matches("\\{\"s_per_step_const\":[0-9.]+,\"s_per_step_loader\":[0-9.]+,\"ratio\":[0-9.]+,"
                + "\"params\":\\d+,.*\\}"), json);
    }

    @Test
    void severalPrecisionsAreMeasuredAgainstTheFirst() {
        // oneDNN has bfloat16 kernels only on AVX-512 CPUs; elsewhere bf16 is refused (TrainCommandTest)
        org.junit.jupiter.api.Assumptions.assumeTrue(org.mseg.engine.LowPrecisionKernels.problem(
                org.mseg.api.config.Precision.BF16).isEmpty(), "no bfloat16 kernels on this CPU");
        CliTest.Run r = CliTest.run("bench", "train", "--variant", "tiny", "--crop", "17", "--batch", "2",
                "--steps", "1", "--precision", "fp32,bf16", "--no-loader", "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        assertTrue(json.matches(".*\"precisions\":\\[\\{\"precision\":\"fp32\",\"s_per_step_const\":[0-9.]+,"
                + "\"const_vs_fp32\":1(\\.0)?\\},\\{\"precision\":\"bf16\",\"s_per_step_const\":[0-9.]+,"
                + "\"const_vs_fp32\":[0-9.]+\\}\\].*"), json);
        assertEquals(2, CliTest.run("bench", "train", "--variant", "tiny", "--precision", "fp8").code());
    }

    @Test
    void bf16OnACpuWithoutItsKernelsIsRefusedNamingTheFix() {
        // ONEDNN_MAX_CPU_ISA=AVX2 makes oneDNN act as on an AVX2-only CPU, which has no bfloat16 batch norm: without
        // the probe, the first step fails with "could not create a primitive descriptor" deep inside TensorFlow
        TestPlugins.Exit e = TestPlugins.cli(java.util.Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), 300, "bench", "train",
                "--variant", "tiny", "--crop", "17", "--batch", "2", "--steps", "1", "--precision", "fp32,bf16",
                "--no-loader", "--json");
        assertEquals(2, e.code(), e.output());
        assertTrue(e.output().contains("--precision is bf16") && e.output().contains("precision=fp32")
                && e.output().contains("AVX-512"), e.output());
    }

    @Test
    void deviceListsSplitOnSemicolonsAndOnCommasBeforeAWholeSpecOnly() {
        assertEquals(List.of("cpu:1", "cpu:2"), BenchTrainCommand.deviceSpecs(List.of("cpu:1,cpu:2")));
        assertEquals(List.of("gpu:0,2,3"), BenchTrainCommand.deviceSpecs(List.of("gpu:0,2,3")));
        assertEquals(List.of("cpu:1", "gpu:0,2", "cpu"), BenchTrainCommand.deviceSpecs(List.of("cpu:1, GPU:0,2",
                "cpu")));
        assertEquals(List.of("cpu", "gpu:0,1", "cpu:4"), BenchTrainCommand.deviceSpecs(List.of("cpu;gpu:0,1;cpu:4")));
        assertEquals(List.of("cpu"), BenchTrainCommand.deviceSpecs(List.of()));
        for (String bad : List.of("cpu:1,,cpu:2", "cpu;", "gpu:0,gpux", "cpu:1,2")) {
            ConfigException e = assertThrows(ConfigException.class, () -> BenchTrainCommand.deviceSpecs(List.of(bad)),
                    bad);
            assertTrue(e.getMessage().startsWith("--devices: device spec"), e.getMessage());
        }
    }

    @Test
    void jsonNamesTheDevicePlanItsThroughputAndTheCpu() {
        CliTest.Run r = CliTest.run("bench", "train", "--variant", "tiny", "--crop", "17", "--batch", "2",
                "--steps", "1", "--no-loader", "--devices", "cpu:1", "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        // all-reduce: 0 for one replica once the engine measures it, null until then
        assertTrue(json.matches(".*\"device_spec\":\"cpu:1\",\"devices\":\\[\"cpu:0\"\\],\"replicas\":1,"
                + "\"crops_per_s\":[0-9.]+,\"scaling_efficiency\":1(\\.0)?,\"allreduce_s_per_step\":(null|0(\\.0)?),"
                + "\"cpu_model\":(null|\"[^\"]+\")\\}"), json);
    }

    @Test
    void severalPlansAreMeasuredInOneRunOrTheEngineSaysWhyNot() {
        CliTest.Run r = CliTest.run("bench", "train", "--variant", "tiny", "--crop", "17", "--batch", "1",
                "--steps", "1", "--no-loader", "--devices", "cpu:1,cpu:2", "--json");
        if (r.code() == 0) {
            assertTrue(r.out().matches("(?s).*\"plans\":\\[\\{\"precision\":\"fp32\".*\"device_spec\":\"cpu:1\".*"
                    + "\"device_spec\":\"cpu:2\",\"devices\":\\[\"cpu:0\",\"cpu:1\"\\],\"replicas\":2.*"), r.out());
        } else {
            // until the engine builds replicas on several devices, StepGraph refuses the plan
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("device plan cpu:0,cpu:1"), r.err());
        }
        assertEquals(2, CliTest.run("bench", "train", "--variant", "tiny", "--devices", "gpu").code(),
                "no GPU on this build");
    }

    @Test
    void invalidCropIsAUsageError() {
        assertEquals(2, CliTest.run("bench", "train", "--variant", "tiny", "--crop", "100").code());
    }
}
