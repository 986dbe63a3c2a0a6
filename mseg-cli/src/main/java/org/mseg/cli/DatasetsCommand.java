package org.mseg.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.SplitDefinition;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.ReadPolicy;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.SplitListIndexer;
import org.mseg.datasets.synth.SyntheticMseg;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code mseg-cli datasets list|synth|index|check}. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "MSeg's datasets on disk.",
        subcommands = {DatasetsCommand.ListDatasets.class, DatasetsCommand.Synth.class, DatasetsCommand.Index.class,
                DatasetsCommand.Check.class})
final class DatasetsCommand {

    /** Shared state of the subcommands: plugin discovery and output. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        DatasetDefinition dataset(String name) {
            return plugins.environment().datasets().get(name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every dataset: taxonomy, class count, splits, and whether it is found under the data root.")
    static final class ListDatasets extends Base {
        @Option(names = "--data-root", paramLabel = "DIR",
                description = "Folder holding the dataset folders (default: $MSEG_DATA_ROOT).")
        Path dataRoot;

        @Option(names = "--lists", paramLabel = "DIR",
                description = "Lists folder (<dataset>/list/<split>.txt); adds a column with the splits it has"
                        + " lists for.")
        Path lists;

        @Override
        public Integer call() {
            Optional<Path> root = Optional.ofNullable(dataRoot)
                    .or(() -> Optional.ofNullable(System.getenv(DataRoot.ENV)).map(Path::of));
            Registry<TaxonomyDefinition> taxonomies = plugins.environment().taxonomies();
            List<String> header = new ArrayList<>(List.of("NAME", "TAXONOMY", "CLASSES", "SPLITS", "FOLDER", "FOUND"));
            if (lists != null) {
                header.add("LISTS");
            }
            TextTable t = new TextTable(header.toArray(String[]::new));
            for (DatasetDefinition d : plugins.environment().datasets().values()) {
                String classes = taxonomies.find(d.taxonomy()).map(x -> String.valueOf(x.numClasses())).orElse("?");
                String found = root.map(r -> Files.isDirectory(r.resolve(d.folder())) ? "yes" : "no")
                        .orElse("(no data root)");
                List<Object> row = new ArrayList<>(List.of(d.name(), d.taxonomy(), classes,
                        String.join(",", d.splitNames()), d.folder(), found));
                if (lists != null) {
                    List<String> present = d.splitNames().stream().filter(s -> Files.isRegularFile(
                            SplitList.fileIn(lists, d.name(), s))).toList();
                    row.add(present.isEmpty() ? "-" : String.join(",", present));
                }
                t.row(row.toArray());
            }
            t.print(out());
            return MsegCommand.OK;
        }
    }

    /** An image size given as {@code WxH}. */
    record ImageSize(int width, int height) {
    }

    /** Parses {@code WxH}. */
    static final class SizeConverter implements CommandLine.ITypeConverter<ImageSize> {
        @Override
        public ImageSize convert(String value) {
            String[] parts = value.toLowerCase(Locale.ROOT).split("x", -1);
            try {
                if (parts.length == 2) {
                    return new ImageSize(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
                }
            } catch (NumberFormatException e) {
                // Reported below with the expected form.
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; write WIDTHxHEIGHT, e.g."
                    + " 160x120");
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Writes small synthetic versions of the seven training datasets (unrelabeled and relabeled),"
                    + " each in its own layout, with split lists, for demos and smoke tests.",
                "Use the result with --data-root DIR and --lists DIR/dataset_lists."})
    static final class Synth extends Base {
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Empty or new folder, or a folder an earlier 'datasets synth' wrote (it is replaced).")
        Path out;

        @Option(names = "--images-per-dataset", paramLabel = "N",
                description = "Train images per dataset (default: 24).")
        Integer images;

        @Option(names = "--val-images-per-dataset", paramLabel = "N",
                description = "Val images per dataset (default: 8).")
        Integer valImages;

        @Option(names = "--size", paramLabel = "WxH", converter = SizeConverter.class,
                description = "Image size (default: 160x120).")
        ImageSize size;

        @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: 2020).")
        Long seed;

        @Override
        public Integer call() {
            SyntheticMseg.Options d = SyntheticMseg.Options.defaults();
            SyntheticMseg.Options options;
            try {
                options = new SyntheticMseg.Options(images == null ? d.imagesPerDataset() : images,
                        valImages == null ? d.valImagesPerDataset() : valImages,
                        size == null ? d.width() : size.width(),
                        size == null ? d.height() : size.height(), seed == null ? d.seed() : seed);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("Invalid synthetic data options: " + e.getMessage() + ".", e);
            }
            long start = System.nanoTime();
            SyntheticMseg.Summary s = SyntheticMseg.generate(out, options, plugins.environment());
            out().printf("Wrote %d datasets (%d train + %d val images each, %dx%d, seed %d) in %.1f s.%n",
                    s.datasets().size(), options.imagesPerDataset(), options.valImagesPerDataset(), options.width(),
                    options.height(), options.seed(), (System.nanoTime() - start) / 1e9);
            out().printf("Data root: %s%nLists:     %s%nDatasets:  %s%n", s.dataRoot(), s.listsFolder(),
                    String.join(", ", s.datasets()));
            out().printf("Try: mseg-cli datasets check cityscapes-19 --data-root %s --lists %s%n", s.dataRoot(),
                    s.listsFolder());
            out().flush();
            return MsegCommand.OK;
        }
    }

    @Command(name = "index", mixinStandardHelpOptions = true,
            description = {"Regenerates a split list by scanning the dataset folder.",
                "The rule that pairs an image with its label is learned from the dataset's existing list (bundled, or"
                        + " from --lists; another split's list when this split has none), then every image under the"
                        + " split's image folder is paired. Fails naming the images whose label is missing."})
    static final class Index extends Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "Dataset name (see 'datasets list').")
        String name;

        @Option(names = "--data-root", paramLabel = "DIR",
                description = "Folder holding the dataset folders (default: $MSEG_DATA_ROOT).")
        String dataRoot;

        @Option(names = "--split", required = true, paramLabel = "S", description = "Split to index, e.g. train.")
        String split;

        @Option(names = "--lists", paramLabel = "DIR", description = "Lists folder holding example lists.")
        Path lists;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the list here (default: standard output).")
        Path outFile;

        @Override
        public Integer call() throws IOException {
            DatasetDefinition d = dataset(name);
            DataRoot root = DataRoot.resolve(Optional.ofNullable(dataRoot), System.getenv());
            Path folder = root.existingFolderOf(d);
            SplitListIndexer.Result result = SplitListIndexer.index(d, split, Optional.ofNullable(lists), folder);
            if (!result.missing().isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf("error: %d of %d images under %s have no label file (rule: %s). First ones:%n",
                        result.missing().size(), result.missing().size() + result.lines().size(),
                        folder.resolve(result.scanned()), result.rule());
                result.missing().stream().limit(10).forEach(m -> err.println("  " + m));
                err.println("Prepare the labels (MSeg's remap/relabel scripts) or remove the images, then index"
                        + " again.");
                err.flush();
                return MsegCommand.FAILURE;
            }
            if (result.lines().isEmpty()) {
                throw new DatasetException("No images of split '" + split + "' found under "
                        + folder.resolve(result.scanned()) + " (rule: " + result.rule() + "). Check --data-root and"
                        + " the split name.");
            }
            String text = String.join("\n", result.lines()) + "\n";
            if (outFile == null) {
                out().print(text);
            } else {
                AtomicFiles.writeString(outFile, text); // umask-readable, atomic
                out().printf("Wrote %d lines to %s (rule: %s)%n", result.lines().size(), outFile, result.rule());
            }
            out().flush();
            return MsegCommand.OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Checks a dataset on disk: every list line's files lie under the data root, exist, are"
                    + " complete (JPEG end marker, PNG IEND), within the pixel limit and decode, image and label sizes"
                    + " match, label ids are classes of the dataset's taxonomy or 255.",
                "Prints counts and the first problems; exits 1 when anything is wrong, 0 when clean."})
    static final class Check extends Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "Dataset name (see 'datasets list').")
        String name;

        @Option(names = "--data-root", paramLabel = "DIR",
                description = "Folder holding the dataset folders (default: $MSEG_DATA_ROOT).")
        String dataRoot;

        @Option(names = "--lists", paramLabel = "DIR",
                description = "Lists folder (<dataset>/list/<split>.txt); default: the lists bundled with the dataset.")
        Path lists;

        @Option(names = "--split", paramLabel = "S",
                description = "Split to check (default: every split with a list).")
        String split;

        @Option(names = "--limit", paramLabel = "N", description = "Check at most N lines per split (default: all).")
        Integer limit;

        @Option(names = "--show", paramLabel = "N", defaultValue = "10",
                description = "How many problems to print (default: ${DEFAULT-VALUE}).")
        int show;

        @Option(names = "--max-image-pixels", paramLabel = "N",
                description = "Largest image or label (width x height) to decode; larger files are problems, found"
                        + " from their header (default: 67108864 = 8192x8192; as DATA.max_image_pixels).")
        Long maxImagePixels;

        @Option(names = "--permit-paths-outside-root",
                description = "Accept list paths that lead outside the data root (../.., absolute paths); as"
                        + " DATA.permit_paths_outside_root.")
        boolean permitPathsOutsideRoot;

        @Override
        public Integer call() {
            DatasetDefinition d = dataset(name);
            DataRoot root = DataRoot.resolve(Optional.ofNullable(dataRoot), System.getenv());
            root.existingFolderOf(d);
            if (maxImagePixels != null && maxImagePixels < 1) {
                throw new ConfigException("--max-image-pixels must be positive, got " + maxImagePixels + ".");
            }
            ReadPolicy policy = new ReadPolicy(maxImagePixels != null ? maxImagePixels
                    : ReadPolicy.DEFAULT.maxImagePixels(), permitPathsOutsideRoot);
            Registry<TaxonomyDefinition> taxonomies = plugins.environment().taxonomies();
            List<SplitDefinition> splits = new ArrayList<>();
            if (split != null) {
                splits.add(d.split(split).orElseThrow(() -> new ConfigException("Dataset '" + name
                        + "' has no split '" + split + "'. Available splits: " + String.join(", ", d.splitNames())
                        + ".")));
            } else {
                for (SplitDefinition s : d.splits()) {
                    boolean available = lists == null ? s.bundledList().isPresent()
                            : Files.isRegularFile(SplitList.fileIn(lists, d.name(), s.name()));
                    if (available) {
                        splits.add(s);
                    }
                }
                if (splits.isEmpty()) {
                    throw new ConfigException("Dataset '" + name + "' has no split list " + (lists == null
                            ? "bundled; pass --lists <folder holding " + name + "/list/<split>.txt>."
                            : "in " + lists.resolve(name).resolve("list") + "."));
                }
            }
            List<String> problems = new ArrayList<>();
            int checked = 0;
            for (SplitDefinition s : splits) {
                int before = problems.size();
                int n = 0;
                try {
                    SplitList list = SplitList.read(d, s.name(), Optional.ofNullable(lists));
                    SampleReader reader = s.labeled() ? SampleReader.of(d, root, list, taxonomies, policy)
                            : new SampleReader(list, root.folderOf(d), root.path(), 1, policy);
                    for (SplitEntry e : list.entries()) {
                        if (limit != null && n >= limit) {
                            break;
                        }
                        n++;
                        try {
                            if (s.labeled()) {
                                reader.read(e).close();
                            } else {
                                reader.readImage(e).close();
                            }
                        } catch (DatasetException ex) {
                            problems.add(ex.getMessage());
                        }
                    }
                } catch (DatasetException ex) {
                    problems.add(ex.getMessage());
                }
                checked += n;
                int bad = problems.size() - before;
                out().printf("%s %s: %d lines checked, %d %s%n", d.name(), s.name(), n, bad,
                        bad == 1 ? "problem" : "problems");
            }
            if (problems.isEmpty()) {
                out().printf("OK: %d lines of %s checked, no problems.%n", checked, d.name());
                out().flush();
                return MsegCommand.OK;
            }
            out().printf("FAILED: %d %s in %d lines of %s. First %d:%n", problems.size(),
                    problems.size() == 1 ? "problem" : "problems", checked, d.name(),
                    Math.min(show, problems.size()));
            problems.stream().limit(Math.max(0, show)).forEach(p -> out().println("  " + p));
            out().flush();
            return MsegCommand.FAILURE;
        }
    }
}
