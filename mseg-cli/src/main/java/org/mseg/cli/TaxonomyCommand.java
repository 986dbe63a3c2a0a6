package org.mseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mseg.api.ConfigException;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.json.Json;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mseg-cli taxonomy list|show|map|export}. */
@Command(name = "taxonomy", mixinStandardHelpOptions = true,
        description = "Inspect MSeg's taxonomies and the mappings between them.",
        subcommands = {TaxonomyCommand.ListTaxonomies.class, TaxonomyCommand.Show.class, TaxonomyCommand.MapCommand.class,
                TaxonomyCommand.Export.class})
final class TaxonomyCommand {

    /** Shared state of the subcommands: plugin discovery and the converter. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        PluginOptions plugins;

        TaxonomyConverter converter() {
            return TaxonomyConverter.of(plugins.environment());
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every taxonomy, its kind and class count.")
    static final class ListTaxonomies extends Base {
        @Override
        public Integer call() {
            TextTable t = new TextTable("NAME", "KIND", "CLASSES", "DESCRIPTION");
            for (TaxonomyDefinition d : converter().taxonomies().values()) {
                t.row(d.name(), d.kind().label(), d.numClasses(), d.description());
            }
            t.print(out());
            return MsegCommand.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "The classes of one taxonomy in id order, with their universal classes where defined.")
    static final class Show extends Base {
        @Parameters(paramLabel = "NAME", description = "Taxonomy name (see 'taxonomy list').")
        String name;

        @Override
        public Integer call() {
            TaxonomyConverter c = converter();
            TaxonomyDefinition d = c.taxonomy(name);
            PrintWriter out = out();
            out.printf("%s: %s taxonomy, %d classes, ignore id %d%n%s%n%n", d.name(), d.kind().label(),
                    d.numClasses(), TaxonomyDefinition.IGNORE_ID, d.description());
            if (d.mapsToUniversal()) {
                TaxonomyMapping m = c.toUniversal(name);
                TextTable t = new TextTable("ID", "CLASS", "UNIVERSAL");
                for (int i = 0; i < d.numClasses(); i++) {
                    t.row(i, d.classNames().get(i), universalLabel(c, m.apply(i)));
                }
                t.print(out);
            } else if (!d.fromUniversal().isEmpty()) {
                TaxonomyMapping m = c.universalToTest(name);
                TextTable t = new TextTable("ID", "CLASS", "FED BY UNIVERSAL CLASSES");
                for (int i = 0; i < d.numClasses(); i++) {
                    t.row(i, d.classNames().get(i), sources(c.universal(), m.sourcesOf(i)));
                }
                t.print(out);
            } else {
                TextTable t = new TextTable("ID", "CLASS");
                for (int i = 0; i < d.numClasses(); i++) {
                    t.row(i, d.classNames().get(i));
                }
                t.print(out);
            }
            return MsegCommand.OK;
        }
    }

    @Command(name = "map", mixinStandardHelpOptions = true,
            description = {"How the class ids of FROM map to those of TO.",
                    "Examples: 'taxonomy map cityscapes-19 universal', 'taxonomy map universal camvid-11',"
                            + " 'taxonomy map cityscapes-34 cityscapes-19'."})
    static final class MapCommand extends Base {
        @Parameters(index = "0", paramLabel = "FROM")
        String from;

        @Parameters(index = "1", paramLabel = "TO")
        String to;

        @Override
        public Integer call() {
            TaxonomyConverter c = converter();
            TaxonomyMapping m = c.mapping(from, to);
            TaxonomyDefinition src = m.from();
            TaxonomyDefinition dst = m.to();
            PrintWriter out = out();
            boolean projection = dst.kind() == TaxonomyKind.TEST
                    && (src.kind() == TaxonomyKind.UNIVERSAL || src.kind() == TaxonomyKind.NAIVE);
            if (projection) {
                out.printf("%s (%d classes) -> %s (%d classes): each %s class sums the probabilities of%n%n",
                        src.name(), src.numClasses(), dst.name(), dst.numClasses(), dst.name());
                TextTable t = new TextTable("ID", dst.name().toUpperCase(java.util.Locale.ROOT), "<-",
                        src.name().toUpperCase(java.util.Locale.ROOT));
                int unused = 0;
                for (int j = 0; j < dst.numClasses(); j++) {
                    List<Integer> s = m.sourcesOf(j);
                    t.row(j, dst.classNames().get(j), "<-", s.isEmpty() ? "(nothing: never predicted)"
                            : sources(src, s));
                }
                for (int i = 0; i < src.numClasses(); i++) {
                    unused += m.apply(i) == m.ignoreId() ? 1 : 0;
                }
                t.print(out);
                out.printf("%n%d of %d %s classes feed no %s class (their probability is dropped).%n", unused,
                        src.numClasses(), src.name(), dst.name());
            } else {
                out.printf("%s (%d classes) -> %s (%d classes); %d -> %d%n%n", src.name(), src.numClasses(),
                        dst.name(), dst.numClasses(), TaxonomyDefinition.IGNORE_ID, m.ignoreId());
                TextTable t = new TextTable("ID", src.name().toUpperCase(java.util.Locale.ROOT), "->",
                        dst.name().toUpperCase(java.util.Locale.ROOT));
                int ignored = 0;
                for (int i = 0; i < src.numClasses(); i++) {
                    int v = m.apply(i);
                    ignored += v == m.ignoreId() ? 1 : 0;
                    t.row(i, src.classNames().get(i), "->", label(dst, v, m.ignoreId()));
                }
                t.print(out);
                out.printf("%n%d of %d classes map to ignore (%d).%n", ignored, src.numClasses(), m.ignoreId());
            }
            out.flush();
            return MsegCommand.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "The universal and naive taxonomies and every dataset's mappings as one JSON document.")
    static final class Export extends Base {
        @Option(names = "--format", defaultValue = "json", paramLabel = "json", description = "Output format; only 'json'.")
        String format;

        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path outFile;

        @Override
        public Integer call() {
            if (!format.equals("json")) {
                throw new ConfigException("--format " + format + " is not supported; use --format json.");
            }
            String json = Json.write(document(converter()), true) + "\n";
            if (outFile == null) {
                out().print(json);
                out().flush();
            } else {
                AtomicFiles.writeString(outFile, json); // umask-readable, atomic
            }
            return MsegCommand.OK;
        }
    }

    /** The export document: see the README for its shape. */
    static Map<String, Object> document(TaxonomyConverter c) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("universal", c.universal().classNames());
        doc.put("naive", c.naive().classNames());
        Map<String, Object> datasets = new LinkedHashMap<>();
        Map<String, Object> tests = new LinkedHashMap<>();
        for (TaxonomyDefinition d : c.taxonomies().values()) {
            boolean training = d.kind() == TaxonomyKind.TRAINING || d.kind() == TaxonomyKind.RELABELED;
            boolean test = d.kind() == TaxonomyKind.TEST;
            if (!training && !test) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("classes", d.classNames());
            entry.put("toUniversal", toUniversal(c, d));
            TaxonomyMapping naive = c.toNaive(d.name());
            List<Integer> toNaive = new ArrayList<>();
            for (int i = 0; i < d.numClasses(); i++) {
                int v = naive.apply(i);
                toNaive.add(v == naive.ignoreId() ? null : v);
            }
            entry.put("toNaive", toNaive);
            datasets.put(d.name(), entry);
            if (test) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("classes", d.classNames());
                int[] table = c.universalToTest(d.name()).table();
                t.put("fromUniversal", table);
                tests.put(d.name(), t);
            }
        }
        doc.put("datasets", datasets);
        doc.put("tests", tests);
        return doc;
    }

    /**
     * Per class, its universal id or 255. Test taxonomies define only the universal → test direction; a test class
     * gets the id of its single feeding universal class, and 255 when several universal classes (or none) feed it.
     */
    private static List<Integer> toUniversal(TaxonomyConverter c, TaxonomyDefinition d) {
        List<Integer> ids = new ArrayList<>();
        if (d.mapsToUniversal()) {
            TaxonomyMapping m = c.toUniversal(d.name());
            for (int i = 0; i < d.numClasses(); i++) {
                ids.add(m.apply(i));
            }
        } else {
            TaxonomyMapping m = c.universalToTest(d.name());
            for (int i = 0; i < d.numClasses(); i++) {
                List<Integer> s = m.sourcesOf(i);
                ids.add(s.size() == 1 ? s.get(0) : TaxonomyDefinition.IGNORE_ID);
            }
        }
        return ids;
    }

    private static String universalLabel(TaxonomyConverter c, int id) {
        return label(c.universal(), id, TaxonomyDefinition.IGNORE_ID);
    }

    private static String label(TaxonomyDefinition t, int id, int ignoreId) {
        return id == ignoreId ? ignoreId + " (ignore)" : id + " " + t.classNames().get(id);
    }

    private static String sources(TaxonomyDefinition t, List<Integer> ids) {
        List<String> parts = new ArrayList<>();
        for (int id : ids) {
            parts.add(id + " " + t.classNames().get(id));
        }
        return String.join(", ", parts);
    }
}
