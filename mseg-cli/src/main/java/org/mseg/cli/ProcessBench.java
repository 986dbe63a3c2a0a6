package org.mseg.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mseg.api.TrainingException;
import org.mseg.api.config.Precision;
import org.mseg.api.json.Json;

/**
 * The cluster half of {@code bench train --processes N}: starts N copies of this JVM (same Java, module path and JVM
 * options, read from {@code /proc/self/cmdline}), each running {@code bench train} as one task of a cluster on
 * 127.0.0.1 ({@link LoopbackCluster}: in a private network namespace where the machine allows it), waits for them
 * (bounded), and reads the numbers each prints as its last line.
 */
final class ProcessBench {

    /** How long the tasks may take together. */
    private static final long LIMIT_SECONDS = 3600;

    /**
     * @param secondsPerStep   median fixed-batch step of task 0 (the tasks step in lockstep)
     * @param allReduceSeconds the isolated all-reduce of one step's gradients, the slowest task's
     * @param privateNetwork   whether the tasks ran in a private network namespace
     */
    record Result(double secondsPerStep, double allReduceSeconds, boolean privateNetwork) {
    }

    private ProcessBench() {
    }

    static Result run(int processes, String devices, Precision precision, int crop, int batch, int steps, String arch,
            String variant) throws IOException, InterruptedException {
        List<String> jvm = thisJvm();
        Path dir = Files.createTempDirectory("mseg-bench-processes");
        try (LoopbackCluster cluster = LoopbackCluster.of(dir, processes)) {
            cluster.start(dir, t -> {
                List<String> command = new ArrayList<>(jvm);
                command.addAll(List.of("bench", "train", "--quiet", "--arch", arch, "--variant", variant, "--crop",
                        String.valueOf(crop), "--batch", String.valueOf(batch), "--steps", String.valueOf(steps),
                        "--devices", devices, "--precision", precision.configName(), "--no-loader", "--json",
                        "--bench-cluster", cluster.addresses(), "--bench-task", String.valueOf(t)));
                return command;
            }, t -> Map.of("TF_CPP_MIN_LOG_LEVEL", System.getenv().getOrDefault("TF_CPP_MIN_LOG_LEVEL", "2")));
            int[] codes = cluster.awaitAll((int) LIMIT_SECONDS);
            double step = Double.NaN;
            double allReduce = 0;
            for (int t = 0; t < processes; t++) {
                String out = cluster.output(t);
                if (codes[t] != 0) {
                    throw new TrainingException("bench task " + t + " failed (exit code " + codes[t] + "):\n"
                            + tail(out));
                }
                String last = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(
                        () -> new TrainingException("bench task printed no result:\n" + tail(out)));
                Map<?, ?> m = (Map<?, ?>) Json.parse(last, "bench task " + t);
                if (t == 0) {
                    step = ((Number) m.get("s_per_step_const")).doubleValue();
                }
                allReduce = Math.max(allReduce, ((Number) m.get("allreduce_s_per_step")).doubleValue());
            }
            return new Result(step, allReduce, LoopbackCluster.privateNetwork());
        } catch (IllegalStateException e) {
            throw new TrainingException("bench train --processes: " + e.getMessage(), e);
        } finally {
            org.mseg.engine.checkpoint.Checkpoints.deleteRecursively(dir);
        }
    }

    /** This JVM's command up to its main module or class: the same Java, module path and options. */
    static List<String> thisJvm() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                words.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if ((w.equals("--module") || w.equals("-m")) && i + 1 < words.size()) {
                return List.copyOf(words.subList(0, i + 2));
            }
            if (w.startsWith("--module=") || w.equals(Main.class.getName())) {
                return List.copyOf(words.subList(0, i + 1));
            }
        }
        throw new TrainingException("bench train --processes starts copies of this JVM, but its command line does not"
                + " name the main module or " + Main.class.getName() + ": run it through bin/mseg-cli");
    }


    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

}
