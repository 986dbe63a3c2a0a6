package org.mseg.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mseg.api.testkit.PluginJarBuilder;

/** Real plugin jars compiled during a test, and the CLI run in a fresh JVM the way the launcher runs it. */
final class TestPlugins {
    private TestPlugins() {
    }

    /** Output and exit code of a CLI process. */
    record Exit(int code, String output) {
    }

    /** Compiles modular plugin sources (path → text) against mseg-api and writes them, plus resources, as a jar. */
    static Path jar(Path work, String name, Map<String, String> sources, Map<String, String> resources) {
        return PluginJarBuilder.build(work, name, sources, resources, true);
    }

    /**
     * Runs {@code org.mseg.cli.Main} in a new JVM on this test's module path (as {@code bin/mseg-cli} does with
     * {@code mseg-cli/target/lib}), killed after {@code seconds}.
     */
    static Exit cli(Map<String, String> env, long seconds, String... args) {
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath == null || modulePath.isEmpty()) {
            // class-path test run: the CLI's own module and its dependencies are all on the class path
            modulePath = System.getProperty("java.class.path");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // the native jars (TensorFlow's, OpenCV's) are on the class path, and JavaCPP's cache is the build's, as in
        // this test JVM (surefire's argLine)
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty() && !classPath.equals(modulePath)) {
            command.addAll(List.of("--class-path", classPath));
        }
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("--module", "org.mseg.cli/org.mseg.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove(PluginOptions.PATH_VARIABLE);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            // read on another thread so that a hung process cannot block the test past its time limit
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            reader.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                reader.join(5000);
                throw new AssertionError("mseg-cli " + String.join(" ", args) + " still ran after " + seconds
                        + " s: " + out);
            }
            reader.join(10000);
            return new Exit(p.exitValue(), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String pathOf(Path... folders) {
        return String.join(File.pathSeparator, Stream.of(folders).map(Path::toString).toList());
    }
}
