package org.mseg.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How much the CLI prints, from {@code --quiet} and {@code --verbose}.
 *
 * <ul>
 *   <li>{@link #QUIET}: results and errors only; no progress, no info logs (SLF4J level {@code warn}).</li>
 *   <li>{@link #NORMAL}: results, progress and info logs; TensorFlow's native log lines are silenced by the launcher.</li>
 *   <li>{@link #VERBOSE}: also debug logs, and the launcher lets TensorFlow's native log lines through.</li>
 * </ul>
 *
 * <p>SLF4J-simple reads its level once, when the first logger is created, so {@link Main} applies the level from the
 * raw arguments before anything else runs. TensorFlow's native logging reads {@code TF_CPP_MIN_LOG_LEVEL} from the
 * process environment, which a running JVM cannot change: {@code bin/mseg-cli} sets it (see the launcher).
 */
enum Verbosity {
    QUIET("warn"), NORMAL("info"), VERBOSE("debug");

    /** The SLF4J-simple property holding the default level. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /** The single-letter flags every command has: -h, -V, -q, -v. */
    private static final String SHORT_FLAGS = "hVqv";

    private final String logLevel;

    Verbosity(String logLevel) {
        this.logLevel = logLevel;
    }

    /** The SLF4J-simple level of this verbosity. */
    String logLevel() {
        return logLevel;
    }

    /** True unless quiet: progress bars, progress lines and other running commentary are shown. */
    boolean showsProgress() {
        return this != QUIET;
    }

    /**
     * The verbosity the arguments ask for, read before picocli parses them (the last of {@code -q/--quiet} and
     * {@code -v/--verbose} before {@code --} wins; picocli itself rejects the two together).
     */
    static Verbosity fromArgs(List<String> args) {
        Verbosity v = NORMAL;
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            boolean cluster = a.matches("-[" + SHORT_FLAGS + "]+"); // -qV, -vh: picocli's clustered short flags
            if (a.equals("--quiet") || cluster && a.indexOf('q') > 0) {
                v = QUIET;
            } else if (a.equals("--verbose") || cluster && a.indexOf('v') > 0) {
                v = VERBOSE;
            }
        }
        return v;
    }

    /**
     * Sets SLF4J-simple's default level, unless this is {@link #NORMAL} and the user chose a level with
     * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} (an explicit flag wins over the property). Has an effect only
     * before the first logger is created.
     */
    void applyToLogging() {
        if (this != NORMAL || System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, logLevel);
        }
    }

    /** The verbosity of the command line {@code spec} belongs to; {@link #NORMAL} outside {@link MsegCommand}. */
    static Verbosity of(CommandSpec spec) {
        return spec.root().userObject() instanceof MsegCommand m ? m.verbosity() : NORMAL;
    }
}
