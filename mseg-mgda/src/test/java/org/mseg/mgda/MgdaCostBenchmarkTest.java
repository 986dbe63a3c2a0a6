package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.engine.GraphTrainingStrategy;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.StandardStrategy;
import org.mseg.engine.Trainer;

/**
 * Step time of MGDA ({@code params} and {@code rep} mode) divided by the step time of
 * {@code standard}, on the same batch and machine. A measurement, not a check: run it on its own with
 * {@code -Dmgda.bench=true} (optionally {@code -Dmgda.bench.variant=w18 -Dmgda.bench.size=65 -Dmgda.bench.steps=5}).
 */
@EnabledIfSystemProperty(named = "mgda.bench", matches = "true")
class MgdaCostBenchmarkTest {

    @Test
    void mgdaStepCostRelativeToStandard() {
        HrnetSpec spec = HrnetSpec.named(System.getProperty("mgda.bench.variant", "tiny"));
        int size = Integer.getInteger("mgda.bench.size", ToyTraining.SIZE);
        int steps = Integer.getInteger("mgda.bench.steps", 20);
        List<DatasetSlice> slices = ToyTraining.SLICES;
        Batch batch = resized(size, slices);
        double standard = secondsPerStep(StandardStrategy::new, spec, size, slices, batch, steps);
        double recompute = secondsPerStep(() -> new MgdaStrategy(MgdaOptions.defaults()), spec, size, slices, batch,
                steps);
        double rep = secondsPerStep(() -> new MgdaStrategy(new MgdaOptions(MgdaMode.REP, GradientNormalization.NONE)), spec, size, slices, batch, steps);
        System.out.printf("MGDA cost, HRNet %s, %d datasets x %d crops of %dx%d, %d timed steps:%n", spec.name(),
                slices.size(), slices.get(0).count(), size, size, steps);
        System.out.printf("  standard            %8.1f ms/step%n", 1e3 * standard);
        System.out.printf("  mgda params        %8.1f ms/step  x%.2f%n", 1e3 * recompute, recompute / standard);
        System.out.printf("  mgda rep           %8.1f ms/step  x%.2f%n", 1e3 * rep, rep / standard);
        assertTrue(standard > 0 && recompute > 0 && rep > 0);
    }

    private static Batch resized(int size, List<DatasetSlice> slices) {
        if (size == ToyTraining.SIZE) {
            return ToyTraining.batch(0, slices);
        }
        Batch small = ToyTraining.batch(0, slices);
        int n = small.size();
        float[] images = new float[n * size * size * 3];
        byte[] labels = new byte[n * size * size];
        int s = ToyTraining.SIZE;
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int src = b * s * s + (y * s / size) * s + (x * s / size);
                    int dst = b * size * size + y * size + x;
                    labels[dst] = (byte) small.labels().get(src);
                    System.arraycopy(small.images(), src * 3, images, dst * 3, 3);
                }
            }
        }
        return new Batch(0, size, size, images, LabelBuffer.of(labels), slices, Map.of());
    }

    private static double secondsPerStep(Supplier<GraphTrainingStrategy> strategy, HrnetSpec spec, int size,
            List<DatasetSlice> slices, Batch batch, int steps) {
        int warmup = 3;
        try (Trainer trainer = Trainer.builder()
                .model(tf -> new HrnetGraphModel(Hrnet.create(tf, spec, ToyTraining.CLASSES, 7)))
                .slices(slices)
                .crop(size, size)
                .schedule(new PolyLrSchedule(0.01, warmup + steps, 0.9))
                .strategy(strategy.get(), Map.of())
                .build()) {
            for (int i = 0; i < warmup; i++) {
                trainer.step(batch);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                trainer.step(batch);
            }
            return (System.nanoTime() - t0) / 1e9 / steps;
        }
    }
}
