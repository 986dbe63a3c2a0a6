package org.mseg.taxonomy.builtin;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.api.ConfigException;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.api.taxonomy.TaxonomyProvider;
import org.mseg.api.taxonomy.TaxonomyRemap;
import org.mseg.taxonomy.MsegTaxonomies;
import org.mseg.taxonomy.NaiveTaxonomy;
import org.mseg.taxonomy.TextFiles;

/**
 * MSeg's own taxonomies, read from the upstream data files shipped as resources: {@code MSeg_master.tsv}, the
 * {@code <name>_names.txt} lists and the {@code <from>_to_<to>.tsv} remappings. Found through the taxonomy SPI like any
 * plugin.
 */
public final class MsegTaxonomyProvider implements TaxonomyProvider {
    private static final String MASTER = "MSeg_master.tsv";
    private static final List<String> REMAPS = List.of(
            "ade20k-151_to_ade20k-150", "cityscapes-34_to_cityscapes-19", "coco-panoptic-201_to_coco-panoptic-133",
            "idd-40_to_idd-39", "mapillary-public66_to_mapillary-public65", "sunrgbd-38_to_sunrgbd-37",
            "camvid-32_to_camvid-11", "kitti-34_to_kitti-19", "pascal-context-460_to_pascal-context-60",
            "scannet-41_to_scannet-20", "wilddash-34_to_wilddash-19",
            "ade20k-150_to_ade20k-150-relabeled", "bdd_to_bdd-relabeled", "cityscapes-19_to_cityscapes-19-relabeled",
            "cityscapes-34_to_cityscapes-34-relabeled", "coco-panoptic-133_to_coco-panoptic-133-relabeled",
            "idd-39_to_idd-39-relabeled", "mapillary-public65_to_mapillary-public65-relabeled",
            "sunrgbd-37_to_sunrgbd-37-relabeled");
    private static final Map<String, String> DATASET_TITLES = Map.ofEntries(
            Map.entry("ade20k", "ADE20K"), Map.entry("bdd", "BDD100K"), Map.entry("cityscapes", "Cityscapes"),
            Map.entry("coco", "COCO Panoptic"), Map.entry("idd", "IDD"), Map.entry("mapillary", "Mapillary Vistas"),
            Map.entry("sunrgbd", "SUN RGB-D"), Map.entry("camvid", "CamVid"), Map.entry("kitti", "KITTI"),
            Map.entry("pascal", "PASCAL Context"), Map.entry("scannet", "ScanNet"), Map.entry("voc2012",
                    "PASCAL VOC 2012"), Map.entry("wilddash", "WildDash"));

    private List<TaxonomyDefinition> taxonomies;
    private List<TaxonomyRemap> remaps;

    /** Public no-argument constructor for {@link java.util.ServiceLoader}; parsing happens on first use. */
    public MsegTaxonomyProvider() {
    }

    @Override
    public String name() {
        return "mseg";
    }

    @Override
    public String description() {
        return "MSeg's universal, naive, training, relabeled, test and raw taxonomies";
    }

    @Override
    public synchronized List<TaxonomyDefinition> taxonomies() {
        if (taxonomies == null) {
            taxonomies = List.copyOf(load());
        }
        return taxonomies;
    }

    @Override
    public synchronized List<TaxonomyRemap> remaps() {
        if (remaps == null) {
            List<TaxonomyRemap> list = new ArrayList<>();
            for (String stem : REMAPS) {
                String[] ends = stem.split("_to_");
                list.add(readRemap(ends[0], ends[1]));
            }
            remaps = List.copyOf(list);
        }
        return remaps;
    }

    private List<TaxonomyDefinition> load() {
        MasterTable master = new MasterTable(TextFiles.readTsv(open(MASTER), MASTER));
        List<TaxonomyDefinition> out = new ArrayList<>();
        TaxonomyDefinition universal = new TaxonomyDefinition(MsegTaxonomies.UNIVERSAL, TaxonomyKind.UNIVERSAL,
                master.universalNames(), Map.of(), Map.of(), "MSeg universal taxonomy (rows of MSeg_master.tsv)");
        out.add(universal);
        List<TaxonomyDefinition> unrelabeled = new ArrayList<>();
        for (String name : MsegTaxonomies.UNRELABELED_TRAIN) {
            TaxonomyDefinition t = training(master, name, TaxonomyKind.TRAINING);
            unrelabeled.add(t);
        }
        out.add(NaiveTaxonomy.build(unrelabeled));
        out.addAll(unrelabeled);
        for (String name : MsegTaxonomies.RELABELED_TRAIN) {
            out.add(training(master, name, TaxonomyKind.RELABELED));
        }
        for (String name : MsegTaxonomies.TEST) {
            List<String> classes = names(name);
            out.add(new TaxonomyDefinition(name, TaxonomyKind.TEST, classes, Map.of(),
                    master.testColumn(name, classes), title(name) + " (zero-shot test)"));
        }
        for (String name : MsegTaxonomies.RAW) {
            List<String> classes = names(name);
            Map<String, String> toUniversal = master.hasColumn(name) ? master.trainingColumn(name, classes) : Map.of();
            out.add(new TaxonomyDefinition(name, TaxonomyKind.RAW, classes, toUniversal, Map.of(),
                    title(name) + " (raw, as distributed)"));
        }
        return out;
    }

    private TaxonomyDefinition training(MasterTable master, String name, TaxonomyKind kind) {
        List<String> classes = names(name);
        String what = kind == TaxonomyKind.RELABELED ? " (relabeled by MSeg)" : " (semseg, unrelabeled)";
        return new TaxonomyDefinition(name, kind, classes, master.trainingColumn(name, classes), Map.of(),
                title(name) + what);
    }

    private TaxonomyRemap readRemap(String from, String to) {
        String file = "remap/" + from + "_to_" + to + ".tsv";
        TextFiles.Table table = TextFiles.readTsv(open(file), file);
        if (!table.header().equals(List.of(from, to))) {
            throw new ConfigException(file + " line 1: header must be '" + from + "<TAB>" + to + "', found "
                    + table.header());
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (TextFiles.Row row : table.rows()) {
            String src = row.cells()[0].strip();
            String dst = row.cells()[1].strip();
            if (src.isEmpty() || dst.isEmpty()) {
                throw new ConfigException(file + " line " + row.lineNumber()
                        + ": both columns must name a class (use 'unlabeled' to ignore a class).");
            }
            if (map.putIfAbsent(src, dst) != null && !src.equals(TaxonomyDefinition.UNLABELED)) {
                throw new ConfigException(file + " line " + row.lineNumber() + ": class '" + src
                        + "' is mapped twice.");
            }
        }
        return new TaxonomyRemap(from, to, map);
    }

    private List<String> names(String taxonomy) {
        String file = "names/" + taxonomy + "_names.txt";
        return TextFiles.readNames(open(file), file);
    }

    private static InputStream open(String resource) {
        return MsegTaxonomyProvider.class.getResourceAsStream(resource);
    }

    private static String title(String name) {
        String key = name.startsWith("voc2012") ? "voc2012" : name.split("-")[0];
        return DATASET_TITLES.getOrDefault(key, name);
    }
}
