package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
    void invalidCropIsAUsageError() {
        assertEquals(2, CliTest.run("bench", "train", "--variant", "tiny", "--crop", "100").code());
    }
}
