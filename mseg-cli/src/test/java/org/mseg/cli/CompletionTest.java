package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mseg-cli generate-completion}: a bash/zsh script that knows every command and option. */
class CompletionTest {

    @Test
    void scriptNamesEverySubcommand() {
        CliTest.Run r = CliTest.run("generate-completion");
        assertEquals(0, r.code(), r.err());
        for (String command : List.of("train", "evaluate", "infer", "datasets", "taxonomy", "model", "config", "score",
                "bench", "plugins", "help")) {
            assertTrue(r.out().contains("function _picocli_mseg-cli_" + command + "()"), command);
        }
        assertTrue(r.out().contains("(model summary)") && r.out().contains("(bench loader)"), "nested commands");
        assertTrue(r.out().contains("complete -F _complete_mseg-cli"), "registers for mseg-cli");
    }

    @Test
    void completionIsListedInTheHelp() {
        assertTrue(CliTest.run("--help").out().contains("generate-completion"));
    }

    @Test
    void bashCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Path script = dir.resolve("mseg-cli.bash");
        Files.writeString(script, CliTest.run("generate-completion").out());
        assertEquals("model", complete(script, "mseg-cli mo"));
        assertEquals("--arch", complete(script, "mseg-cli model summary --ar"));
        assertEquals("--plugin-dir", complete(script, "mseg-cli evaluate --plug"));
    }

    /** What bash's completion function offers for the last word of {@code line}. */
    private static String complete(Path script, String line) throws Exception {
        String program = "source '" + script + "' 2>/dev/null; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE};"
                + " read -ra COMP_WORDS <<< \"$COMP_LINE\"; COMP_CWORD=$((${#COMP_WORDS[@]} - 1));"
                + " _complete_mseg-cli 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("/bin/bash", "-c", program).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        return new String(p.getInputStream().readAllBytes()).strip();
    }
}
