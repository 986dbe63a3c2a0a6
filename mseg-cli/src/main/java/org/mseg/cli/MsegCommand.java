package org.mseg.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.PluginException;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mseg-cli}: the top command. Exit codes: 0 success, 1 failure, 2 usage or configuration error.
 */
@Command(name = "mseg-cli", mixinStandardHelpOptions = true, versionProvider = MsegCommand.Version.class,
        description = "MSeg for Java: multi-dataset semantic segmentation training, evaluation and inference.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, InferCommand.class, DatasetsCommand.class, TaxonomyCommand.class, ModelCommand.class,
                ConfigCommand.class, ScoreCommand.class, BenchCommand.class, PluginsCommand.class,
                CommandLine.HelpCommand.class})
public final class MsegCommand {

    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code when the work failed. */
    public static final int FAILURE = 1;
    /** Exit code for a usage or configuration error. */
    public static final int USAGE = 2;

    /** The command line with MSeg's exit codes and error reporting. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MsegCommand());
        cl.setExecutionExceptionHandler(MsegCommand::handle);
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException || t instanceof ConfigException
                || t instanceof PluginException ? USAGE : FAILURE);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (e instanceof ConfigException || e instanceof PluginException) {
            cl.getErr().println("error: " + e.getMessage() + pluginHint(e.getMessage(), cl));
            return USAGE;
        }
        if (e instanceof MsegException) {
            cl.getErr().println("error: " + e.getMessage());
            return FAILURE;
        }
        cl.getErr().println("error: unexpected failure, please report it with the trace below");
        e.printStackTrace(cl.getErr());
        return FAILURE;
    }

    /**
     * For a name no provider has ("unknown dataset 'farm-5'") while no plugin jar is loaded: where plugin jars are
     * looked for. Empty when the message already says it, or plugins are loaded.
     */
    static String pluginHint(String message, CommandLine cl) {
        if (message == null || message.contains(PluginEnvironment.NO_PLUGINS_HINT)
                || !UNKNOWN_NAME.matcher(message).find()) {
            return "";
        }
        for (CommandLine.Model.CommandSpec mixin : cl.getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof PluginOptions plugins) {
                return plugins.built().filter(env -> env.pluginJars().isEmpty())
                        .map(env -> " " + PluginEnvironment.NO_PLUGINS_HINT).orElse("");
            }
        }
        return "";
    }

    private static final java.util.regex.Pattern UNKNOWN_NAME = java.util.regex.Pattern.compile(
            "(?i)unknown (dataset|taxonomy|model|strategy)|TRAIN\\.arch.*unknown model");

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = MsegCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"mseg-cli " + p.getProperty("version", "unknown"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
