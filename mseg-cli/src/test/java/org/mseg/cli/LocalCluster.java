package org.mseg.cli;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Tasks of a TensorFlow cluster as separate JVMs running {@code mseg-cli}, on 127.0.0.1, for tests: each task gets
 * its {@code TF_CONFIG}, its output goes to {@code task<i>.log}, its pid to {@code task<i>.pid} and its exit code to
 * {@code task<i>.rc}. Where the machine allows it the tasks share a private network namespace ({@code unshare -n}
 * as root, {@code unshare -rn} otherwise, then {@code ip link set lo up}): nothing outside can reach their unauthenticated
 * gRPC servers, and their ports cannot collide with anything. Elsewhere they run on the host's loopback with free
 * ports. Every wait is bounded.
 */
final class LocalCluster implements AutoCloseable {

    /** What starts a private network namespace here, or null when none can be made. */
    private static final List<String> NAMESPACE = namespaceCommand();

    private final Path dir;
    private final int tasks;
    private final int[] ports;
    private Process launcher;

    private LocalCluster(Path dir, int tasks) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.tasks = tasks;
        this.ports = new int[tasks];
        for (int t = 0; t < tasks; t++) {
            ports[t] = NAMESPACE != null ? 23456 + t : freePort();
        }
    }

    /** A cluster of {@code tasks} tasks whose files go to {@code dir}; {@link #start} starts it. */
    static LocalCluster of(Path dir, int tasks) throws IOException {
        return new LocalCluster(dir, tasks);
    }

    /** Whether the tasks run in a private network namespace (else on the host's loopback). */
    static boolean privateNetwork() {
        return NAMESPACE != null;
    }

    /** The address of task {@code t}. */
    String address(int t) {
        return "127.0.0.1:" + ports[t];
    }

    /** {@code TF_CONFIG} of task {@code t}. */
    String tfConfig(int t) {
        String workers = Arrays.stream(ports).mapToObj(p -> "\"127.0.0.1:" + p + "\"")
                .collect(Collectors.joining(","));
        return "{\"cluster\": {\"worker\": [" + workers + "]}, \"task\": {\"type\": \"worker\", \"index\": " + t
                + "}}";
    }

    /**
     * Starts every task: {@code mseg-cli ARGS} in a fresh JVM whose {@code mseg.home} is {@code home}, with
     * {@code TF_CONFIG} set, and returns at once.
     */
    LocalCluster start(Path home, List<String> args) throws IOException {
        return start(home, t -> args);
    }

    /** {@link #start(Path, List)} with arguments of each task's own. */
    LocalCluster start(Path home, java.util.function.IntFunction<List<String>> args) throws IOException {
        for (int t = 0; t < tasks; t++) {
            Files.deleteIfExists(dir.resolve("task" + t + ".rc"));
            Files.deleteIfExists(dir.resolve("task" + t + ".pid"));
        }
        StringBuilder script = new StringBuilder("set -u\n");
        if (NAMESPACE != null) {
            script.append("ip link set lo up || exit 97\n");
        }
        for (int t = 0; t < tasks; t++) {
            String java = quote(javaCommand(home)) + " " + args.apply(t).stream().map(LocalCluster::quote)
                    .collect(Collectors.joining(" "));
            String log = quote(dir.resolve("task" + t + ".log").toString());
            script.append("( TF_CONFIG=").append(quote(tfConfig(t))).append(" TF_CPP_MIN_LOG_LEVEL=2 exec ")
                    .append(java).append(" >").append(log).append(" 2>&1 ) &\n")
                    .append("echo $! >").append(quote(dir.resolve("task" + t + ".pid").toString())).append('\n');
        }
        for (int t = 0; t < tasks; t++) {
            script.append("wait $(cat ").append(quote(dir.resolve("task" + t + ".pid").toString()))
                    .append("); echo $? >").append(quote(dir.resolve("task" + t + ".rc").toString())).append('\n');
        }
        Path file = dir.resolve("cluster.sh");
        Files.writeString(file, script.toString());
        List<String> command = new ArrayList<>(NAMESPACE == null ? List.of() : NAMESPACE);
        command.addAll(List.of("bash", file.toString()));
        launcher = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("cluster.out").toFile()).start();
        return this;
    }

    /** The pid of task {@code t}'s JVM, once it started (at most 30 s). */
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
        throw new AssertionError("task " + t + " did not start; " + Files.readString(dir.resolve("cluster.out")));
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
        throw new AssertionError("task " + t + " printed no line starting with '" + prefix + "' in " + seconds
                + " s:\n" + output(t));
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
        throw new AssertionError("task " + t + " did not exit within " + seconds + " s:\n" + output(t));
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
                ProcessHandle.of(Long.parseLong(Files.readString(file).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (launcher != null) {
            launcher.destroyForcibly();
            launcher.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> javaCommand(Path home) {
        Set<String> entries = new LinkedHashSet<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                entries.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        String modulePath = entries.stream().filter(LocalCluster::runtime).collect(Collectors.joining(
                File.pathSeparator));
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

    private static boolean runtime(String entry) {
        Path p = Path.of(entry);
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        return Files.exists(p) && !name.equals("test-classes") && !name.contains("junit")
                && !name.contains("opentest4j") && !name.contains("apiguardian") && !name.contains("surefire");
    }

    private static String quote(List<String> words) {
        return words.stream().map(LocalCluster::quote).collect(Collectors.joining(" "));
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
