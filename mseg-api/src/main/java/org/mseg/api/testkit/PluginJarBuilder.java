package org.mseg.api.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.mseg.api.Provider;

/**
 * Builds a real plugin jar in a test: compiles the given sources against {@code mseg-api} with the running JDK's
 * {@code javac} and writes the classes plus extra resources (e.g. {@code META-INF/services} files) into a jar. Tests
 * of discovery, of misbehaving providers and of the CLI's plugin folders drop such jars into a folder, as a user
 * would.
 */
public final class PluginJarBuilder {
    private PluginJarBuilder() {
    }

    /**
     * Compiles {@code sources} and writes {@code <work>/<jarName>.jar}.
     *
     * @param work      a scratch folder; {@code <jarName>-src} and {@code <jarName>-classes} are created in it
     * @param jarName   the jar's file name without {@code .jar}
     * @param sources   source files, path relative to the source root → content
     * @param resources extra jar entries, name → UTF-8 content
     * @param modular   true to compile on the module path (the sources then include a {@code module-info.java}),
     *                  false for a plain jar that becomes an automatic module
     * @return the jar
     * @throws IllegalStateException if the sources do not compile (javac's messages are on standard error) or the
     *                               runtime has no {@code javac}
     */
    public static Path build(Path work, String jarName, Map<String, String> sources, Map<String, String> resources,
            boolean modular) {
        try {
            Path src = Files.createDirectories(work.resolve(jarName + "-src"));
            Path classes = Files.createDirectories(work.resolve(jarName + "-classes"));
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-proc:none",
                    modular ? "--module-path" : "-classpath", apiLocation().toString()));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            int rc = java.util.spi.ToolProvider.findFirst("javac")
                    .orElseThrow(() -> new IllegalStateException("building a plugin jar needs a JDK with javac"))
                    .run(System.out, System.err, args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalStateException("test plugin did not compile: " + args);
            }
            return pack(classes, resources, work.resolve(jarName + ".jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code jar} holding every file below {@code classes} (e.g. a plugin module's {@code target/classes},
     * compiled classes and resources alike), as {@code mvn package} would.
     *
     * @return {@code jar}; its folder is created if missing
     */
    public static Path pack(Path classes, Path jar) {
        return pack(classes, Map.of(), jar);
    }

    private static Path pack(Path classes, Map<String, String> resources, Path jar) {
        try {
            Path parent = jar.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(classes)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    add(out, classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
                for (Map.Entry<String, String> e : resources.entrySet()) {
                    add(out, e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder (or jar) holding the compiled mseg-api classes, which plugins compile against. */
    public static Path apiLocation() {
        try {
            return Path.of(Provider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
