package org.mseg.examples.fcn;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mseg.api.testkit.PluginJarBuilder;

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
        return PluginJarBuilder.pack(classes(), dir.resolve(name));
    }
}
