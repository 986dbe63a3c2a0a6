package org.mseg.hrnet.inference;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.engine.inference.DatasetEvaluator;
import org.mseg.engine.inference.EvaluationPlan;
import org.mseg.engine.inference.InferenceSettings;
import org.mseg.engine.inference.Segmenter;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.provider.HrnetModelProvider;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * Dataset evaluation with a real (tiny HRNet) model on synthetic files; the model-free evaluation tests are the
 * engine's {@code org.mseg.engine.inference.EvaluationTest}.
 */
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

    private static SampleReader reader(String dataset) {
        DatasetDefinition d = env.datasets().get(dataset);
        return SampleReader.of(d, new DataRoot(synth.dataRoot()), SplitList.read(d, "val",
                Optional.of(synth.listsFolder())), env.taxonomies());
    }

    @Test
    void modelPredictionsAreWrittenAndReadBackFromTheCache(@TempDir Path out) throws IOException {
        EvaluationPlan p = plan("universal", "bdd");
        SampleReader r = reader("bdd");
        int[] examples = {0};
        List<String> evaluated; // entries 1 and 2 of the list
        try (LoadedModel model = LoadedModel.random(new HrnetModelProvider(),
                HrnetModelProvider.modelSpec(HrnetSpec.tiny(), 194), 33, 33, 7L)) {
            InferenceSettings s = new InferenceSettings(0, List.of(1.0), 33, 33, true, 2);
            DatasetEvaluator.Result first = new DatasetEvaluator(p, new Segmenter(model, p.projection(), s)).run(r,
                    Map.of(), out, new DatasetEvaluator.Options(1, 2, false),
                    (i, stem, img, target, pred) -> examples[0]++, 1, null);
            assertEquals(2, first.images(), "index_start 1, index_step 2");
            evaluated = first.stems();
            assertEquals(1, examples[0]);
            assertTrue(first.inferenceSeconds() > 0);
            for (String stem : first.stems()) {
                try (Mat m = imread(out.resolve("gray").resolve(stem + ".png").toString(), IMREAD_UNCHANGED)) {
                    assertEquals(40, m.rows());
                    assertEquals(48, m.cols());
                }
            }
            DatasetEvaluator.Result cached = new DatasetEvaluator(p, null).run(r, Map.of(), out,
                    new DatasetEvaluator.Options(1, 2, true), null, 0, null);
            assertEquals(first.metrics(), cached.metrics());
            String text = Files.readString(out.resolve("results.txt"));
            assertTrue(text.startsWith("Eval result: mIoU/mAcc/allAcc "), text);
            assertEquals(1 + 194 - p.excludedIds().size(), text.split("\n").length,
                    "one line per non-excluded class");
        }
        Files.delete(out.resolve("gray").resolve(evaluated.get(0) + ".png"));
        DatasetException e = assertThrows(DatasetException.class, () -> new DatasetEvaluator(p, null).run(r,
                Map.of(), out, new DatasetEvaluator.Options(1, 2, true), null, 0, null));
        assertTrue(e.getMessage().contains("--has-prediction"), e.getMessage());
    }
}
