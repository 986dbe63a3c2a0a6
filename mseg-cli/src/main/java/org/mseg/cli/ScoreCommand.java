package org.mseg.cli;

import java.util.concurrent.Callable;
import org.mseg.api.MsegException;
import picocli.CommandLine.Command;

/** Placeholder for {@code mseg-cli score}, replaced by its implementation. */
@Command(name = "score", mixinStandardHelpOptions = true, description = "(not available yet)")
final class ScoreCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new MsegException("'score' is not available yet.");
    }
}
