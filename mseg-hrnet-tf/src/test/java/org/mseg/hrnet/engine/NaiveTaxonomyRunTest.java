package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingListener;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;

/**
 * {@code use_naive_taxonomy: True}: the tiny model trains on the unrelabeled synthetic datasets in the naive taxonomy
 * (315 classes, so 16-bit labels with ignore 65535), its loss falls, and validation scores in the naive taxonomy.
 */
class NaiveTaxonomyRunTest {

    /** The engine's package-private {@code ValidationPictures.MIN_HEIGHT}: pictures are at least this high. */
    private static final int PICTURE_MIN_HEIGHT = 256;
    /** The engine's package-private {@code ValidationPictures.PER_DATASET}: pictures per validation dataset. */
    private static final int PICTURES_PER_DATASET = 3;

    @Test
    void naiveRunTrainsOnSixteenBitLabelsAndValidatesIn315Classes(@TempDir Path tmp) {
        PluginEnvironment env = PluginEnvironment.boot();
        SyntheticMseg.Summary data = SyntheticMseg.ensure(tmp.resolve("data"),
                new SyntheticMseg.Options(6, 2, 64, 48, 3), env);
        // Two unrelabeled datasets as in MSeg's naive baseline, 2 crops each per step: num_examples 40 -> 20 steps.
        MsegConfig raw = TrainingRun.demoConfig()
                .with("use_naive_taxonomy", true)
                .with("dataset", List.of("idd-39", "sunrgbd-37"))
                .with("train_gpu", List.of(0, 1)).with("batch_size", 4)
                .with("train_h", 33).with("train_w", 33).with("short_size", 48)
                .with("num_examples", 40).with("save_freq", 1000).with("keep_checkpoints", 1)
                .with("tensorboard", false);
        MsegConfig cfg = ConfigSchema.training().validate(raw, new HashSet<>(env.datasets().names()));
        List<Double> losses = new ArrayList<>();
        List<String> pictures = new ArrayList<>();
        TrainingListener record = new TrainingListener() {
            @Override
            public void onStep(StepReport r) {
                losses.add(r.loss());
            }

            @Override
            public void onValidationPicture(String dataset, int index, int height, int width, byte[] rgb) {
                assertEquals(height * width * 3, rgb.length);
                assertTrue(height >= PICTURE_MIN_HEIGHT && width > 3 * height / 2, height + "x" + width);
                pictures.add(dataset + "/" + index);
            }
        };
        Path run = tmp.resolve("run");
        TrainingRun.Result result = TrainingRun.run(new TrainingRun.Options(cfg, "standard", run, data.dataRoot(),
                Optional.of(data.listsFolder()), Optional.empty(), Optional.empty(), OptionalLong.empty(), true, 2),
                env, List.of(record));

        assertEquals(20, result.iterations());
        assertEquals(List.of("idd-39/0", "idd-39/1", "sunrgbd-37/0", "sunrgbd-37/1"), pictures,
                "a picture per validation image, up to " + PICTURES_PER_DATASET + " per dataset");
        assertEquals(20, losses.size());
        double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
        double last = (losses.get(17) + losses.get(18) + losses.get(19)) / 3;
        assertTrue(first > 4, "starts near ln(315) = 5.75: " + losses);
        assertTrue(last < first - 1, "the loss falls: " + losses);
        assertEquals(List.of("idd-39", "sunrgbd-37"), List.copyOf(result.mIoU().keySet()));
        result.mIoU().values().forEach(v -> assertTrue(v >= 0 && v <= 100, "mIoU " + result.mIoU()));
        CheckpointMetadata meta = Checkpoints.read(result.lastCheckpoint().orElseThrow());
        assertEquals(315, meta.numClasses());
        assertEquals("naive", meta.taxonomy());
        assertEquals("autorickshaw", meta.classNames().get(255), "class 255 is a class, not ignore");
    }
}
