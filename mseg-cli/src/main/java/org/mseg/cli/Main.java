package org.mseg.cli;

/** Entry point: builds the command line, executes it and exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(MsegCommand.commandLine().execute(args));
    }
}
