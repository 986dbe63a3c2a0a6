package org.mseg.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine.Option;

/**
 * Where plugins come from: the module path the CLI runs on, plus the jars of plugin folders ({@code --plugin-dir},
 * and by default {@code plugins/} next to the launcher).
 */
public final class PluginOptions {

    @Option(names = "--plugin-dir", paramLabel = "DIR",
            description = "Folder of plugin jars to load (repeatable). Default: plugins/ next to the launcher.")
    List<Path> pluginDirs = new ArrayList<>();

    private PluginEnvironment environment;

    /** The default plugin folder: {@code $MSEG_HOME/plugins}, where the launcher sets {@code mseg.home}. */
    static List<Path> defaultFolders() {
        String home = System.getProperty("mseg.home");
        return home == null ? List.of() : List.of(Path.of(home, "plugins"));
    }

    /** The plugin folders in effect. */
    List<Path> folders() {
        return pluginDirs.isEmpty() ? defaultFolders() : pluginDirs;
    }

    /** The environment, built once per command. */
    PluginEnvironment environment() {
        if (environment == null) {
            environment = PluginEnvironment.withPluginFolders(folders());
        }
        return environment;
    }
}
