package org.mseg.cli;

import picocli.CommandLine.Command;

/** {@code mseg-cli bench loader|train}: throughput benchmarks, reported against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Throughput benchmarks.",
        subcommands = {BenchLoaderCommand.class, BenchTrainCommand.class, BenchInferCommand.class})
final class BenchCommand {
}
