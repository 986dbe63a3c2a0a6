package org.mseg.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.PluginException;
import picocli.AutoComplete;
import org.mseg.api.plugin.PluginEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code mseg-cli}: the top command. Exit codes: 0 success, 1 failure, 2 usage or configuration error.
 *
 * <p>{@link #commandLine()} gives every command the same help layout: options in one order (the command's own in
 * declaration order, then {@code --plugin-dir}, then {@code --verbose/--quiet}, then {@code --help/--version}), an
 * exit-code list, and {@code --version} with the TensorFlow, OpenCV and Java versions.
 */
@Command(name = "mseg-cli", mixinStandardHelpOptions = true, versionProvider = MsegCommand.Version.class,
        description = "MSeg for Java: multi-dataset semantic segmentation training, evaluation and inference.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, InferCommand.class, DatasetsCommand.class, TaxonomyCommand.class, ModelCommand.class,
                ConfigCommand.class, ScoreCommand.class, BenchCommand.class, PluginsCommand.class, DoctorCommand.class,
                AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class})
public final class MsegCommand {

    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code when the work failed. */
    public static final int FAILURE = 1;
    /** Exit code for a usage or configuration error. */
    public static final int USAGE = 2;

    /** Heading of the exit-code section of every command's help. */
    static final String EXIT_CODES_HEADING = "Exit codes:%n";

    /** The exit codes of commands that do not list their own. */
    static final Map<String, String> DEFAULT_EXIT_CODES = exitCodes("success", "failure (the message says what failed)",
            "usage or configuration error (the message says what to change)");

    /** The options every command ends with, in this order; the command's own options come first. */
    private static final List<String> TRAILING_OPTIONS = List.of("--plugin-dir", "--verbose", "--quiet", "--help",
            "--version");

    /**
     * The option list's order: the command's own options (and its mixins' other than --plugin-dir) as declared, then
     * {@link #TRAILING_OPTIONS}. The sort is stable, so the command's own keep their declaration order.
     */
    static final Comparator<OptionSpec> OPTION_ORDER = Comparator.comparingInt(o -> TRAILING_OPTIONS.indexOf(
            o.longestName()));

    private boolean verbose;
    private boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More output: debug logs, and TensorFlow's native log lines (bin/mseg-cli silences them"
                    + " unless this is given).")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Only results and errors: no progress bar or progress lines, no info logs.")
    void setQuiet(boolean quiet) {
        this.quiet = quiet;
    }

    /** The verbosity the parsed command line asks for. */
    Verbosity verbosity() {
        return quiet ? Verbosity.QUIET : verbose ? Verbosity.VERBOSE : Verbosity.NORMAL;
    }

    /** The command line with MSeg's exit codes, error reporting and help layout. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MsegCommand());
        cl.setExecutionExceptionHandler(MsegCommand::handle);
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException || t instanceof ConfigException
                || t instanceof PluginException ? USAGE : FAILURE);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(parseResult -> {
            MsegCommand top = cl.getCommand();
            if (top.verbose && top.quiet) {
                throw new CommandLine.ParameterException(lastSubcommand(parseResult),
                        "--verbose and --quiet exclude each other; give one of them.");
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        // The completion script is a documented feature, not picocli's hidden default.
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        configure(cl, new Version());
        return cl;
    }

    private static CommandLine lastSubcommand(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult last = parseResult;
        while (last.subcommand() != null) {
            last = last.subcommand();
        }
        return last.commandSpec().commandLine();
    }

    /** The same help layout, exit-code list and version for {@code cl} and all its subcommands. */
    static void configure(CommandLine cl, CommandLine.IVersionProvider version) {
        CommandSpec spec = cl.getCommandSpec();
        UsageMessageSpec usage = spec.usageMessage();
        if (usage.exitCodeList().isEmpty()) {
            usage.exitCodeListHeading(EXIT_CODES_HEADING);
            usage.exitCodeList(DEFAULT_EXIT_CODES);
        }
        // versionProvider() first: version() calls the provider, which loads TensorFlow's native library.
        if (spec.versionProvider() == null && spec.version().length == 0) {
            spec.versionProvider(version);
        }
        usage.sortOptions(false);
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                help -> help.optionList(help.createDefaultLayout(), OPTION_ORDER, help.parameterLabelRenderer()));
        for (CommandLine sub : cl.getSubcommands().values()) {
            configure(sub, version);
        }
    }

    /** Exit codes 0, 1 and 2 with these meanings, as picocli's exit-code list wants them. */
    static Map<String, String> exitCodes(String ok, String failure, String usage) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(String.valueOf(OK), ok);
        m.put(String.valueOf(FAILURE), failure);
        m.put(String.valueOf(USAGE), usage);
        return m;
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

    /**
     * The version Maven wrote into the jar, and the versions of the native libraries and the JVM it runs on. Asking
     * TensorFlow and OpenCV for their versions loads their native libraries (a second or two); only {@code --version}
     * does that.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add("mseg-cli " + cliVersion());
            lines.add("TensorFlow " + nativeVersion(() -> org.tensorflow.TensorFlow.version())
                    + moduleVersion(org.tensorflow.TensorFlow.class).map(v -> " (TensorFlow Java " + v + ")").orElse(""));
            lines.add("OpenCV " + nativeVersion(() -> org.bytedeco.opencv.global.opencv_core.getVersionString()
                    .getString().trim()) + " (JavaCPP " + nativeVersion(org.bytedeco.javacpp.Loader::getVersion) + ")");
            lines.add("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
            return lines.toArray(String[]::new);
        }

        /** The version Maven wrote into the jar ({@code unknown} outside a build). */
        static String cliVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = MsegCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return p.getProperty("version", "unknown");
        }

        /** A native library's version, or why it could not be read (a broken install still prints the rest). */
        static String nativeVersion(VersionSource source) {
            try {
                return source.get();
            } catch (Exception | LinkageError e) {
                return "unavailable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
            }
        }

        static java.util.Optional<String> moduleVersion(Class<?> type) {
            Module m = type.getModule();
            java.util.Optional<String> v = m.isNamed() ? m.getDescriptor().rawVersion() : java.util.Optional.empty();
            return v.or(() -> java.util.Optional.ofNullable(type.getPackage().getImplementationVersion()));
        }

        @FunctionalInterface
        interface VersionSource {
            String get() throws Exception;
        }
    }
}
