package org.mseg.datasets.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;

/** The synthetic datasets, read back through MSeg's real dataset definitions, readers and taxonomy converter. */
class SyntheticMsegTest {
    private static final PluginEnvironment ENV = PluginEnvironment.boot();

    @TempDir
    static Path shared;

    private static SyntheticMseg.Summary set;

    /** The default options with half the images, to keep the suite fast. */
    private static final SyntheticMseg.Options OPTIONS = SyntheticMseg.Options.defaults().withImages(12, 4);

    @BeforeAll
    static void generate() {
        set = SyntheticMseg.generate(shared.resolve("synth"), OPTIONS, ENV);
    }

    private static SplitList list(String dataset, String split) {
        DatasetDefinition d = ENV.datasets().get(dataset);
        if (d.split(split).isPresent()) {
            return SplitList.read(d, split, Optional.of(set.listsFolder()));
        }
        // The built-in COCO definitions ship val lists only (upstream's train lists are not mirrored).
        return SplitList.fromFile(set.listsFolder().resolve(dataset).resolve("list").resolve(split + ".txt"), true);
    }

    private static SampleReader reader(String dataset, SplitList list) {
        return SampleReader.of(ENV.datasets().get(dataset), new DataRoot(set.dataRoot()), list, ENV.taxonomies());
    }

    @Test
    void summaryNamesTheFourteenTrainingDatasets() {
        assertEquals(14, set.datasets().size());
        assertEquals(SyntheticMseg.UNRELABELED, set.datasets().subList(0, 7));
        assertEquals(SyntheticMseg.RELABELED, set.datasets().subList(7, 14));
        assertEquals(set.dataRoot().resolve("dataset_lists"), set.listsFolder());
    }

    @Test
    void eachDatasetIsWrittenInItsOwnLayoutAndFolder() {
        Map<String, String> firstLinePattern = Map.of(
                "ade20k-150", "images/training/ADE_train_00000001\\.jpg"
                        + " annotations_semseg150/training/ADE_train_00000001\\.png",
                "bdd", "seg/images/train/([0-9a-f]{8}-[0-9a-f]{8})\\.jpg seg/labels/train/\\1_train_id\\.png",
                "cityscapes-19", "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit\\.png"
                        + " gtFine_19cls/train/aachen/aachen_000000_000019_gtFine_labelIds\\.png",
                "coco-panoptic-133", "images/train2017/(\\d{12})\\.jpg semantic_annotations133/train2017/\\1\\.png",
                "idd-39", "leftImg8bit/train/0/005506_leftImg8bit\\.png gtFine39/train/0/005506_gtFine_labelids\\.png",
                "mapillary-public65", "training/images/([A-Za-z0-9_-]{22})\\.jpg training_semseg65/labels/\\1\\.png",
                "sunrgbd-37", "image/train/img-000001\\.jpg semseg-label37/train/00000001\\.png");
        Map<String, String> relabeledFolder = Map.of("ade20k-150", "annotations_semseg150_relabeled/",
                "bdd", "seg_relabeled/labels/", "cityscapes-19", "gtFine_19cls_relabeled/",
                "coco-panoptic-133", "semantic_relabeled133/", "idd-39", "gtFine39_relabeled/",
                "mapillary-public65", "training_semseg65_relabeled/labels/", "sunrgbd-37", "semseg-relabeled37/");
        for (int i = 0; i < 7; i++) {
            String name = SyntheticMseg.UNRELABELED.get(i);
            DatasetDefinition d = ENV.datasets().get(name);
            assertTrue(Files.isDirectory(set.dataRoot().resolve(d.folder())), d.folder());
            SplitEntry first = list(name, "train").entries().get(0);
            String line = first.imagePath() + " " + first.labelPath().orElseThrow();
            assertTrue(line.matches(firstLinePattern.get(name)), name + ": " + line);
            SplitEntry relabeled = list(SyntheticMseg.RELABELED.get(i), "train").entries().get(0);
            assertTrue(relabeled.labelPath().orElseThrow().startsWith(relabeledFolder.get(name)),
                    relabeled.labelPath().orElseThrow());
        }
        assertTrue(Files.isRegularFile(set.dataRoot().resolve("SUNRGBD/image/test/img-000001.jpg")),
                "SUN RGB-D val images come from its test folder");
    }

    @Test
    void everyListLineReadsThroughTheBuiltInDefinitionsWithValidIds() {
        for (String name : set.datasets()) {
            for (String split : List.of("train", "val")) {
                SplitList list = list(name, split);
                int expected = split.equals("train") ? OPTIONS.imagesPerDataset() : OPTIONS.valImagesPerDataset();
                assertEquals(expected, list.size(), name + " " + split);
                SampleReader reader = reader(name, list);
                for (int i = 0; i < reader.size(); i++) {
                    // SampleReader fails on missing or undecodable files, size mismatches and invalid ids.
                    try (Sample s = reader.read(i)) {
                        assertEquals(OPTIONS.width(), s.width());
                        assertEquals(OPTIONS.height(), s.height());
                    }
                }
            }
        }
    }

    @Test
    void relabeledAndUnrelabeledListsAreLineAligned() {
        for (int i = 0; i < 7; i++) {
            for (String split : List.of("train", "val")) {
                List<SplitEntry> u = list(SyntheticMseg.UNRELABELED.get(i), split).entries();
                List<SplitEntry> r = list(SyntheticMseg.RELABELED.get(i), split).entries();
                assertEquals(u.size(), r.size());
                for (int j = 0; j < u.size(); j++) {
                    assertEquals(u.get(j).imagePath(), r.get(j).imagePath());
                    assertFalse(u.get(j).labelPath().equals(r.get(j).labelPath()));
                }
            }
        }
    }

    /** Pixel counts of (universal id via the unrelabeled label, universal id via the relabeled label). */
    private static Map<List<Integer>, Integer> universalPairs(int layout) {
        TaxonomyConverter converter = TaxonomyConverter.of(ENV);
        String uName = SyntheticMseg.UNRELABELED.get(layout);
        String rName = SyntheticMseg.RELABELED.get(layout);
        TaxonomyMapping toU = converter.toUniversal(uName);
        TaxonomyMapping fromR = converter.toUniversal(rName);
        SplitList u = list(uName, "train");
        SplitList r = list(rName, "train");
        SampleReader ur = reader(uName, u);
        SampleReader rr = reader(rName, r);
        Map<List<Integer>, Integer> pairs = new HashMap<>();
        for (int i = 0; i < u.size(); i++) {
            try (Sample a = ur.read(i); Sample b = rr.read(i)) {
                byte[] la = bytes(a.label());
                byte[] lb = bytes(b.label());
                for (int p = 0; p < la.length; p++) {
                    pairs.merge(List.of(toU.apply(la[p] & 0xff), fromR.apply(lb[p] & 0xff)), 1, Integer::sum);
                }
            }
        }
        return pairs;
    }

    private static byte[] bytes(Mat label) {
        byte[] b = new byte[label.rows() * label.cols()];
        label.data().get(b);
        return b;
    }

    @Test
    void bothLabelSetsAgreeInUniversalTermsExceptWhereRelabelingRefines() {
        TaxonomyConverter converter = TaxonomyConverter.of(ENV);
        Set<List<Integer>> refinements = new HashSet<>();
        for (SceneClass c : SceneClass.values()) {
            int fine = converter.universalId(c.universal()).orElseThrow();
            for (String coarse : c.coarser()) {
                refinements.add(List.of(converter.universalId(coarse).orElseThrow(), fine));
            }
        }
        for (int i = 0; i < 7; i++) {
            Map<List<Integer>, Integer> pairs = universalPairs(i);
            Set<Integer> classes = new TreeSet<>();
            for (List<Integer> pair : pairs.keySet()) {
                boolean same = pair.get(0).equals(pair.get(1));
                assertTrue(same || refinements.contains(pair),
                        SyntheticMseg.UNRELABELED.get(i) + ": universal " + pair
                                + " is neither equal nor a refinement");
                classes.add(pair.get(1));
            }
            classes.remove(255);
            assertTrue(classes.size() >= 10, SyntheticMseg.UNRELABELED.get(i) + " draws only " + classes);
        }
    }

    @Test
    void everySceneClassIsAUniversalClassThatSomeDatasetCanLabel() {
        TaxonomyConverter converter = TaxonomyConverter.of(ENV);
        for (SceneClass c : SceneClass.values()) {
            for (String u : c.universalChain()) {
                assertTrue(converter.universalId(u).isPresent(), u);
            }
            assertTrue(set.datasets().stream().anyMatch(d -> SceneLabels.idOf(ENV.taxonomies().get(d), c) != 255),
                    c + " is labeled by no dataset");
        }
    }

    @Test
    void cityscapesRiderIsBicyclistInBothLabelSets() {
        TaxonomyDefinition city = ENV.taxonomies().get("cityscapes-19");
        TaxonomyDefinition cityR = ENV.taxonomies().get("cityscapes-19-relabeled");
        assertEquals(city.idOf("rider"), SyntheticMseg.labelOf(city, "bicyclist"));
        assertEquals(cityR.idOf("bicyclist"), SyntheticMseg.labelOf(cityR, "bicyclist"));
        Map<List<Integer>, Integer> pairs = universalPairs(SynthLayout.CITYSCAPES.ordinal());
        assertTrue(pairs.getOrDefault(List.of(127, 127), 0) > 0, "cityscapes draws bicyclists: " + pairs.keySet());
        assertTrue(pairs.keySet().stream().filter(p -> p.get(1) == 127).allMatch(p -> p.get(0) == 127));
    }

    @Test
    void coarseDatasetsLabelBicyclistsWithTheirCoarserClassAndRelabelingRefinesThem() {
        assertEquals(ENV.taxonomies().get("bdd").idOf("rider"),
                SyntheticMseg.labelOf(ENV.taxonomies().get("bdd"), "bicyclist"));
        assertEquals(ENV.taxonomies().get("ade20k-150").idOf("person"),
                SyntheticMseg.labelOf(ENV.taxonomies().get("ade20k-150"), "bicyclist"));
        assertTrue(universalPairs(SynthLayout.BDD.ordinal()).getOrDefault(List.of(126, 127), 0) > 0,
                "BDD rider (rider_other) relabeled as bicyclist");
        assertEquals(ENV.taxonomies().get("sunrgbd-37").idOf("picture"),
                SyntheticMseg.labelOf(ENV.taxonomies().get("sunrgbd-37"), "painting"));
    }

    @Test
    void imagesUseTheDatasetsOwnFormats() {
        Path root = set.dataRoot();
        assertTrue(Files.isRegularFile(root.resolve("Cityscapes/leftImg8bit/train/aachen/"
                + "aachen_000000_000019_leftImg8bit.png")));
        assertTrue(Files.isRegularFile(root.resolve("ADE20K/ADEChallengeData2016/images/training/"
                + "ADE_train_00000001.jpg")));
        assertTrue(Files.isRegularFile(root.resolve("IDD/IDD_Segmentation/leftImg8bit/val/119/"
                + "035471_leftImg8bit.png")));
    }

    @Test
    void equalOptionsGiveIdenticalFiles(@TempDir Path dir) throws IOException {
        SyntheticMseg.Options small = new SyntheticMseg.Options(2, 1, 64, 48, 7);
        SyntheticMseg.Summary a = SyntheticMseg.generate(dir.resolve("a"), small, ENV);
        SyntheticMseg.Summary b = SyntheticMseg.generate(dir.resolve("b"), small, ENV);
        String label = "Cityscapes/gtFine_19cls_relabeled/train/bochum/bochum_000000_000019_gtFine_labelIds.png";
        assertArrayEquals(Files.readAllBytes(a.dataRoot().resolve(label)), Files.readAllBytes(b.dataRoot()
                .resolve(label)));
        SyntheticMseg.Summary c = SyntheticMseg.generate(dir.resolve("c"), new SyntheticMseg.Options(2, 1, 64, 48, 8),
                ENV);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.dataRoot().resolve(label)),
                Files.readAllBytes(c.dataRoot().resolve(label))));
    }

    private static Map<Path, FileTime> mtimes(Path root) throws IOException {
        Map<Path, FileTime> times = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                times.put(p, Files.getLastModifiedTime(p));
            }
        }
        return times;
    }

    @Test
    void ensureGeneratesOnceAndRegeneratesOnlyWhenTheOptionsChange(@TempDir Path dir) throws Exception {
        SyntheticMseg.Options small = new SyntheticMseg.Options(2, 1, 48, 40, 1);
        Path cache = dir.resolve("cache");
        SyntheticMseg.Summary first = SyntheticMseg.ensure(cache, small, ENV);
        assertTrue(Files.isRegularFile(cache.resolve(SyntheticMseg.MARKER)));
        // Make any rewrite visible in the modification times, whatever the file system's timestamp resolution.
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        try (Stream<Path> files = Files.walk(cache)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, old);
            }
        }
        Map<Path, FileTime> before = mtimes(cache);
        SyntheticMseg.Summary second = SyntheticMseg.ensure(cache, small, ENV);
        assertEquals(first, second);
        assertEquals(before, mtimes(cache), "a second ensure() must not rewrite anything");

        SyntheticMseg.ensure(cache, small.withImages(3, 1), ENV);
        assertEquals(3, SplitList.fromFile(cache.resolve("dataset_lists/bdd/list/train.txt"), true).size());
        assertTrue(Files.getLastModifiedTime(cache.resolve(SyntheticMseg.MARKER)).compareTo(old) > 0);
        // Files of the earlier set that the new one does not name are gone.
        try (Stream<Path> images = Files.walk(cache.resolve("Cityscapes/leftImg8bit"))) {
            assertEquals(4, images.filter(Files::isRegularFile).count(), "3 train and 1 val image");
        }
    }

    @Test
    void refusesToWriteIntoAFolderThatHoldsOtherData(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("precious.txt"), "real data");
        DatasetException e = assertThrows(DatasetException.class,
                () -> SyntheticMseg.generate(dir, new SyntheticMseg.Options(1, 1, 32, 32, 1), ENV));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("precious.txt")));
    }

    @Test
    void defaultsAre24TrainAnd8ValImagesOf160x120PerDataset() {
        SyntheticMseg.Options d = SyntheticMseg.Options.defaults();
        assertEquals(List.of(24, 8, 160, 120), List.of(d.imagesPerDataset(), d.valImagesPerDataset(), d.width(),
                d.height()));
    }

    @Test
    void optionsRejectEmptySplitsAndTinyImages() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticMseg.Options(0, 1, 64, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticMseg.Options(1, 1, 8, 64, 1));
    }
}
