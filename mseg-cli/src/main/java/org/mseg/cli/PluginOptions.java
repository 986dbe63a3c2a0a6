package org.mseg.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.config.BundledConfigs;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where plugins come from: the module path the CLI runs on, plus the jars of plugin folders. The folders are those of
 * {@code --plugin-dir}, then of {@value #PATH_VARIABLE}, then of the configuration key {@code DATA.plugin_dirs};
 * when none is given, {@code $MSEG_HOME/plugins} (the launcher sets {@code mseg.home} to the checkout's root).
 */
public final class PluginOptions {

    /** Environment variable naming plugin folders, separated by {@link File#pathSeparator}. */
    static final String PATH_VARIABLE = "MSEG_PLUGIN_PATH";
    /** The configuration key naming plugin folders, separated by {@link File#pathSeparator}. */
    static final String CONFIG_KEY = "plugin_dirs";

    @Option(names = "--plugin-dir", paramLabel = "DIR",
            description = "Folder of plugin jars to load (repeatable). Also: MSEG_PLUGIN_PATH, DATA.plugin_dirs."
                    + " Default: $MSEG_HOME/plugins.")
    List<Path> pluginDirs = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private PluginEnvironment environment;

    /** The default plugin folder: {@code $MSEG_HOME/plugins}, where the launcher sets {@code mseg.home}. */
    static List<Path> defaultFolders() {
        String home = System.getProperty("mseg.home");
        return home == null ? List.of() : List.of(Path.of(home, "plugins"));
    }

    /** The plugin folders in effect. */
    List<Path> folders() {
        return folders(pluginDirs, System.getenv(), configFolders(), defaultFolders());
    }

    /**
     * The folders named explicitly ({@code --plugin-dir}, the variable, the configuration key), in that order and
     * without repeats; the default folders when none is named.
     */
    static List<Path> folders(List<Path> options, Map<String, String> env, Optional<String> configValue,
            List<Path> defaults) {
        List<Path> named = named(options, env, configValue);
        return named.isEmpty() ? defaults : named;
    }

    private static List<Path> named(List<Path> options, Map<String, String> env, Optional<String> configValue) {
        LinkedHashSet<Path> out = new LinkedHashSet<>(options);
        out.addAll(split(env.get(PATH_VARIABLE)));
        configValue.ifPresent(v -> out.addAll(split(v)));
        return List.copyOf(out);
    }

    private static List<Path> split(String value) {
        List<Path> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
                if (!part.isBlank()) {
                    out.add(Path.of(part.trim()));
                }
            }
        }
        return out;
    }

    /**
     * {@code DATA.plugin_dirs} of the command's {@code --set} or {@code --config}, if any. Relative folders of a
     * configuration file are taken relative to that file's folder, like a path written next to it.
     */
    private Optional<String> configFolders() {
        if (mixee == null) {
            return Optional.empty();
        }
        List<Object> candidates = new ArrayList<>(List.of(mixee.userObject()));
        mixee.mixins().values().forEach(m -> candidates.add(m.userObject()));
        for (Object candidate : candidates) {
            if (candidate instanceof ConfigSource config) {
                for (String set : config.configOverrides()) {
                    int eq = set.indexOf('=');
                    String key = eq < 0 ? set : set.substring(0, eq).trim();
                    if (key.equals(CONFIG_KEY) || key.equals("DATA." + CONFIG_KEY)) {
                        return Optional.of(set.substring(eq + 1).trim());
                    }
                }
                if (config.configFile().isPresent()) {
                    String file = config.configFile().get();
                    Optional<String> value;
                    try {
                        value = BundledConfigs.fileOrBundled(file).getOptionalString(CONFIG_KEY);
                    } catch (RuntimeException e) {
                        return Optional.empty(); // the command reports the broken configuration itself
                    }
                    Path folder = Path.of(file).toAbsolutePath().getParent();
                    return value.map(v -> String.join(File.pathSeparator, split(v).stream()
                            .map(p -> folder == null ? p : folder.resolve(p)).map(Path::toString).toList()));
                }
            }
        }
        return Optional.empty();
    }

    /** A command's configuration file and {@code --set} overrides, where {@code DATA.plugin_dirs} may be given. */
    interface ConfigSource {
        /** @return the configuration file or bundled name, if given */
        Optional<String> configFile();

        /** @return the {@code --set KEY=VALUE} overrides in command-line order */
        List<String> configOverrides();
    }

    /** The environment if this command has built it. */
    Optional<PluginEnvironment> built() {
        return Optional.ofNullable(environment);
    }

    /** The environment, built once per command; warnings (a named folder that does not exist) go to stderr. */
    PluginEnvironment environment() {
        if (environment == null) {
            List<Path> folders = folders();
            environment = PluginEnvironment.withPluginFolders(folders,
                    named(pluginDirs, System.getenv(), configFolders()));
            ExitGuard.watch(environment);
            for (String warning : environment.warnings()) {
                (mixee == null ? new java.io.PrintWriter(System.err, true) : mixee.commandLine().getErr())
                        .println("warning: " + warning);
            }
            if (mixee != null) {
                mixee.commandLine().getErr().flush();
            }
        }
        return environment;
    }
}
