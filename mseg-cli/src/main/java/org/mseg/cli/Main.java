package org.mseg.cli;

import java.util.List;

/** Entry point: sets the log level, builds the command line, executes it and exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before any logger exists: SLF4J-simple reads its level once, when the first logger is created.
        Verbosity.fromArgs(List.of(args)).applyToLogging();
        ExitGuard.install(); // before any plugin is loaded: a plugin's System.exit must not pass for success
        int code = MsegCommand.commandLine().execute(args);
        ExitGuard.finished();
        System.exit(code);
    }
}
