package org.mseg.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mseg-cli model summary}. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Inspect segmentation models.",
        subcommands = {ModelCommand.Summary.class})
final class ModelCommand {

    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = "Layer table and trainable parameter count of an architecture.")
    static final class Summary implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--arch", defaultValue = "hrnet", description = "Architecture (TRAIN.arch). Default: ${DEFAULT-VALUE}.")
        String arch;

        @Option(names = "--width", paramLabel = "N", description = "HRNet width: 48, 32 or 18 (variant wN).")
        Integer width;

        @Option(names = "--variant", paramLabel = "NAME", description = "Variant by name, e.g. w48 or tiny.")
        String variant;

        @Option(names = "--num-classes", defaultValue = "194", description = "Number of classes. Default: ${DEFAULT-VALUE}.")
        int numClasses;

        @Option(names = "--input", defaultValue = "713x713", paramLabel = "HxW",
                description = "Input size for the output shapes. Default: ${DEFAULT-VALUE}.")
        String input;

        @Override
        public Integer call() {
            ModelProvider provider = plugins.environment().models().get(arch);
            if (width != null && variant != null) {
                throw new ConfigException("Give either --width or --variant, not both.");
            }
            String v = variant != null ? variant : width != null ? "w" + width : provider.variants().get(0);
            if (numClasses < 1) {
                throw new ConfigException("--num-classes must be positive, was " + numClasses + ".");
            }
            String[] hw = input.split("x");
            if (hw.length != 2 || !hw[0].matches("\\d+") || !hw[1].matches("\\d+")) {
                throw new ConfigException("--input must look like 713x713 (height x width), was '" + input + "'.");
            }
            ModelSpec modelSpec = new ModelSpec(arch, v, numClasses);
            long params = provider.parameterCount(v, numClasses);
            List<LayerSummary> rows = provider.summary(modelSpec, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s %s, %d classes, input %s%n%n", arch, v, numClasses, input);
            if (!rows.isEmpty()) {
                TextTable t = new TextTable("LAYER", "KIND", "OUTPUT (HxWxC)", "PARAMS");
                rows.forEach(r -> t.row(r.name(), r.kind(), r.outputShape(), String.format("%,d", r.parameters())));
                t.print(out);
                out.println();
            }
            out.printf("Trainable parameters: %,d%n", params);
            out.flush();
            return MsegCommand.OK;
        }
    }
}
