package org.mseg.datasets.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registry;
import org.mseg.api.testkit.ProviderRegistration;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;

class MsegDatasetProviderTest {
    private static final Map<String, String> FOLDERS = Map.ofEntries(
            Map.entry("ade20k-150", "ADE20K/ADEChallengeData2016"), Map.entry("bdd", "BDD/bdd100k"),
            Map.entry("cityscapes-19", "Cityscapes"), Map.entry("coco-panoptic-133", "COCOPanoptic"),
            Map.entry("idd-39", "IDD/IDD_Segmentation"), Map.entry("mapillary-public65", "MapillaryVistasPublic"),
            Map.entry("sunrgbd-37", "SUNRGBD"),
            Map.entry("ade20k-150-relabeled", "ADE20K/ADEChallengeData2016"), Map.entry("bdd-relabeled", "BDD/bdd100k"),
            Map.entry("cityscapes-19-relabeled", "Cityscapes"), Map.entry("cityscapes-34-relabeled", "Cityscapes"),
            Map.entry("coco-panoptic-133-relabeled", "COCOPanoptic"),
            Map.entry("idd-39-relabeled", "IDD/IDD_Segmentation"),
            Map.entry("mapillary-public65-relabeled", "MapillaryVistasPublic"),
            Map.entry("sunrgbd-37-relabeled", "SUNRGBD"),
            Map.entry("camvid-11", "Camvid"), Map.entry("kitti-19", "KITTI"),
            Map.entry("pascal-context-60", "PASCAL_Context"), Map.entry("scannet-20", "ScanNet/scannet_frames_25k"),
            Map.entry("voc2012", "PASCAL_VOC_2012"), Map.entry("wilddash-19", "WildDash"));
    private static final Path UPSTREAM_LISTS = Path.of("/work/shared/reference/data/dataset_lists");

    private static Registry<DatasetDefinition> datasets() {
        return PluginEnvironment.boot().datasets();
    }

    @Test
    void all21DatasetsAreFoundThroughTheDatasetSpi() {
        Registry<DatasetDefinition> registry = datasets();
        assertEquals(new TreeSet<>(FOLDERS.keySet()), new TreeSet<>(registry.names()));
        assertEquals(21, new MsegDatasetProvider().datasets().size());
        assertEquals("mseg", new MsegDatasetProvider().name());
        for (DatasetDefinition d : registry.values()) {
            assertEquals(d.name(), d.taxonomy(), d.name());
            assertEquals(FOLDERS.get(d.name()), d.folder(), d.name());
            assertEquals(LabelEncoding.GRAY8, d.labelEncoding(), d.name());
            assertFalse(d.description().isBlank());
            assertEquals(MsegDatasetProvider.class.getName(), registry.registration(d.name()).origin().type());
        }
    }

    @Test
    void everyBuiltInTaxonomyExists() {
        PluginEnvironment env = PluginEnvironment.boot();
        for (DatasetDefinition d : env.datasets().values()) {
            assertTrue(env.taxonomies().contains(d.taxonomy()), "taxonomy of " + d.name());
        }
    }

    @Test
    void registeredInModuleInfoAndServicesFile() {
        ProviderRegistration.check(DatasetProvider.class, MsegDatasetProvider.class);
        ModuleDescriptor descriptor = MsegDatasetProvider.class.getModule().getDescriptor();
        assertFalse(descriptor.exports().stream().anyMatch(e -> e.source().equals("org.mseg.datasets.builtin")));
    }

    @Test
    void cityscapesValHas500LabeledLines() {
        DatasetDefinition cityscapes = datasets().get("cityscapes-19");
        assertEquals(List.of("train", "val", "fine_val", "fine_val_small"), cityscapes.splitNames());
        SplitList val = SplitList.read(cityscapes, "val", Optional.empty());
        assertEquals(500, val.size());
        SplitEntry first = val.entries().get(0);
        assertEquals(1, first.lineNumber());
        assertTrue(first.imagePath().startsWith("leftImg8bit/val/"), first.imagePath());
        assertTrue(first.labelPath().orElseThrow().startsWith("gtFine_19cls/val/"), first.toString());
        assertTrue(val.source().contains("cityscapes-19/val"), val.source());
    }

    @Test
    void testSplitsWithImagePathsOnlyAreUnlabeled() {
        Set<String> unlabeled = datasets().values().stream()
                .flatMap(d -> d.splits().stream().filter(s -> !s.labeled()).map(s -> d.name() + "/" + s.name()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("idd-39/test", "idd-39-relabeled/test", "kitti-19/test", "wilddash-19/test"), unlabeled);
    }

    @Test
    void everyBundledListIsReadableAndRelabeledListsAreLineAligned() {
        Registry<DatasetDefinition> registry = datasets();
        for (DatasetDefinition d : registry.values()) {
            for (SplitDefinition split : d.splits()) {
                boolean cocoTrain = d.name().startsWith("coco-panoptic-133") && split.name().equals("train");
                assertEquals(!cocoTrain, split.bundledList().isPresent(), d.name() + "/" + split.name());
                if (cocoTrain) {
                    DatasetException e = assertThrows(DatasetException.class,
                            () -> SplitList.read(d, split.name(), Optional.empty()));
                    assertTrue(e.getMessage().contains("mseg-cli datasets index " + d.name() + " --split train"),
                            e.getMessage());
                    continue;
                }
                SplitList list = SplitList.read(d, split.name(), Optional.empty());
                assertTrue(list.size() > 0, d.name() + "/" + split.name());
            }
        }
        for (String name : List.of("ade20k-150", "bdd", "cityscapes-19", "coco-panoptic-133", "idd-39",
                "mapillary-public65", "sunrgbd-37")) {
            DatasetDefinition plain = registry.get(name);
            DatasetDefinition relabeled = registry.get(name + "-relabeled");
            assertEquals(plain.splitNames(), relabeled.splitNames(), name);
            for (String split : plain.splitNames()) {
                if (plain.split(split).orElseThrow().bundledList().isEmpty()) {
                    continue;
                }
                List<String> a = SplitList.read(plain, split, Optional.empty()).entries().stream()
                        .map(SplitEntry::imagePath).toList();
                List<String> b = SplitList.read(relabeled, split, Optional.empty()).entries().stream()
                        .map(SplitEntry::imagePath).toList();
                assertEquals(a, b, name + "/" + split);
            }
        }
    }

    @Test
    void bundledListsMatchTheUpstreamListsFolder() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(UPSTREAM_LISTS), "upstream dataset_lists not available");
        for (DatasetDefinition d : datasets().values()) {
            Set<String> upstream;
            try (Stream<Path> files = Files.list(UPSTREAM_LISTS.resolve(d.name()).resolve("list"))) {
                upstream = files.map(p -> p.getFileName().toString().replace(".txt", ""))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            Set<String> bundledSplits = d.splits().stream().filter(x -> x.bundledList().isPresent())
                    .map(SplitDefinition::name).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(upstream, bundledSplits, d.name());
            for (String split : bundledSplits) {
                SplitList bundled = SplitList.read(d, split, Optional.empty());
                SplitList external = SplitList.read(d, split, Optional.of(UPSTREAM_LISTS));
                assertEquals(external.entries(), bundled.entries(), d.name() + "/" + split);
            }
        }
    }

    @Test
    void relabeledDatasetsNameTheirUnrelabeledCounterpartAsAField() {
        Map<String, DatasetDefinition> byName = new MsegDatasetProvider().datasets().stream()
                .collect(Collectors.toMap(DatasetDefinition::name, d -> d));
        Map<String, String> relabeled = new java.util.TreeMap<>();
        byName.values().forEach(d -> d.relabeledFrom().ifPresent(u -> relabeled.put(d.name(), u)));
        assertEquals(Map.of("ade20k-150-relabeled", "ade20k-150", "bdd-relabeled", "bdd",
                "cityscapes-19-relabeled", "cityscapes-19", "coco-panoptic-133-relabeled", "coco-panoptic-133",
                "idd-39-relabeled", "idd-39", "mapillary-public65-relabeled", "mapillary-public65",
                "sunrgbd-37-relabeled", "sunrgbd-37"), relabeled);
        relabeled.values().forEach(u -> assertTrue(byName.containsKey(u), u + " is registered"));
        // cityscapes-34 is not a registered dataset, so its relabeled version is scored on its own
        assertEquals(Optional.empty(), byName.get("cityscapes-34-relabeled").relabeledFrom());
        assertThrows(IllegalArgumentException.class, () -> byName.get("bdd").relabeledFrom("bdd"));
    }
}
