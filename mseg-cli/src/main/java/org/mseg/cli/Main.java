package org.mseg.cli;

/** Entry point: builds the command line, executes it and exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ExitGuard.install(); // before any plugin is loaded: a plugin's System.exit must not pass for success
        int code = MsegCommand.commandLine().execute(args);
        ExitGuard.finished();
        System.exit(code);
    }
}
