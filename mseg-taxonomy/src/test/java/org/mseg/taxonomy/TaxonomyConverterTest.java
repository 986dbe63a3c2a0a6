package org.mseg.taxonomy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mseg.api.ConfigException;
import org.mseg.api.PluginException;
import org.mseg.api.plugin.Origin;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registration;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.taxonomy.builtin.MsegTaxonomyProvider;

class TaxonomyConverterTest {
    private static TaxonomyConverter converter;

    @BeforeAll
    static void discoverBuiltInTaxonomies() {
        converter = TaxonomyConverter.of(PluginEnvironment.boot());
    }

    private static int u(String universalName) {
        return converter.universalId(universalName).orElseThrow();
    }

    private static int id(String taxonomy, String className) {
        int id = converter.taxonomy(taxonomy).idOf(className);
        assertTrue(id >= 0, className + " in " + taxonomy);
        return id;
    }

    @Test
    void universalTaxonomyHas194ClassesInRowOrder() {
        TaxonomyDefinition universal = converter.universal();
        assertEquals(194, universal.numClasses());
        assertEquals("backpack", universal.classNames().get(0));
        assertEquals("person", universal.classNames().get(125));
        assertEquals("sky", universal.classNames().get(142));
        assertEquals("window_blind", universal.classNames().get(193));
        assertFalse(universal.classNames().contains("unlabeled"));
    }

    @ParameterizedTest
    @CsvSource({"ade20k-150,150", "bdd,19", "cityscapes-19,19", "coco-panoptic-133,133", "idd-39,39",
            "mapillary-public65,65", "sunrgbd-37,37", "ade20k-150-relabeled,141", "bdd-relabeled,21",
            "cityscapes-19-relabeled,21", "cityscapes-34-relabeled,26", "coco-panoptic-133-relabeled,155",
            "idd-39-relabeled,30", "mapillary-public65-relabeled,51", "sunrgbd-37-relabeled,48", "camvid-11,11",
            "kitti-19,19", "pascal-context-60,60", "scannet-20,20", "voc2012,21", "wilddash-19,19",
            "ade20k-151,151", "cityscapes-34,34", "coco-panoptic-201,201", "idd-40,40", "mapillary-public66,66",
            "sunrgbd-38,38", "camvid-32,32", "kitti-34,34", "pascal-context-460,460", "scannet-41,41",
            "wilddash-34,34", "naive,315", "universal,194"})
    void everyTaxonomyHasItsClassCount(String name, int count) {
        assertEquals(count, converter.taxonomy(name).numClasses(), name);
    }

    @ParameterizedTest
    @CsvSource({"ade20k-150,117,9", "bdd,19,0", "cityscapes-19,19,0", "coco-panoptic-133,122,0", "idd-39,25,9",
            "mapillary-public65,44,5", "sunrgbd-37,37,0", "ade20k-150-relabeled,141,0", "bdd-relabeled,21,0",
            "cityscapes-19-relabeled,21,0", "cityscapes-34-relabeled,26,0", "coco-panoptic-133-relabeled,155,0",
            "idd-39-relabeled,30,0", "mapillary-public65-relabeled,51,0", "sunrgbd-37-relabeled,48,0"})
    void trainingTaxonomiesLandInTheUniversalTaxonomyAsTheMasterTableSays(String dataset, int distinctTargets,
            int ignored) {
        TaxonomyMapping m = converter.toUniversal(dataset);
        Set<Integer> targets = new HashSet<>();
        int toIgnore = 0;
        for (int i = 0; i < m.from().numClasses(); i++) {
            int t = m.apply(i);
            if (t == 255) {
                toIgnore++;
            } else {
                targets.add(t);
            }
        }
        assertEquals(distinctTargets, targets.size(), "distinct universal targets of " + dataset);
        assertEquals(ignored, toIgnore, "classes of " + dataset + " sent to unlabeled");
        assertEquals(m.from().numClasses(), m.from().toUniversal().size(), "every class of " + dataset + " is listed");
    }

    @Test
    void riderLandsDifferentlyPerDataset() {
        assertEquals(u("bicyclist"), converter.toUniversal("cityscapes-19").apply(id("cityscapes-19", "rider")));
        assertEquals(127, converter.toUniversal("cityscapes-19").apply(12));
        assertEquals(u("motorcyclist"), converter.toUniversal("idd-39").apply(id("idd-39", "rider")));
        assertEquals(u("rider_other"), converter.toUniversal("bdd").apply(id("bdd", "rider")));
        assertEquals(u("bicyclist"), converter.toUniversal("mapillary-public65")
                .apply(id("mapillary-public65", "Bicyclist")));
    }

    @Test
    void braceCellsMergeSeveralDatasetClassesIntoOne() {
        TaxonomyMapping ade = converter.toUniversal("ade20k-150");
        assertEquals(u("table"), ade.apply(id("ade20k-150", "coffee table")));
        assertEquals(u("table"), ade.apply(id("ade20k-150", "table")));
        TaxonomyMapping coco = converter.toUniversal("coco-panoptic-133");
        assertEquals(67, coco.apply(id("coco-panoptic-133", "dining table")));
        assertEquals(u("chair_other"), coco.apply(id("coco-panoptic-133", "chair")));
        assertTrue(ade.sourcesOf(u("table")).size() >= 2);
    }

    @Test
    void classesOnTheUnlabeledRowMapToIgnore() {
        for (String c : List.of("computer", "signboard", "monitor", "crt screen", "screen", "canopy", "plant", "bar",
                "step")) {
            assertEquals(255, converter.toUniversal("ade20k-150").apply(id("ade20k-150", c)), c);
        }
        assertEquals(255, converter.toUniversal("mapillary-public65").apply(id("mapillary-public65", "Ego Vehicle")));
        assertEquals(255, converter.toUniversal("idd-39").apply(id("idd-39", "non-drivable fallback")));
    }

    @Test
    void ignoreAndUncoveredIdsStayIgnoreInsteadOfBecomingClassZero() {
        TaxonomyMapping city = converter.toUniversal("cityscapes-19");
        assertEquals(256, city.size());
        assertEquals(255, city.apply(255));
        assertEquals(255, city.apply(19), "an id above the class range");
        assertEquals(255, city.apply(200));
        byte[] lut = city.toByteLut();
        assertEquals((byte) 255, lut[100]);
        assertEquals((byte) u("sky"), lut[id("cityscapes-19", "sky")]);
    }

    @Test
    void relabeledTaxonomiesUseUniversalNamesOneToOne() {
        for (String name : MsegTaxonomies.RELABELED_TRAIN) {
            TaxonomyDefinition t = converter.taxonomy(name);
            TaxonomyMapping m = converter.toUniversal(name);
            for (int i = 0; i < t.numClasses(); i++) {
                assertEquals(u(t.classNames().get(i)), m.apply(i), name + " class " + t.classNames().get(i));
            }
        }
    }

    @Test
    void universalToTestSumsTheDocumentedClasses() {
        TaxonomyMapping camvid = converter.universalToTest("camvid-11");
        assertEquals(194, camvid.size());
        int bicyclist = id("camvid-11", "Bicyclist");
        assertEquals(List.of(u("bicyclist"), u("bicycle")), camvid.sourcesOf(bicyclist));
        assertEquals(List.of(u("person")), camvid.sourcesOf(id("camvid-11", "Pedestrian")));
        TaxonomyMapping wild = converter.universalToTest("wilddash-19");
        assertEquals(List.of(u("rider_other"), u("bicyclist"), u("motorcyclist")),
                wild.sourcesOf(id("wilddash-19", "rider")));
        assertEquals(List.of(u("streetlight"), u("pole")), wild.sourcesOf(id("wilddash-19", "pole")));
        assertEquals(List.of(u("autorickshaw"), u("motorcycle")), wild.sourcesOf(id("wilddash-19", "motorcycle")));
        TaxonomyMapping scannet = converter.universalToTest("scannet-20");
        assertEquals(List.of(57, 58, 59, 60, 61), scannet.sourcesOf(id("scannet-20", "chair")));
        assertEquals(List.of(77, 78, 79), scannet.sourcesOf(id("scannet-20", "counter")));
        assertEquals(255, camvid.apply(u("backpack")), "universal classes with an empty test cell drop out");
    }

    @ParameterizedTest
    @CsvSource({"camvid-11,12", "kitti-19,22", "wilddash-19,23", "scannet-20,37", "voc2012,194",
            "pascal-context-60,194"})
    void numberOfUniversalClassesFeedingEachTestTaxonomy(String test, int feeding) {
        TaxonomyMapping m = converter.universalToTest(test);
        int n = 0;
        for (int uid = 0; uid < 194; uid++) {
            n += m.apply(uid) == 255 ? 0 : 1;
        }
        assertEquals(feeding, n);
    }

    @Test
    void pascalContextFlowerAndWoodCanNeverWin() {
        TaxonomyMapping m = converter.universalToTest("pascal-context-60");
        assertEquals(List.of(), m.sourcesOf(id("pascal-context-60", "flower")));
        assertEquals(List.of(), m.sourcesOf(id("pascal-context-60", "wood")));
    }

    @Test
    void naiveTaxonomyIsTheLowerCasedUnionWithContiguousIds() {
        TaxonomyDefinition naive = converter.naive();
        assertEquals(315, naive.numClasses());
        assertEquals(TaxonomyKind.NAIVE, naive.kind());
        assertEquals("non-drivable fallback", naive.classNames().get(254), "upstream id 254");
        assertEquals("autorickshaw", naive.classNames().get(255), "upstream id 256, shifted down by the hole");
        assertEquals(255, NaiveTaxonomy.fromUpstreamId(256));
        assertEquals(256, NaiveTaxonomy.toUpstreamId(255));
        assertEquals(254, NaiveTaxonomy.toUpstreamId(254));
        assertEquals(converter.taxonomy("ade20k-150").classNames().get(0), naive.classNames().get(0));
        // Cityscapes and BDD share lower-cased names: the first occurrence (bdd) wins, cityscapes adds nothing new.
        TaxonomyMapping bdd = converter.toNaive("bdd");
        TaxonomyMapping city = converter.toNaive("cityscapes-19");
        assertEquals(bdd.apply(id("bdd", "road")), city.apply(id("cityscapes-19", "road")));
        int mapillaryCar = converter.toNaive("mapillary-public65").apply(id("mapillary-public65", "Car"));
        assertEquals("car", naive.classNames().get(mapillaryCar));
    }

    @Test
    void naiveMappingsKeepClass255AndIgnoreAt65535() {
        // IDD's autorickshaw is naive class 255 (upstream 256): a class, not ignore, so ignore moves to 65535.
        TaxonomyMapping idd = converter.toNaive("idd-39");
        assertEquals(255, idd.apply(id("idd-39", "autorickshaw")));
        assertEquals(TaxonomyMapping.WIDE_IGNORE_ID, idd.ignoreId());
        assertEquals(TaxonomyMapping.WIDE_IGNORE_ID, idd.apply(255));
        assertEquals(TaxonomyMapping.WIDE_IGNORE_ID, idd.apply(200), "ids beyond the dataset's classes");
        short[] lut = idd.toShortLut();
        assertEquals(255, lut[id("idd-39", "autorickshaw")] & 0xffff);
        assertEquals(0xFFFF, lut[255] & 0xffff);
        assertThrows(IllegalStateException.class, idd::toByteLut);
        assertEquals(TaxonomyDefinition.IGNORE_ID, converter.toUniversal("idd-39").ignoreId());
    }

    @Test
    void naiveToTestMatchesLowerCasedNames() {
        TaxonomyMapping m = converter.naiveToTest("camvid-11");
        int sky = converter.naive().idOf("sky");
        assertEquals(id("camvid-11", "Sky"), m.apply(sky));
        assertEquals(315, m.size());
    }

    @Test
    void rawRemapsFollowTheirTsv() {
        TaxonomyMapping m = converter.remap("cityscapes-34", "cityscapes-19");
        assertEquals(255, m.apply(id("cityscapes-34", "ego vehicle")));
        assertEquals(id("cityscapes-19", "road"), m.apply(id("cityscapes-34", "road")));
        assertEquals(255, m.apply(255));
        TaxonomyMapping pascal = converter.remap("pascal-context-460", "pascal-context-60");
        assertEquals(460, pascal.size());
        assertEquals(id("pascal-context-60", "background"), pascal.apply(id("pascal-context-460", "accordion")));
        TaxonomyMapping coco = converter.remap("coco-panoptic-201", "coco-panoptic-133");
        assertEquals(255, coco.apply(id("coco-panoptic-201", "unlabeled")));
    }

    @Test
    void rawTaxonomiesReachUniversalThroughTheirRemap() {
        TaxonomyMapping m = converter.mapping("cityscapes-34", "universal");
        assertEquals(u("road"), m.apply(id("cityscapes-34", "road")));
        TaxonomyMapping ade = converter.mapping("ade20k-151", "universal");
        assertEquals(u("table"), ade.apply(id("ade20k-151", "coffee table")));
    }

    @Test
    void excludedIdsAreTheUniversalClassesADatasetCannotProduce() {
        Set<Integer> excluded = converter.excludedUniversalIds("cityscapes-19");
        assertEquals(194 - 19, excluded.size());
        assertFalse(excluded.contains(u("sky")));
        assertTrue(excluded.contains(u("backpack")));
    }

    @Test
    void unknownMappingsAndTaxonomiesFailWithTheAlternatives() {
        ConfigException e = assertThrows(ConfigException.class, () -> converter.toUniversal("camvid-11"));
        assertTrue(e.getMessage().contains("cityscapes-19"), e.getMessage());
        PluginException p = assertThrows(PluginException.class, () -> converter.taxonomy("cityscape-19"));
        assertTrue(p.getMessage().contains("Did you mean 'cityscapes-19'"), p.getMessage());
        ConfigException m = assertThrows(ConfigException.class, () -> converter.mapping("camvid-11", "kitti-19"));
        assertTrue(m.getMessage().contains("No mapping from 'camvid-11' to 'kitti-19'"), m.getMessage());
    }

    @Test
    void aPluginTaxonomyMappingToAnUnknownUniversalClassIsRejectedWithItsName() {
        MsegTaxonomyProvider builtIn = new MsegTaxonomyProvider();
        Origin origin = Origin.of(TaxonomyConverterTest.class);
        List<Registration<TaxonomyDefinition>> regs = new java.util.ArrayList<>();
        builtIn.taxonomies().forEach(t -> regs.add(new Registration<>(t.name(), t, origin)));
        regs.add(new Registration<>("farm-3", new TaxonomyDefinition("farm-3", TaxonomyKind.OTHER,
                List.of("cow", "tractor", "hay"), Map.of("cow", "cow", "tractor", "tractor_machine",
                        "hay", "unlabeled"), Map.of(), "farm"), origin));
        TaxonomyConverter c = TaxonomyConverter.of(Registry.of("taxonomy", regs), builtIn.remaps());
        ConfigException e = assertThrows(ConfigException.class, () -> c.toUniversal("farm-3"));
        assertTrue(e.getMessage().contains("'tractor_machine'"), e.getMessage());
    }
}
