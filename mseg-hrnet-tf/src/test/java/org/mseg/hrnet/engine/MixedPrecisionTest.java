package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.DynamicLossScale;
import org.mseg.engine.LowPrecisionKernels;
import org.mseg.engine.Trainer;

/**
 * Mixed-precision training of a tiny HRNet: bf16 learns; fp16's dynamic loss scaling skips an overflowing step without
 * touching weights or momentum and halves the scale, doubles it after the growth interval, and resumes with its state.
 */
class MixedPrecisionTest {

    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(2);
    private static final float TWO_TO_100 = (float) Math.pow(2, 100);

    @Test
    void bf16TrainingLossFallsAndStaysFinite() {
        // oneDNN has bfloat16 kernels only on AVX-512 CPUs; elsewhere train refuses bf16 (TrainCommandTest)
        assumeTrue(LowPrecisionKernels.problem(Precision.BF16).isEmpty(),
                () -> "no bfloat16 kernels on this CPU: " + LowPrecisionKernels.problem(Precision.BF16).orElseThrow());
        ToyBatches data = new ToyBatches(1, 17, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(17, SLICES, 0.05, 40, 7).precision(Precision.BF16).build()) {
            double first = 0;
            double last = 0;
            for (int i = 0; i < 40; i++) {
                double loss = t.step(data.next()).outcome().loss();
                assertTrue(Double.isFinite(loss), "step " + (i + 1) + " loss " + loss);
                if (i < 5) {
                    first += loss / 5;
                } else if (i >= 35) {
                    last += loss / 5;
                }
            }
            assertTrue(last < 0.8 * first, "bf16 loss fell from " + first + " to " + last);
            assertTrue(t.lossScaleState().isEmpty(), "bf16 needs no loss scaling");
        }
    }

    @Test
    void fp16OverflowSkipsTheStepLeavingWeightsAndMomentumAndHalvesTheScale() {
        ToyBatches data = new ToyBatches(1, 9, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16)
                .lossScaling(TWO_TO_100, 2000).build()) {
            Map<String, float[]> before = t.variableValues();
            Trainer.StepResult r = t.step(data.next());
            assertEquals(1, r.iteration(), "a skipped step still counts");
            assertEquals(new DynamicLossScale.State((float) Math.pow(2, 99), 0, 1), t.lossScaleState().orElseThrow());
            assertEquals(Math.pow(2, 99), r.outcome().extras().get("loss_scale"));
            Map<String, float[]> after = t.variableValues();
            int compared = 0;
            for (String name : before.keySet()) {
                if (name.endsWith(".running_mean") || name.endsWith(".running_var")) {
                    continue; // the forward pass updates BN statistics, as in PyTorch
                }
                assertArrayEquals(before.get(name), after.get(name), name + " changed in a skipped step");
                compared++;
            }
            assertTrue(compared > 50, "weights and momentum buffers compared: " + compared);
        }
    }

    @Test
    void fp16ScaleDoublesAfterTheGrowthIntervalAndFiniteStepsUpdate() {
        ToyBatches data = new ToyBatches(1, 9, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16).lossScaling(256f, 2)
                .build()) {
            float[] kernel = t.variableValues().get("conv1.weight");
            t.step(data.next());
            assertEquals(new DynamicLossScale.State(256f, 1, 0), t.lossScaleState().orElseThrow());
            assertFalse(Arrays.equals(kernel, t.variableValues().get("conv1.weight")), "a finite step updates");
            t.step(data.next());
            assertEquals(new DynamicLossScale.State(512f, 0, 0), t.lossScaleState().orElseThrow());
            t.step(data.next());
            assertEquals(new DynamicLossScale.State(512f, 1, 0), t.lossScaleState().orElseThrow());
        }
    }

    @Test
    void lossScaleStateSurvivesCheckpointAndResume(@TempDir Path tmp) {
        String prefix = tmp.resolve("variables").toString();
        ToyBatches data = new ToyBatches(1, 9, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16).lossScaling(256f, 3)
                .build()) {
            t.step(data.next());
            t.step(data.next());
            assertEquals(new DynamicLossScale.State(256f, 2, 0), t.lossScaleState().orElseThrow());
            t.session().save(prefix);
        }
        // the growth interval is configuration; the initial scale is overwritten by the restored state
        try (Trainer resumed = Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16).lossScaling(65536f, 3)
                .initializer(t -> {
                    t.session().restore(prefix);
                    t.resumeAt(2);
                }).build()) {
            assertEquals(new DynamicLossScale.State(256f, 2, 0), resumed.lossScaleState().orElseThrow(),
                    "the restored state, not the default 2^16");
            resumed.step(data.next());
            assertEquals(new DynamicLossScale.State(512f, 0, 0), resumed.lossScaleState().orElseThrow(),
                    "the third finite step in a row doubles the scale");
        }
    }

    @Test
    void genuinelyNonFiniteFp16LossStillStopsOnceTheScaleIsSpent() {
        ToyBatches data = new ToyBatches(1, 9, Toy.CLASSES, SLICES, 0);
        try (Trainer t = Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16).lossScaling(2f, 2000)
                .build()) {
            Batch good = data.next();
            float[] poisoned = good.images().clone();
            poisoned[5] = Float.NaN;
            Batch bad = new Batch(good.index(), 9, 9, poisoned, good.labels(), SLICES, Map.of());
            t.step(bad);
            assertEquals(new DynamicLossScale.State(1f, 0, 1), t.lossScaleState().orElseThrow(),
                    "the first NaN step is skipped as an overflow");
            var e = assertThrows(org.mseg.api.TrainingException.class, () -> t.step(bad));
            assertTrue(e.getMessage().contains("loss scale fell to 0.5 at step 2"), e.getMessage());
        }
    }

    @Test
    void pureFp16IsRefusedNamingTheKeyAndTheAlternatives() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Toy.trainer(9, SLICES, 0.05, 10, 7).precision(Precision.FP16_PURE).build());
        assertTrue(e.getMessage().contains("TRAIN.precision fp16-pure") && e.getMessage().contains("bf16"),
                e.getMessage());
    }
}
