package org.mseg.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Real plugin jars compiled during a test, and the CLI run in a fresh JVM the way the launcher runs it. */
final class TestPlugins {
    private TestPlugins() {
    }

    /** Output and exit code of a CLI process. */
    record Exit(int code, String output) {
    }

    static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles modular plugin sources (path → text) against mseg-api and writes them, plus resources, as a jar. */
    static Path jar(Path work, String name, Map<String, String> sources, Map<String, String> resources) {
        try {
            Path src = Files.createDirectories(work.resolve(name + "-src"));
            Path classes = Files.createDirectories(work.resolve(name + "-classes"));
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-proc:none",
                    "--module-path", locationOf(org.mseg.api.Provider.class).toString()));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            int rc = java.util.spi.ToolProvider.findFirst("javac").orElseThrow()
                    .run(System.out, System.err, args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalStateException("test plugin did not compile: " + args);
            }
            Path jar = work.resolve(name + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(classes)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(p));
                    out.closeEntry();
                }
                for (Map.Entry<String, String> e : resources.entrySet()) {
                    out.putNextEntry(new JarEntry(e.getKey()));
                    out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
