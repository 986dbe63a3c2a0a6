package org.mseg.engine.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.taxonomy.TaxonomyConverter;

/** Evaluation plans per model/dataset taxonomy pair, and dataset evaluation on real synthetic files. */
class EvaluationTest {
    private static PluginEnvironment env;
    private static TaxonomyConverter converter;
    @TempDir
    static Path data;
    private static SyntheticMseg.Summary synth;

    @BeforeAll
    static void setUp() {
        env = PluginEnvironment.boot();
        converter = TaxonomyConverter.of(env);
        synth = SyntheticMseg.ensure(data.resolve("synth"), new SyntheticMseg.Options(2, 3, 48, 40, 5), env);
    }

    private static EvaluationPlan plan(String modelTaxonomy, String dataset) {
        return EvaluationPlan.of(converter, env.datasets(), modelTaxonomy,
                converter.taxonomy(modelTaxonomy).numClasses(), env.datasets().get(dataset));
    }

    @Test
    void universalModelOnATestDatasetProjectsIntoItsClasses() {
        EvaluationPlan p = plan("universal", "camvid-11");
        assertEquals("camvid-11", p.evalTaxonomy().name());
        assertEquals(194, p.projection().sourceClasses());
        assertEquals(11, p.projection().targetClasses());
        assertEquals(null, p.gtLut());
        assertEquals("camvid-11", p.folderName());
        assertFalse(p.relabeledProtocol());
    }

    @Test
    void universalModelOnATrainingDatasetScoresInUniversalWithExcludedIds() {
        EvaluationPlan p = plan("universal", "cityscapes-19");
        assertEquals("universal", p.evalTaxonomy().name());
        assertTrue(p.projection().isIdentity());
        assertEquals(converter.excludedUniversalIds("cityscapes-19"), p.excludedIds());
        assertEquals(194 - 19, p.excludedIds().size(), "the 19 Cityscapes classes reach 19 distinct universal ids");
        assertEquals(converter.toUniversal("cityscapes-19").apply(12) & 0xFF, p.gtLut()[12] & 0xFF);
        assertEquals("cityscapes-19_universal", p.folderName());
        assertFalse(p.relabeledProtocol());
    }

    @Test
    void universalModelOnARelabeledDatasetUsesTheRelabeledProtocol() {
        EvaluationPlan p = plan("universal", "cityscapes-19-relabeled");
        assertTrue(p.relabeledProtocol());
        assertEquals("cityscapes-19", p.unrelabeled().orElseThrow().name());
        assertEquals(converter.excludedUniversalIds("cityscapes-19"), p.excludedIds(),
                "excluded ids come from the unrelabeled taxonomy, as upstream");
        assertEquals("cityscapes-19_universal_relabeled", p.folderName());
        // cityscapes-34-relabeled has no unrelabeled counterpart: plain universal scoring
        assertFalse(plan("universal", "cityscapes-34-relabeled").relabeledProtocol());
    }

    @Test
    void oracleAndNaiveModels() {
        EvaluationPlan oracle = plan("camvid-11", "camvid-11");
        assertTrue(oracle.projection().isIdentity());
        assertEquals(11, oracle.evalTaxonomy().numClasses());
        EvaluationPlan naive = plan("naive", "kitti-19");
        assertEquals(converter.naive().numClasses(), naive.projection().sourceClasses());
        assertEquals(19, naive.projection().targetClasses());
        ConfigException e = assertThrows(ConfigException.class, () -> plan("cityscapes-19", "camvid-11"));
        assertTrue(e.getMessage().contains("cannot be scored"), e.getMessage());
        assertThrows(ConfigException.class, () -> EvaluationPlan.of(converter, env.datasets(), "universal", 19,
                env.datasets().get("camvid-11")));
    }

    private static SampleReader reader(String dataset) {
        DatasetDefinition d = env.datasets().get(dataset);
        return SampleReader.of(d, new DataRoot(synth.dataRoot()), SplitList.read(d, "val",
                Optional.of(synth.listsFolder())), env.taxonomies());
    }

    /** Writes a dataset's GT (mapped through a LUT) as cached predictions. */
    private static void cacheGroundTruth(SampleReader r, Path gray, byte[] lut, List<String> stems) {
        for (int i = 0; i < r.size(); i++) {
            try (Sample s = r.read(i)) {
                byte[] labels = new byte[s.height() * s.width()];
                ((java.nio.ByteBuffer) s.label().createBuffer()).get(labels);
                for (int j = 0; j < labels.length; j++) {
                    labels[j] = lut[labels[j] & 0xFF];
                }
                DatasetEvaluator.writeLabel(gray.resolve(stems.get(i) + ".png"), labels, s.height(), s.width());
            }
        }
    }

    /** Classes present in a dataset's GT after a LUT, ignore excluded. */
    private static Set<Integer> present(SampleReader r, byte[] lut) {
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < r.size(); i++) {
            try (Sample s = r.read(i)) {
                byte[] labels = new byte[s.height() * s.width()];
                ((java.nio.ByteBuffer) s.label().createBuffer()).get(labels);
                for (byte b : labels) {
                    int v = lut[b & 0xFF] & 0xFF;
                    if (v != 255) {
                        out.add(v);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void perfectCachedPredictionsScoreOneOnPresentClassesAndZeroOnAbsentOnes(@TempDir Path out) {
        EvaluationPlan p = plan("universal", "cityscapes-19");
        SampleReader r = reader("cityscapes-19");
        List<String> stems = DatasetEvaluator.stems(r.list().entries(), "test");
        cacheGroundTruth(r, out.resolve("gray"), p.gtLut(), stems);
        DatasetEvaluator.Result res = new DatasetEvaluator(p, null).run(r, Map.of(), out,
                new DatasetEvaluator.Options(0, 0, true), null, 0, null);
        Set<Integer> present = present(r, p.gtLut());
        int included = 194 - p.excludedIds().size();
        assertEquals(19, included);
        assertTrue(!present.isEmpty() && present.size() < included, "synthetic val shows some classes: " + present);
        assertEquals((double) present.size() / included, res.metrics().mIoU(), 1e-9);
        assertEquals(1.0, res.metrics().allAcc(), 1e-9);
        assertEquals(3, res.images());
        assertTrue(Files.isRegularFile(out.resolve("results.txt")));
        assertTrue(Files.isRegularFile(out.resolve("confusion_matrix.png")));
    }

    @Test
    void predictingTheRelabeledClassIsRewardedAgainstTheUnrelabeledGroundTruth(@TempDir Path out) {
        EvaluationPlan p = plan("universal", "cityscapes-19-relabeled");
        SampleReader r = reader("cityscapes-19-relabeled");
        SampleReader u = reader("cityscapes-19");
        List<String> stems = DatasetEvaluator.stems(r.list().entries(), "test");
        cacheGroundTruth(r, out.resolve("gray"), p.gtLut(), stems);
        Map<String, Path> unrelabeled = DatasetEvaluator.labelsByImage(u.list(),
                new DataRoot(synth.dataRoot()).folderOf(env.datasets().get("cityscapes-19")));
        DatasetEvaluator.Result res = new DatasetEvaluator(p, null).run(r, unrelabeled, out,
                new DatasetEvaluator.Options(0, 0, true), null, 0, null);
        Set<Integer> present = present(u, p.unrelabeledLut());
        assertEquals((double) present.size() / 19, res.metrics().mIoU(), 1e-9,
                "the relabeled GT as prediction is perfect once rewarded");
        assertEquals(1.0, res.metrics().allAcc(), 1e-9);

        // Without the unrelabeled labels the protocol cannot run, and says which image is missing.
        DatasetException e = assertThrows(DatasetException.class, () -> new DatasetEvaluator(p, null).run(r, Map.of(),
                out, new DatasetEvaluator.Options(0, 0, true), null, 0, null));
        assertTrue(e.getMessage().contains("not in the cityscapes-19 list"), e.getMessage());
    }

    @Test
    void repeatedFileNamesUseTheLastFourPathComponents() {
        var a = new org.mseg.datasets.SplitEntry(1, "scene0001_00/color/000000.jpg", Optional.of("x.png"));
        var b = new org.mseg.datasets.SplitEntry(2, "scene0002_00/color/000000.jpg", Optional.of("y.png"));
        assertEquals(List.of("scene0001_00_color_000000", "scene0002_00_color_000000"),
                DatasetEvaluator.stems(List.of(a, b), "list"));
        var c = new org.mseg.datasets.SplitEntry(3, "scene0002_00/color/000000.jpg", Optional.of("z.png"));
        assertThrows(DatasetException.class, () -> DatasetEvaluator.stems(List.of(a, b, c), "list"));
    }
}
