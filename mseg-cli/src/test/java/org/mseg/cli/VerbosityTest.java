package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingPlan;

/** {@code --quiet} and {@code --verbose}: what they set, and what a quiet command still prints. */
class VerbosityTest {

    @Test
    void argumentsBeforeTheEndOfOptionsChooseTheVerbosity() {
        assertEquals(Verbosity.NORMAL, Verbosity.fromArgs(List.of("model", "summary")));
        assertEquals(Verbosity.QUIET, Verbosity.fromArgs(List.of("train", "--quiet")));
        assertEquals(Verbosity.QUIET, Verbosity.fromArgs(List.of("-q", "train")));
        assertEquals(Verbosity.VERBOSE, Verbosity.fromArgs(List.of("evaluate", "-v", "--json")));
        assertEquals(Verbosity.VERBOSE, Verbosity.fromArgs(List.of("--verbose", "model", "summary")));
        assertEquals(Verbosity.VERBOSE, Verbosity.fromArgs(List.of("model", "summary", "-hv")), "clustered flags");
        assertEquals(Verbosity.NORMAL, Verbosity.fromArgs(List.of("infer", "--", "-v")), "a file named -v");
        assertEquals(Verbosity.NORMAL, Verbosity.fromArgs(List.of("infer", "--variant")), "not a prefix match");
    }

    @Test
    void theLevelGoesToSlf4jSimpleAndAFlagWinsOverTheProperty() {
        String before = System.getProperty(Verbosity.LOG_LEVEL_PROPERTY);
        try {
            System.clearProperty(Verbosity.LOG_LEVEL_PROPERTY);
            Verbosity.NORMAL.applyToLogging();
            assertEquals("info", System.getProperty(Verbosity.LOG_LEVEL_PROPERTY));
            Verbosity.QUIET.applyToLogging();
            assertEquals("warn", System.getProperty(Verbosity.LOG_LEVEL_PROPERTY));
            Verbosity.NORMAL.applyToLogging();
            assertEquals("warn", System.getProperty(Verbosity.LOG_LEVEL_PROPERTY), "a -D property is kept");
            Verbosity.VERBOSE.applyToLogging();
            assertEquals("debug", System.getProperty(Verbosity.LOG_LEVEL_PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(Verbosity.LOG_LEVEL_PROPERTY);
            } else {
                System.setProperty(Verbosity.LOG_LEVEL_PROPERTY, before);
            }
        }
    }

    @Test
    void verboseAndQuietTogetherAreAUsageError() {
        CliTest.Run r = CliTest.run("taxonomy", "list", "--verbose", "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--verbose and --quiet exclude each other"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void bothFlagsWorkBeforeAndAfterTheSubcommand() {
        assertEquals(0, CliTest.run("-q", "taxonomy", "list").code());
        CliTest.Run r = CliTest.run("taxonomy", "list", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("universal"), "results are printed when quiet");
        assertEquals(0, CliTest.run("taxonomy", "list", "-v").code());
    }

    @Test
    void progressIsABarOnATerminalLinesElsewhereAndNothingWhenQuiet() {
        assertEquals(ConsoleProgress.Mode.BAR, ConsoleProgress.mode(Verbosity.NORMAL, true));
        assertEquals(ConsoleProgress.Mode.BAR, ConsoleProgress.mode(Verbosity.VERBOSE, true));
        assertEquals(ConsoleProgress.Mode.LINES, ConsoleProgress.mode(Verbosity.NORMAL, false));
        assertEquals(ConsoleProgress.Mode.NONE, ConsoleProgress.mode(Verbosity.QUIET, true));
        assertEquals(ConsoleProgress.Mode.NONE, ConsoleProgress.mode(Verbosity.QUIET, false));
    }

    @Test
    void onlyAStderrThatIsATerminalGetsTheBar() {
        assertTrue(ConsoleProgress.isTerminal(true, "xterm-256color", Optional.of("/dev/pts/3")));
        assertTrue(ConsoleProgress.isTerminal(true, null, Optional.of("/dev/tty1")));
        assertTrue(ConsoleProgress.isTerminal(true, "xterm", Optional.empty()), "no /proc: trust the console");
        assertFalse(ConsoleProgress.isTerminal(true, "xterm", Optional.of("pipe:[81234]")), "2>&1 | tee");
        assertFalse(ConsoleProgress.isTerminal(true, "xterm", Optional.of("/tmp/train.log")), "2> file");
        assertFalse(ConsoleProgress.isTerminal(true, "dumb", Optional.of("/dev/pts/3")));
        assertFalse(ConsoleProgress.isTerminal(false, "xterm", Optional.of("/dev/pts/3")), "no console");
        assertFalse(ConsoleProgress.stderrIsTerminal(), "surefire pipes the test's stderr");
    }

    @Test
    void quietTrainingPrintsNoStepCheckpointOrValidationLines() {
        String quiet = trainingOutput(ConsoleProgress.Mode.NONE);
        assertEquals("", quiet);
        String lines = trainingOutput(ConsoleProgress.Mode.LINES);
        assertTrue(lines.contains("training standard: 1 datasets"), lines);
        assertTrue(lines.contains("step 1/20 loss"), lines);
        assertTrue(lines.contains("step 10/20 loss") && !lines.contains("step 9/20"), "every print_freq: " + lines);
        assertTrue(lines.contains("checkpoint runs/x/checkpoints/iter_10"), lines);
        assertTrue(lines.contains("validated camvid-11: mIoU 42.00"), lines);
    }

    private static String trainingOutput(ConsoleProgress.Mode mode) {
        StringWriter text = new StringWriter();
        TrainCommand.ConsoleListener l = new TrainCommand.ConsoleListener(new PrintWriter(text), 10, mode);
        l.onStart(new TrainingPlan("standard", List.of("camvid-11"), 2, 0, 20, Path.of("runs/x")));
        for (long i = 1; i <= 10; i++) {
            l.onStep(new StepReport(i, 20, 1.5, Map.of(), 0.01, 4, 0.1, 0.5, Map.of()));
        }
        l.onCheckpoint(10, Path.of("runs/x/checkpoints/iter_10"));
        l.onValidation("camvid-11", 0.42, Map.of());
        l.onEnd(10, null);
        return text.toString();
    }
}
