package org.mseg.cli;

import java.util.concurrent.Callable;
import org.mseg.api.MsegException;
import picocli.CommandLine.Command;

/** Placeholder for {@code mseg-cli bench train}, replaced by its implementation. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "(not available yet)")
final class BenchTrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new MsegException("'bench train' is not available yet.");
    }
}
