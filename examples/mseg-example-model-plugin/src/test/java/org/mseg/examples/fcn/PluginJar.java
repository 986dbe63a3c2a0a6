package org.mseg.examples.fcn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs the plugin's compiled classes and resources into a jar, as {@code mvn package} would, so that tests drop a
 * real jar into a plugin folder or a class loader. The classes are deliberately not on the test class path (see the
 * surefire configuration), so the jar is the only place the plugin can come from.
 */
final class PluginJar {
    private PluginJar() {
    }

    /** The folder with the plugin's compiled classes and resources ({@code target/classes}). */
    static Path classes() {
        String dir = System.getProperty("plugin.classes");
        if (dir == null || !Files.isDirectory(Path.of(dir, "org/mseg/examples/fcn"))) {
            throw new IllegalStateException("system property plugin.classes must name the plugin's compiled classes"
                    + " (set by the surefire configuration of this module); got " + dir);
        }
        return Path.of(dir);
    }

    /** Writes {@code dir/name} holding every file of {@link #classes()}. */
    static Path build(Path dir, String name) {
        Path classes = classes();
        Path jar = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(classes)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(p));
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }
}
