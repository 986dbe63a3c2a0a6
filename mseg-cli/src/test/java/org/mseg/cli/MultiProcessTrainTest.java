package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;

/**
 * {@code train} as two processes of a TensorFlow cluster ({@code TF_CONFIG} on 127.0.0.1, each {@code --devices
 * cpu:1}, in a private network namespace where the machine allows it), against one process on {@code cpu:2}: the
 * same global batch split over the same two replicas, so the final checkpoints must compute the same logits. Also:
 * task 0 alone writes the run folder, a killed task stops the other with exit code 1 naming it, and restarting both
 * with {@code --resume auto} ends where an uninterrupted run ends.
 */
class MultiProcessTrainTest {

    /** The bound on the logits of the final checkpoints, relative to their largest magnitude (at least 1). */
    private static final double LOGIT_TOLERANCE = 1e-4;

    /** mseg.home of every run here: the synthetic datasets are generated once. */
    @TempDir
    static Path home;
    private static NpyArray input;

    @BeforeAll
    static void fixedInput() throws Exception {
        java.util.Random random = new java.util.Random(7);
        float[] x = new float[3 * 65 * 65];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        input = NpyArray.of(x, 1, 3, 65, 65);
        Npy.write(home.resolve("input.npy"), input);
    }

    @ParameterizedTest(name = "{0}, {1} steps")
    @CsvSource({"standard, 12", "mgda, 4", "ccsa, 6"})
    void twoProcessesOnOneDeviceEachTrainWhatOneProcessOnTwoDevicesTrains(String strategy, int steps,
            @TempDir Path tmp) throws Exception {
        // standard also validates: split over the two tasks, it must give one process's metrics.json
        boolean validate = strategy.equals("standard");
        List<String> common = new ArrayList<>(List.of("train", "--strategy", strategy, "--max-iters",
                String.valueOf(steps)));
        if (!validate) {
            common.add("--no-validate");
        }
        Path reference = tmp.resolve("one-process");
        CliTest.withHome(home, () -> {
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--devices", "cpu:2", "--quiet", "--out", reference.toString()));
            CliTest.Run r = CliTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
        });
        Path run = tmp.resolve("two-processes");
        try (LoopbackCluster cluster = LoopbackCluster.of(tmp.resolve("cluster"), 2)) {
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--devices", "cpu:1", "--set", "print_freq=1", "--peer-timeout", "120", "--out",
                    run.toString()));
            start(cluster, t -> args);
            int[] codes = cluster.awaitAll(400);
            String out0 = cluster.output(0);
            String out1 = cluster.output(1);
            assertEquals(0, codes[0], out0);
            assertEquals(0, codes[1], out1);
            assertTrue(out0.contains("cluster: task 0 of 2 (" + cluster.address(0) + ") from TF_CONFIG"), out0);
            assertTrue(out1.contains("cluster: task 1 of 2 (" + cluster.address(1) + ") from TF_CONFIG"), out1);
            // task 1 logs its steps with its index and writes nothing; task 0 writes the checkpoints
            assertTrue(out1.lines().anyMatch(l -> l.startsWith("[task 1] step " + steps + "/" + steps)), out1);
            assertFalse(out1.lines().anyMatch(l -> l.startsWith("checkpoint ")), out1);
            assertTrue(out0.lines().anyMatch(l -> l.startsWith("checkpoint ")), out0);
            assertFalse(out1.contains("validated"), out1);
        }
        if (validate) {
            String one = Files.readString(reference.resolve("metrics.json"));
            String two = Files.readString(run.resolve("metrics.json"));
            System.out.println("metrics.json of one process: " + one.strip() + "; of two: " + two.strip());
            assertEquals(one, two);
        }
        assertSameLogits(reference.resolve("checkpoints/iter_" + steps), run.resolve("checkpoints/iter_" + steps),
                tmp);
    }

    @Test
    void aKilledTaskStopsTheOtherAndBothResumeToTheUninterruptedResult(@TempDir Path tmp) throws Exception {
        int steps = 24;
        Path run = tmp.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--devices", "cpu:1", "--max-iters",
                String.valueOf(steps), "--no-validate", "--set", "save_freq=1", "--peer-timeout", "60", "--out",
                run.toString(), "--resume", "auto"));
        // the first start makes the synthetic data and the uninterrupted result: one process on cpu:2
        Path reference = tmp.resolve("uninterrupted");
        CliTest.withHome(home, () -> {
            CliTest.Run r = CliTest.run("train", "--devices", "cpu:2", "--max-iters", String.valueOf(steps),
                    "--no-validate", "--quiet", "--set", "save_freq=1", "--out", reference.toString());
            assertEquals(0, r.code(), r.err());
        });
        try (LoopbackCluster cluster = LoopbackCluster.of(tmp.resolve("cluster"), 2)) {
            start(cluster, t -> args);
            cluster.awaitLine(0, "checkpoint ", 300);
            long pid = cluster.pid(1);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            long killed = System.nanoTime();
            int code = cluster.awaitExit(0, 90);
            double seconds = (System.nanoTime() - killed) / 1e9;
            String out0 = cluster.output(0);
            assertEquals(1, code, out0);
            assertTrue(out0.contains("task 1 at " + cluster.address(1)) && out0.contains("is gone"), out0);
            assertTrue(out0.contains("--resume"), out0);
            assertTrue(seconds < 60, "task 0 noticed the dead task 1 after " + seconds + " s");
            assertFalse(Files.exists(run.resolve("checkpoints/iter_" + steps)), "stopped before the end");

            start(cluster, t -> args);
            int[] codes = cluster.awaitAll(400);
            assertEquals(0, codes[0], cluster.output(0));
            assertEquals(0, codes[1], cluster.output(1));
            assertTrue(cluster.output(1).contains("[task 1] trained " + steps + "/" + steps), cluster.output(1));
        }
        assertSameLogits(reference.resolve("checkpoints/iter_" + steps), run.resolve("checkpoints/iter_" + steps),
                tmp);
    }

    /**
     * A task that hangs (SIGSTOP: its machine still accepts connections, it just never answers) is noticed by the
     * watchdog after --peer-timeout, not before, and the waiting task exits with code 1.
     */
    @Test
    void aHungTaskStopsTheOtherAfterThePeerTimeout(@TempDir Path tmp) throws Exception {
        int timeout = 12;
        try (LoopbackCluster cluster = LoopbackCluster.of(tmp.resolve("cluster"), 2)) {
            start(cluster, t -> List.of("train", "--max-iters", "400", "--no-validate", "--set", "print_freq=1",
                    "--peer-timeout", String.valueOf(timeout), "--out", tmp.resolve("run").toString()));
            cluster.awaitLine(0, "step 2/", 300);
            long pid = cluster.pid(1);
            Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start();
            assertEquals(0, stop.waitFor());
            long stopped = System.nanoTime();
            try {
                int code = cluster.awaitExit(0, 3 * timeout + 30);
                double seconds = (System.nanoTime() - stopped) / 1e9;
                String out0 = cluster.output(0);
                assertEquals(1, code, out0);
                assertTrue(out0.contains("waited") && out0.contains("TRAIN.peer_timeout " + timeout + " s")
                        && out0.contains("every task still accepts connections"), out0);
                // a step already under way when task 1 stopped may have run for a while: at least the timeout less a
                // step, at most the timeout plus the watchdog's probe and period
                assertTrue(seconds >= timeout - 5 && seconds <= timeout + 20, "exited after " + seconds + " s");
            } finally {
                new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).start().waitFor();
            }
        }
    }

    @Test
    void tasksThatResumeFromDifferentStepsRefuseToStart(@TempDir Path tmp) throws Exception {
        // task 0 sees a run folder with a checkpoint, task 1 (another --out, as on a machine without the shared
        // folder) none: both stop before the first step, naming the steps
        Path run = tmp.resolve("run");
        CliTest.withHome(home, () -> assertEquals(0, CliTest.run("train", "--max-iters", "1", "--no-validate",
                "--quiet", "--out", run.toString()).code()));
        Path elsewhere = tmp.resolve("elsewhere");
        try (LoopbackCluster cluster = LoopbackCluster.of(tmp.resolve("cluster"), 2)) {
            start(cluster, t -> List.of("train", "--max-iters", "2", "--no-validate", "--peer-timeout", "60",
                    "--out", (t == 0 ? run : elsewhere).toString(), "--resume", "auto"));
            int[] codes = cluster.awaitAll(300);
            for (int t = 0; t < 2; t++) {
                String out = cluster.output(t);
                assertEquals(2, codes[t], out);
                assertTrue(out.contains("task 1 (" + cluster.address(1) + ") starts after step 0 and task 0 after"
                        + " step 1") && out.contains("shared file system"), out);
            }
        }
        assertFalse(Files.exists(run.resolve("checkpoints/iter_2")));
        assertFalse(Files.exists(elsewhere.resolve("checkpoints")), "task 1 writes nothing");
    }

    /**
     * {@code bench train --processes 2 --json} in a fresh JVM (it starts copies of its own JVM): one JSON object with
     * one process and the cluster measured in the same run, and an efficiency that is their ratio.
     */
    @Test
    void benchProcessesReportsTheClusterAgainstOneProcess(@TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("bench", "train", "--variant", "tiny", "--crop", "33", "--steps", "1", "--processes",
                "2", "--json"));
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
        java.util.Map<?, ?> m = (java.util.Map<?, ?>) org.mseg.api.json.Json.parse(json, "bench");
        assertEquals(2L, ((Number) m.get("processes")).longValue(), json);
        java.util.Map<?, ?> one = (java.util.Map<?, ?>) m.get("one_process");
        java.util.Map<?, ?> cluster = (java.util.Map<?, ?>) m.get("cluster");
        double oneRate = ((Number) one.get("crops_per_s")).doubleValue();
        double clusterRate = ((Number) cluster.get("crops_per_s")).doubleValue();
        double efficiency = ((Number) m.get("scaling_efficiency")).doubleValue();
        assertTrue(((Number) cluster.get("allreduce_s_per_step")).doubleValue() > 0, json);
        assertEquals(clusterRate / oneRate / 2, efficiency, 0.01 + 0.01 * efficiency, json);
        assertEquals(LoopbackCluster.privateNetwork(), m.get("transport").toString().contains("private"), json);
    }

    /** Starts {@code mseg-cli ARGS(t)} as task {@code t} in a fresh JVM (mseg.home: {@link #home}), TF_CONFIG set. */
    private static void start(LoopbackCluster cluster, java.util.function.IntFunction<List<String>> args)
            throws java.io.IOException {
        cluster.start(home, t -> {
            List<String> command = new ArrayList<>(javaCommand());
            command.addAll(args.apply(t));
            return command;
        }, t -> java.util.Map.of("TF_CONFIG", tfConfig(cluster, t), "TF_CPP_MIN_LOG_LEVEL", "2"));
    }

    /** {@code TF_CONFIG} of task {@code t}: the cluster's workers in task order. */
    private static String tfConfig(LoopbackCluster cluster, int t) {
        String workers = String.join(",", java.util.Arrays.stream(cluster.addresses().split(","))
                .map(a -> "\"" + a + "\"").toList());
        return "{\"cluster\": {\"worker\": [" + workers + "]}, \"task\": {\"type\": \"worker\", \"index\": " + t
                + "}}";
    }

    /** {@code java ... --module org.mseg.cli/org.mseg.cli.Main} on this test's module path. */
    private static List<String> javaCommand() {
        java.util.Set<String> entries = new java.util.LinkedHashSet<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                entries.addAll(List.of(value.split(java.io.File.pathSeparator)));
            }
        }
        String modulePath = String.join(java.io.File.pathSeparator, entries.stream().filter(e -> {
            Path p = Path.of(e);
            String name = p.getFileName() == null ? "" : p.getFileName().toString();
            return Files.exists(p) && !name.equals("test-classes") && !name.contains("junit")
                    && !name.contains("opentest4j") && !name.contains("apiguardian") && !name.contains("surefire");
        }).toList());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xss4m", "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "--add-opens", "tensorflow/org.tensorflow=org.mseg.engine", "-Dmseg.home=" + home));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("--module", "org.mseg.cli/org.mseg.cli.Main"));
        return command;
    }

    /**
     * A shared run folder that already holds a run, without --resume or --overwrite: task 0 refuses it before its
     * server starts, and so does task 1, at once, instead of waiting for task 0 until the peer timeout.
     */
    @Test
    void aRunFolderHoldingARunIsRefusedByEveryTask(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliTest.withHome(home, () -> assertEquals(0, CliTest.run("train", "--max-iters", "1", "--no-validate",
                "--quiet", "--out", run.toString()).code()));
        try (LoopbackCluster cluster = LoopbackCluster.of(tmp.resolve("cluster"), 2)) {
            start(cluster, t -> List.of("train", "--max-iters", "2", "--no-validate", "--peer-timeout", "200",
                    "--out", run.toString()));
            int[] codes = cluster.awaitAll(120);
            for (int t = 0; t < 2; t++) {
                assertEquals(2, codes[t], cluster.output(t));
                assertTrue(cluster.output(t).contains("already holds a run"), cluster.output(t));
            }
        }
    }

    private static void assertSameLogits(Path expected, Path actual, Path tmp) throws Exception {
        NpyArray a = logits(expected, tmp.resolve("expected.npy"));
        NpyArray b = logits(actual, tmp.resolve("actual.npy"));
        assertEquals(a.shapeText(), b.shapeText());
        double max = 1;
        double diff = 0;
        for (int i = 0; i < a.data().length; i++) {
            max = Math.max(max, Math.abs(a.data()[i]));
            diff = Math.max(diff, Math.abs(a.data()[i] - b.data()[i]));
        }
        System.out.printf("final logits of %s vs %s: largest difference %.3g (largest logit %.3g)%n", expected,
                actual, diff, max);
        assertTrue(diff <= LOGIT_TOLERANCE * max, "logits differ by " + diff + " (largest " + max + ")");
    }

    private static NpyArray logits(Path checkpoint, Path out) throws Exception {
        NpyArray[] result = new NpyArray[1];
        CliTest.withHome(home, () -> {
            CliTest.Run r = CliTest.run("model", "logits", "--quiet", "--checkpoint", checkpoint.toString(),
                    "--input", home.resolve("input.npy").toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            result[0] = Npy.read(out);
        });
        return result[0];
    }
}
