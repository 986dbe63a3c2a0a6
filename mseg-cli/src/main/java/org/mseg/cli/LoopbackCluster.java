package org.mseg.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The tasks of a TensorFlow cluster as processes on this machine, on 127.0.0.1, for {@code bench train --processes}
 * and the tests: each task's output goes to {@code task<i>.log}, its pid to {@code task<i>.pid} and its exit code to
 * {@code task<i>.rc} in the cluster's folder. Where the machine allows it the tasks share a private network
 * namespace ({@code unshare -n} as root, {@code unshare -rn} otherwise, then {@code ip link set lo up}): nothing
 * outside can reach their unauthenticated gRPC servers, and their ports cannot collide with anything. Elsewhere they
 * run on the host's loopback with free ports. Every wait is bounded.
 */
final class LoopbackCluster implements AutoCloseable {

    /** What starts a private network namespace here, or null when none can be made. */
    private static final List<String> NAMESPACE = namespaceCommand();

    private final Path dir;
    private final int tasks;
    private final int[] ports;
    private Process launcher;

    private LoopbackCluster(Path dir, int tasks) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.tasks = tasks;
        this.ports = new int[tasks];
        for (int t = 0; t < tasks; t++) {
            ports[t] = NAMESPACE != null ? 23456 + t : freePort();
        }
    }

    /** A cluster of {@code tasks} tasks whose files go to {@code dir}; {@link #start} starts it. */
    static LoopbackCluster of(Path dir, int tasks) throws IOException {
        return new LoopbackCluster(dir, tasks);
    }

    /** Whether the tasks run in a private network namespace (else on the host's loopback, with free ports). */
    static boolean privateNetwork() {
        return NAMESPACE != null;
    }

    /** Every task's address, in task order, comma-separated ({@code --cluster}'s form). */
    String addresses() {
        return String.join(",", java.util.stream.IntStream.range(0, tasks).mapToObj(this::address).toList());
    }

    /** The address of task {@code t}. */
    String address(int t) {
        return "127.0.0.1:" + ports[t];
    }

    /**
     * Starts every task, {@code command.apply(t)} with {@code environment.apply(t)} added to this process's
     * environment, in {@code workDir}, and returns at once.
     */
    LoopbackCluster start(Path workDir, IntFunction<List<String>> command,
            IntFunction<Map<String, String>> environment) throws IOException {
        for (int t = 0; t < tasks; t++) {
            Files.deleteIfExists(dir.resolve("task" + t + ".rc"));
            Files.deleteIfExists(dir.resolve("task" + t + ".pid"));
        }
        StringBuilder script = new StringBuilder("set -u\n");
        if (NAMESPACE != null) {
            script.append("ip link set lo up || exit 97\n");
        }
        for (int t = 0; t < tasks; t++) {
            String log = quote(dir.resolve("task" + t + ".log").toString());
            StringBuilder env = new StringBuilder();
            environment.apply(t).forEach((k, v) -> env.append(k).append('=').append(quote(v)).append(' '));
            script.append("( ").append(env).append("exec ").append(quote(command.apply(t))).append(" >").append(log)
                    .append(" 2>&1 ) &\n")
                    .append("echo $! >").append(quote(dir.resolve("task" + t + ".pid").toString())).append('\n');
        }
        for (int t = 0; t < tasks; t++) {
            script.append("wait $(cat ").append(quote(dir.resolve("task" + t + ".pid").toString()))
                    .append("); echo $? >").append(quote(dir.resolve("task" + t + ".rc").toString())).append('\n');
        }
        Path file = dir.resolve("cluster.sh");
        Files.writeString(file, script.toString());
        List<String> launch = new ArrayList<>(NAMESPACE == null ? List.of() : NAMESPACE);
        launch.addAll(List.of("bash", file.toString()));
        launcher = new ProcessBuilder(launch).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("cluster.out").toFile()).start();
        return this;
    }

    /** The pid of task {@code t}'s process, once it started (at most 30 s). */
    long pid(int t) throws IOException, InterruptedException {
        Path file = dir.resolve("task" + t + ".pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String text = Files.readString(file).strip();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("task " + t + " did not start; "
                + Files.readString(dir.resolve("cluster.out")));
    }

    /** Task {@code t}'s output so far. */
    String output(int t) throws IOException {
        Path log = dir.resolve("task" + t + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Waits (at most {@code seconds}) until task {@code t}'s output has a line starting with {@code prefix}. */
    void awaitLine(int t, String prefix, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (output(t).lines().anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("task " + t + " printed no line starting with '" + prefix + "' in "
                + seconds + " s:\n" + output(t));
    }

    /** Waits (at most {@code seconds}) for task {@code t} to exit; its exit code. */
    int awaitExit(int t, int seconds) throws IOException, InterruptedException {
        Path rc = dir.resolve("task" + t + ".rc");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(rc)) {
                String text = Files.readString(rc).strip();
                if (!text.isEmpty()) {
                    return Integer.parseInt(text);
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("task " + t + " did not exit within " + seconds + " s:\n" + output(t));
    }

    /** Waits for every task (at most {@code seconds} in all); their exit codes. */
    int[] awaitAll(int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int[] codes = new int[tasks];
        for (int t = 0; t < tasks; t++) {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            codes[t] = awaitExit(t, (int) left);
        }
        return codes;
    }

    /** Kills whatever still runs. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (int t = 0; t < tasks; t++) {
            Path file = dir.resolve("task" + t + ".pid");
            if (Files.exists(file) && !Files.readString(file).isBlank()) {
                ProcessHandle.of(Long.parseLong(Files.readString(file).strip()))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (launcher != null) {
            launcher.destroyForcibly();
            launcher.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String quote(List<String> words) {
        return words.stream().map(LoopbackCluster::quote).collect(Collectors.joining(" "));
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> namespaceCommand() {
        for (List<String> candidate : List.of(List.of("unshare", "-n"), List.of("unshare", "-rn"))) {
            List<String> probe = Stream.concat(candidate.stream(), Stream.of("ip", "link", "set", "lo", "up"))
                    .toList();
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // no unshare or no ip: the host's loopback
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
