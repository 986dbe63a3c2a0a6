package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mseg-cli bench loader} on generated 1080p data, with short runs. */
class BenchLoaderCommandTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = MsegCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.Ee+-]+)").matcher(json);
        assertTrue(m.find(), key + " missing from " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jsonReportsThroughputThreadsAndPeakRss() {
        Result r = run("bench", "loader", "--threads", "2", "--seconds", "0.5", "--images", "1", "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}") && json.lines().count() == 1, json);
        assertTrue(number(json, "crops_per_s") > 0, json);
        assertEquals(2, number(json, "threads"), json);
        assertTrue(number(json, "peak_rss_mb") > 50, json);
        assertTrue(number(json, "baseline_crops_per_s") > 0, json);
        assertTrue(number(json, "speedup") > 0, json);
        assertTrue(json.contains("\"crop\":\"713x713\""), json);
        assertTrue(number(json, "reference_crops_per_s") > 0, json);
        assertTrue(number(json, "one_thread_vs_reference") > 0, json);
    }

    @Test
    void tableShowsTheOneThreadBaselineAndTheSpeedUp() {
        Result r = run("bench", "loader", "--threads", "1", "--seconds", "0.3", "--images", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("CROPS/S"), r.out());
        String row = "loader\\s+1\\s+\\d+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+1\\.00x\\s+[0-9.]+";
        assertTrue(r.out().lines().anyMatch(l -> l.matches(row)), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("reference")), r.out());
        assertTrue(r.out().contains("vs the reference"), r.out());
        Result none = run("bench", "loader", "--threads", "1", "--seconds", "0.3", "--images", "1", "--no-reference");
        assertTrue(none.out().lines().noneMatch(l -> l.startsWith("reference")), none.out());
        assertTrue(r.out().contains("Peak RSS:"), r.out());
    }

    @Test
    void invalidArgumentsAreUsageErrors() {
        assertEquals(2, run("bench", "loader", "--seconds", "0").code());
        assertEquals(2, run("bench", "loader", "--threads", "0").code());
        assertEquals(2, run("bench", "loader", "--threads", "two").code());
    }
}
