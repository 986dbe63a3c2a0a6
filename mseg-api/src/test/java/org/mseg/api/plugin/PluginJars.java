package org.mseg.api.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds real plugin jars during a test: compiles the given sources with the JDK compiler against the module under
 * test and packs them, so discovery is tested exactly as a user's plugin jar would be found.
 */
final class PluginJars {
    private PluginJars() {
    }

    /** The folder (or jar) holding the compiled mseg-api classes. */
    static Path apiLocation() {
        try {
            return Path.of(org.mseg.api.Provider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compiles sources (path relative to the source root → content) and writes a jar with them and the given extra
     * resources.
     *
     * @param modular true to compile on the module path (the sources include a module-info.java)
     */
    static Path build(Path work, String jarName, Map<String, String> sources, Map<String, String> resources,
            boolean modular) {
        try {
            Path src = Files.createDirectories(work.resolve(jarName + "-src"));
            Path classes = Files.createDirectories(work.resolve(jarName + "-classes"));
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17", "-proc:none"));
            args.addAll(modular ? List.of("--module-path", apiLocation().toString())
                    : List.of("-classpath", apiLocation().toString()));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            int rc = java.util.spi.ToolProvider.findFirst("javac")
                    .orElseThrow(() -> new IllegalStateException("tests need a JDK with jdk.compiler"))
                    .run(System.out, System.err, args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalStateException("test plugin did not compile: " + args);
            }
            Path jar = work.resolve(jarName + ".jar");
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

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(bytes);
        out.closeEntry();
    }

    /** Source of a model provider class named {@code name} in package {@code pkg}. */
    static String modelProvider(String pkg, String cls, String name) {
        return "package " + pkg + ";\n"
                + "import java.util.List;\n"
                + "import org.mseg.api.model.*;\n"
                + "public final class " + cls + " implements ModelProvider {\n"
                + "  public String name() { return \"" + name + "\"; }\n"
                + "  public List<String> variants() { return List.of(\"only\"); }\n"
                + "  public String backend() { return \"none\"; }\n"
                + "  public long parameterCount(String v, int n) { return 1L + n; }\n"
                + "  public SegmentationModel create(ModelSpec s, Backend b) { throw new UnsupportedOperationException(); }\n"
                + "}\n";
    }
}
