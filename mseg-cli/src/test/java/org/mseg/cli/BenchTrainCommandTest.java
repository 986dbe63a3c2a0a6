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
    void invalidCropIsAUsageError() {
        assertEquals(2, CliTest.run("bench", "train", "--variant", "tiny", "--crop", "100").code());
    }
}
