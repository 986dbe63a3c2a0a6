package org.mseg.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How long-running commands show progress: a redrawn bar when standard error is a terminal, a plain line now and
 * then otherwise (logs, CI, pipes stay readable), nothing with {@code --quiet}. The bar itself is the progressbar
 * library's, drawn on standard error; the plain lines go where each command prints its running commentary.
 */
final class ConsoleProgress {

    /** Which kind of progress a command shows. */
    enum Mode {
        /** {@code --quiet}: no progress at all. */
        NONE,
        /** A redrawn bar on the terminal (standard error). */
        BAR,
        /** A plain line every so often (every 10%, every {@code print_freq} steps, ...). */
        LINES
    }

    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private ConsoleProgress() {
    }

    /** The progress mode of the command {@code spec} belongs to: its verbosity and whether stderr is a terminal. */
    static Mode mode(CommandSpec spec) {
        return mode(Verbosity.of(spec), stderrIsTerminal());
    }

    static Mode mode(Verbosity verbosity, boolean terminal) {
        return !verbosity.showsProgress() ? Mode.NONE : terminal ? Mode.BAR : Mode.LINES;
    }

    /**
     * Whether standard error is an interactive terminal that can redraw a line. Java has no {@code isatty(2)}:
     * {@link System#console()} says stdin and stdout are terminals, and on Linux {@code /proc/self/fd/2} says where
     * stderr goes; both must agree, and {@code TERM=dumb} (Emacs shells, some CI) rules the bar out.
     */
    static boolean stderrIsTerminal() {
        Optional<String> target;
        try {
            target = Optional.of(Files.readSymbolicLink(STDERR_LINK).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            target = Optional.empty(); // no /proc (macOS, Windows): trust System.console()
        }
        return isTerminal(System.console() != null, System.getenv("TERM"), target);
    }

    /**
     * The decision of {@link #stderrIsTerminal()} from its inputs.
     *
     * @param console      whether {@link System#console()} is non-null
     * @param term         the {@code TERM} environment variable, or null
     * @param stderrTarget where {@code /proc/self/fd/2} points, when known
     */
    static boolean isTerminal(boolean console, String term, Optional<String> stderrTarget) {
        if (!console || "dumb".equals(term)) {
            return false;
        }
        return stderrTarget.map(t -> t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console"))
                .orElse(true);
    }

    /** A bar builder with the CLI's look: ASCII characters (any terminal font), on standard error. */
    static ProgressBarBuilder bar(String task, long total, int updateMillis) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(updateMillis);
    }

    /** {@link #bar(String, long, int)}, built. */
    static ProgressBar startBar(String task, long total, int updateMillis) {
        return bar(task, total, updateMillis).build();
    }
}
