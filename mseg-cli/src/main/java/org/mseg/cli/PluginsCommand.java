package org.mseg.cli;

import java.util.concurrent.Callable;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.ProviderInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mseg-cli plugins list}. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Discovered providers (built-in and from plugin folders).",
        subcommands = {PluginsCommand.ListPlugins.class})
final class PluginsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every discovered dataset, taxonomy, model and strategy with its module, version and location.")
    static final class ListPlugins implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Override
        public Integer call() {
            PluginEnvironment env = plugins.environment();
            TextTable t = new TextTable("KIND", "NAME", "MODULE", "VERSION", "LOCATION", "DESCRIPTION");
            for (ProviderInfo p : env.describe()) {
                t.row(p.kind(), p.name(), p.origin().module(), p.origin().version(), p.origin().location(),
                        p.description());
            }
            t.print(spec.commandLine().getOut());
            spec.commandLine().getOut().printf("%nPlugin folders: %s%s%n", plugins.folders().isEmpty() ? "(none)"
                    : plugins.folders(), env.pluginJars().isEmpty() ? "" : "; jars loaded: " + env.pluginJars());
            spec.commandLine().getOut().flush();
            return MsegCommand.OK;
        }
    }
}
