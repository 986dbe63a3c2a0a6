package org.mseg.cli;

import java.util.concurrent.Callable;
import org.mseg.api.MsegException;
import picocli.CommandLine.Command;

/** Placeholder for {@code mseg-cli bench loader}, replaced by its implementation. */
@Command(name = "loader", mixinStandardHelpOptions = true, description = "(not available yet)")
final class BenchLoaderCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new MsegException("'bench loader' is not available yet.");
    }
}
