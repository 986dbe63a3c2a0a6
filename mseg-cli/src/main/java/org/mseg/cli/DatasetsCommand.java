package org.mseg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mseg-cli datasets list}. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "MSeg's datasets on disk.",
        subcommands = {DatasetsCommand.ListDatasets.class})
final class DatasetsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every dataset: taxonomy, class count, splits, and whether it is found under the data root.")
    static final class ListDatasets implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        @Option(names = "--data-root", paramLabel = "DIR",
                description = "Folder holding the dataset folders (default: $MSEG_DATA_ROOT).")
        Path dataRoot;

        @Override
        public Integer call() {
            Optional<Path> root = Optional.ofNullable(dataRoot)
                    .or(() -> Optional.ofNullable(System.getenv("MSEG_DATA_ROOT")).map(Path::of));
            Registry<TaxonomyDefinition> taxonomies = plugins.environment().taxonomies();
            TextTable t = new TextTable("NAME", "TAXONOMY", "CLASSES", "SPLITS", "FOLDER", "FOUND");
            for (DatasetDefinition d : plugins.environment().datasets().values()) {
                String classes = taxonomies.find(d.taxonomy()).map(x -> String.valueOf(x.numClasses())).orElse("?");
                String found = root.map(r -> Files.isDirectory(r.resolve(d.folder())) ? "yes" : "no")
                        .orElse("(no data root)");
                t.row(d.name(), d.taxonomy(), classes, String.join(",", d.splitNames()), d.folder(), found);
            }
            t.print(spec.commandLine().getOut());
            return MsegCommand.OK;
        }
    }
}
