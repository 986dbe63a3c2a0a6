package org.mseg.cli;

import java.util.concurrent.Callable;
import org.mseg.api.MsegException;
import picocli.CommandLine.Command;

/** Placeholder for {@code mseg-cli config}, replaced by its implementation. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "(not available yet)")
final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new MsegException("'config' is not available yet.");
    }
}
